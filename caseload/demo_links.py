"""The demo practice's linked clients and packages (seed 003), played through the use cases.

- The Brennans: Noah's mother Claire is linked to him as his PARENT. Noah lets her book and
  manage his appointments, complete his intake forms and receive copies of his session
  emails. Claire booked Noah a session with Dr Amara Okafor from her own sign-in (a Monday
  at 16:00, at least two days ahead), which assigns her to it; the Wednesday session the
  practice booked Noah before they were linked has nobody assigned, so Claire sees and hears
  of the first of Noah's two upcoming sessions only (seed 003: a link applies to the sessions
  a linked client is assigned to). The practice asked for Noah's intake form, which waits in
  Claire's myPendingForms.
- The Hartmanns: Leo and Sofia are PARTNERs. Leo bought a six-session couples package (paid
  now by card, or to pay later without one) and lets Sofia use it and receive copies; the
  practice booked their next session with Jonas Lindqvist (a Tuesday at 12:00, at least two
  days ahead) with a credit from it.

It is added once, after the sessions' story: a demo practice that has links is left alone.
"""

from __future__ import annotations

import uuid
from datetime import time
from decimal import Decimal

from sqlalchemy import func, select

from caseload.demo_appointments import LENGTH, _next, contexts, has_appointments
from caseload.demo_groups import practice_ids
from domain.accounts.practice import Weekday
from domain.billing.billing import Checkout
from domain.clients.links import LinkPermissions, LinkType
from domain.clients.relationships import RelationshipStatus
from domain.shared.errors import DomainError
from persistence import tables
from persistence.database import Database
from resolvers.accounts import practice as accounts
from resolvers.appointments import booking
from resolvers.billing import packages
from resolvers.clients import intake_forms, links
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services

PASSWORD = "demo-password-2026"
CLAIRE_EMAIL = "claire.brennan@demo-client.example.com"
FOR_A_CHILD = LinkPermissions(book_and_manage_appointments=True, complete_intake_forms=True,
                              receive_notification_copies=True)
FOR_A_PARTNER = LinkPermissions(receive_notification_copies=True, use_package_credits=True)


async def has_links(db: Database, practice_id: uuid.UUID) -> bool:
    async with db.reading() as tx:
        count = await tx.scalar(
            select(func.count()).select_from(tables.client_links)
            .where(tables.client_links.c.practice_id == practice_id))
    return bool(count)


async def ensure_demo_links(services: Services, owner: Viewer) -> list[str]:
    """The two families, once; answers what to print."""
    if await has_links(services.db, owner.practice_id) or not await has_appointments(
            services.db, owner.practice_id):
        return []  # done already, or the sessions' story (whose sign-ins it needs) is not
    staff, people, _ = await practice_ids(services.db, owner.practice_id)
    said = []
    for name, play in [("the Brennans", _brennans), ("the Hartmanns", _hartmanns)]:
        try:
            said.append(await play(services, owner, staff, people))
        except (DomainError, LookupError) as error:
            said.append(f"  (left out {name}: {error})")
    return ["Demo linked clients added:", *said]


async def _brennans(services: Services, owner: Viewer, staff: dict[str, uuid.UUID],
                    people: dict[str, uuid.UUID]) -> str:
    at, now = contexts(services), services.clock()
    noah, claire = people["Noah Brennan"], people["Claire Brennan"]
    await links.link(at(owner, now), client_id=noah, linked_client_id=claire,
                     type=LinkType.PARENT, linked_client_can=FOR_A_CHILD,
                     client_can=LinkPermissions())
    signed_in = await accounts.sign_in(at(None, now), email=CLAIRE_EMAIL, password=PASSWORD)
    await booking.book_appointment(at(signed_in.viewer, now), booking.BookingRequest(
        relationship_id=None, practitioner_id=staff["amara@demo-practice.example.com"],
        for_client_id=noah, starts_at=_next(Weekday.MONDAY, time(16, 0), now),
        duration_minutes=LENGTH, package_id=None, idempotency_key=None))
    await intake_forms.request_intake_form(
        at(owner, now), noah, "Child and family history",
        ["How is school going?", "Anything that worries Noah at the moment?"])
    return ("  Noah Brennan is linked to his mother Claire, who booked him a session and has "
            f"his intake form to complete (sign in as {CLAIRE_EMAIL}).")


async def _hartmanns(services: Services, owner: Viewer, staff: dict[str, uuid.UUID],
                     people: dict[str, uuid.UUID]) -> str:
    at, now = contexts(services), services.clock()
    leo, sofia = people["Leo Hartmann"], people["Sofia Hartmann"]
    await links.link(at(owner, now), client_id=leo, linked_client_id=sofia,
                     type=LinkType.PARTNER, linked_client_can=FOR_A_PARTNER,
                     client_can=LinkPermissions(receive_notification_copies=True))
    async with at(owner, now).reading() as uow:
        has_card = await uow.payment_methods.of_client(leo) is not None
        couples = [r for r in await uow.relationships.of_practitioner_and_client(
            staff["jonas@demo-practice.example.com"], leo)
            if r.status is RelationshipStatus.ACTIVE and sofia in r.client_ids]
    sale = await packages.sell_package(at(owner, now), packages.PackageRequest(
        client_id=leo, name="Couples block", credits=6, price=Decimal("420.00"),
        checkout=Checkout.PAY_NOW if has_card else Checkout.PAY_LATER,
        idempotency_key="demo-package-hartmann"))
    await booking.book_appointment(at(owner, now), booking.BookingRequest(
        relationship_id=couples[0].id, practitioner_id=None, for_client_id=None,
        starts_at=_next(Weekday.TUESDAY, time(12, 0), now), duration_minutes=LENGTH,
        package_id=sale.package.id, idempotency_key=None))
    return (f"  Leo and Sofia Hartmann share Leo's {sale.package.name} (invoice "
            f"{sale.invoice.number}, {sale.invoice.status.value}); their next session with "
            "Jonas Lindqvist is paid with one of its credits.")
