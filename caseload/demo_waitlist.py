"""The demo practice's cancellation fee tiers and waitlist, played through the real use cases:

- The owner sets the tiers 48 hours: 50 %, 24 hours: 100 %. Sessions booked before keep the
  default they were booked under (48 hours at 100 %).
- Maya Patel booked a Wednesday 11:00 session with Dr Amara Okafor under the tiers, was
  charged the whole 85.00 GBP when the window opened, and cancelled it 36 hours before: it is
  LATE_CANCELLED with a fee of 42.50 GBP (50 %) and the other 42.50 GBP refunded.
- Maya waits for any of Amara's times in the coming fortnight. Claire Brennan cancels a
  Thursday 13:00 session for Noah in good time, so it is offered to Maya by email (written to
  the mail folder once `caseload serve` runs), held for two hours; the claim link is printed.

Added once, after the demo sessions (a practice without sessions gets them first)."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from caseload.demo_appointments import (
    LENGTH,
    At,
    Weekly,
    _next,
    contexts,
    has_appointments,
)
from caseload.demo_clients import CLIENT_EMAIL
from domain.accounts.practice import Role, Weekday
from domain.appointments.appointments import Appointment
from domain.clients.relationships import RelationshipStatus
from persistence import tables
from resolvers.appointments import booking, changes, waitlist
from resolvers.appointments.appointment_money import AppointmentMoney
from resolvers.appointments.cancellation_policy import set_cancellation_policy
from resolvers.appointments.waitlist_links import claim_link
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services

AMARA = "amara@demo-practice.example.com"
CLAIRE = "claire.brennan@demo-client.example.com"
TIERS = [(48, Decimal(50)), (24, Decimal(100))]


async def ensure_demo_waitlist(services: Services, owner: Viewer, secret: str) -> list[str]:
    """Once per demo practice, once it has sessions; answers what to print."""
    if not await has_appointments(services.db, owner.practice_id):
        return []
    if await _has_waitlist(services, owner.practice_id):
        return []
    at, now = contexts(services), services.clock()
    await set_cancellation_policy(at(owner, now), TIERS)
    story = _Story(at, owner, now)
    await story.late_cancellation()
    offer_id = await story.waitlist()
    said = ["Cancellation fee tiers set (48 h: 50 %, 24 h: 100 %); Maya Patel's late "
            "cancellation kept a 42.50 GBP fee.",
            "Maya Patel waits for Dr Amara Okafor's times; a freed Thursday is offered to her."]
    if offer_id is not None:
        link = claim_link(services.public_url.rstrip("/"), secret, offer_id)
        said.append(f"  Her claim link: {link}")
    return said


async def _has_waitlist(services: Services, practice_id: uuid.UUID) -> bool:
    w = tables.waitlist_entries
    async with services.db.reading() as tx:
        return bool(await tx.scalar(select(func.count()).select_from(w).where(
            w.c.practice_id == practice_id)))


class _Story:
    def __init__(self, at: At, owner: Viewer, now: datetime) -> None:
        self.at = at
        self.owner = owner
        self.now = now

    async def late_cancellation(self) -> None:
        """Booked a week ahead, paid at the window, cancelled 36 hours before."""
        maya_relationship = await self._relationship(CLIENT_EMAIL)
        starts_at = Weekly(Weekday.WEDNESDAY, time(11, 0)).latest_before(
            self.now) - timedelta(weeks=1)
        booked = await self._book(maya_relationship, starts_at, starts_at - timedelta(days=7))
        paid_at = starts_at - timedelta(hours=47)
        ctx = self.at(self.owner, paid_at)
        await AppointmentMoney(ctx.db, paid_at, ctx.payments).take_fee(booked.id)
        await changes.cancel_appointment(
            self.at(await self._client_viewer(CLIENT_EMAIL), starts_at - timedelta(hours=36)),
            booked.id, "Work trip")

    async def waitlist(self) -> uuid.UUID | None:
        """Maya in line for Amara's fortnight; Noah's Thursday freed and offered to her."""
        maya = await self._client_viewer(CLIENT_EMAIL)
        entry = await waitlist.join_waitlist_for_times(
            self.at(maya, self.now), await self._relationship(CLIENT_EMAIL),
            self.now + timedelta(days=3), self.now + timedelta(days=17))
        thursday = _next(Weekday.THURSDAY, time(13, 0), self.now + timedelta(days=2))
        noah = await self._book(await self._relationship(CLAIRE), thursday, self.now)
        await changes.cancel_appointment(self.at(await self._client_viewer(CLAIRE), self.now),
                                         noah.id, "Half term")
        async with self.at(self.owner, self.now).reading() as uow:
            offers = await uow.waitlist_offers.open_of_entries([entry.id])
        return offers[0].id if offers else None

    async def _book(self, relationship_id: uuid.UUID, starts_at: datetime,
                    booked_at: datetime) -> Appointment:
        return await booking.book_appointment(
            self.at(self.owner, booked_at), booking.BookingRequest(
                relationship_id=relationship_id, practitioner_id=None, for_client_id=None,
                starts_at=starts_at, duration_minutes=LENGTH, package_id=None,
                idempotency_key=None))

    async def _client_viewer(self, email: str) -> Viewer:
        async with self.at(self.owner, self.now).reading() as uow:
            client = await uow.clients.first(
                tables.clients.c.practice_id == self.owner.practice_id,
                tables.clients.c.email == email)
            membership = await uow.memberships.of_client(client.id) if client else None
        if client is None or membership is None:
            raise LookupError(f"no signed-up client {email}")
        return Viewer(account_id=membership.account_id, practice_id=self.owner.practice_id,
                      role=Role.CLIENT, client_id=client.id, membership_id=membership.id)

    async def _relationship(self, payer_email: str) -> uuid.UUID:
        """Amara's ACTIVE relationship paid for by the client with that email."""
        r, p, c = tables.relationships, tables.practitioners, tables.clients
        async with self.at(self.owner, self.now).reading() as uow:
            found = await uow.tx.scalar(
                select(r.c.id).join(p, p.c.id == r.c.practitioner_id)
                .join(c, c.c.id == r.c.payer_id)
                .where(p.c.email == AMARA, c.c.email == payer_email,
                       c.c.practice_id == self.owner.practice_id,
                       r.c.status == RelationshipStatus.ACTIVE))
        if found is None:
            raise LookupError(f"no active relationship with Amara paid by {payer_email}")
        return found  # type: ignore[no-any-return]
