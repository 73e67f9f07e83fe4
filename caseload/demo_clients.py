"""The demo practice's clients: one of each kind of relationship, an ended one, a client who
signs in with a card on file, and a new client nobody works with yet."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from domain.clients.profile import KEEP, AddressInput, ProfileChanges
from domain.clients.relationships import EndReason, RelationshipKind
from persistence import tables
from persistence.database import Database
from resolvers.accounts import invites, payment_methods
from resolvers.accounts.invite_links import invite_token
from resolvers.clients import clients, relationships
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext

CLIENT_EMAIL = "maya.patel@demo-client.example.com"

Context = Callable[[Viewer | None], RequestContext]


def _profile(first: str, last: str, email: str | None = None, phone: str | None = None,
             born: date | None = None, city: str | None = None) -> ProfileChanges:
    address = AddressInput("12 Riverside Walk", None, city, "SE1 9PX", "GB") if city else KEEP
    return ProfileChanges(first_name=first, last_name=last, email=email or KEEP,
                          phone=phone or KEEP, date_of_birth=born or KEEP, address=address)


async def has_clients(db: Database, practice_id: uuid.UUID) -> bool:
    async with db.reading() as tx:
        count = await tx.scalar(
            select(func.count()).select_from(tables.clients)
            .where(tables.clients.c.practice_id == practice_id)
        )
    return bool(count)


async def _practitioner_ids(db: Database, practice_id: uuid.UUID) -> dict[str, uuid.UUID]:
    async with db.reading() as tx:
        rows = await tx.execute(
            select(tables.practitioners.c.email, tables.practitioners.c.id)
            .where(tables.practitioners.c.practice_id == practice_id)
        )
        return {email: practitioner_id for email, practitioner_id in rows}


async def add_demo_clients(context: Context, owner: Viewer, secret: str) -> None:
    ctx = context(owner)
    by_email = await _practitioner_ids(ctx.db, owner.practice_id)
    amara = by_email["amara@demo-practice.example.com"]
    jonas = by_email["jonas@demo-practice.example.com"]

    async def client(changes: ProfileChanges) -> uuid.UUID:
        return (await clients.create_client(context(owner), changes)).id

    async def start(kind: RelationshipKind, attendees: list[uuid.UUID], practitioner: uuid.UUID,
                    payer: uuid.UUID | None = None) -> uuid.UUID:
        created = await relationships.create_relationship(
            context(owner), practitioner_id=practitioner, kind=kind, client_ids=attendees,
            payer_id=payer)
        return created.id

    maya = await client(_profile("Maya", "Patel", CLIENT_EMAIL, "+447911123401",
                                 date(1988, 3, 14), "London"))
    await start(RelationshipKind.INDIVIDUAL, [maya], amara)
    leo = await client(_profile("Leo", "Hartmann", "leo.hartmann@demo-client.example.com",
                                "+447911123402", date(1985, 7, 2), "London"))
    sofia = await client(_profile("Sofia", "Hartmann", "sofia.hartmann@demo-client.example.com"))
    await start(RelationshipKind.COUPLES, [leo, sofia], jonas)
    noah = await client(_profile("Noah", "Brennan", born=date(2013, 11, 5)))
    claire = await client(_profile("Claire", "Brennan", "claire.brennan@demo-client.example.com",
                                   "+447911123403", city="Bristol"))
    await start(RelationshipKind.CHILD, [noah], amara, payer=claire)
    ruth = await client(_profile("Ruth", "Okonkwo", "ruth.okonkwo@demo-client.example.com"))
    ended = await start(RelationshipKind.INDIVIDUAL, [ruth], owner.practitioner_id)  # type: ignore[arg-type]
    await relationships.end_relationship(
        context(owner), ended, reason=EndReason.THERAPY_COMPLETED,
        note="Goals met; welcome back any time.", cancel_upcoming_appointments=False)
    await client(_profile("Tomás", "Álvarez", "tomas.alvarez@demo-client.example.com"))
    await _sign_up_with_card(context, owner, maya, secret)


async def _sign_up_with_card(
    context: Context, owner: Viewer, client_id: uuid.UUID, secret: str
) -> None:
    """Maya accepts her invitation (as if from the email) and keeps a Visa on file."""
    await invites.invite_client(context(owner), client_id)
    async with context(owner).db.reading() as tx:
        invite_id = await tx.scalar(
            select(tables.client_invites.c.id).where(
                tables.client_invites.c.client_id == client_id,
                tables.client_invites.c.used_at.is_(None))
        )
    assert invite_id is not None
    signed_in = await invites.accept_invite(
        context(None), token=invite_token(secret, invite_id), password="demo-password-2026")
    await payment_methods.add_payment_method(context(signed_in.viewer), "tok_visa")
