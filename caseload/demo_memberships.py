"""A second demo practice, and a person who is a client of both: Maya Patel, a client of
Riverside Therapy, is also seen at Northside Physio (demo), whose invitation she accepted with
her existing password. One account, two memberships: she signs in once, finds both in
`viewer.memberships`, and `switchMembership` gives her a token for the other practice, where
she sees only that practice's data. Jonas Lindqvist, a practitioner of Riverside Therapy,
works at Northside Physio too: he accepted its staff invitation with his existing password.
Added once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from caseload.demo_clients import CLIENT_EMAIL, _profile
from domain.clients.relationships import RelationshipKind
from persistence import tables
from resolvers.accounts import invites, registration, staff_invites
from resolvers.accounts.invite_links import (
    invite_token,
    registration_token,
    staff_invite_token,
)
from resolvers.clients import clients, relationships
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext, Services

SECOND_OWNER_EMAIL = "owner@demo-physio.example.com"
SHARED_PRACTITIONER_EMAIL = "jonas@demo-practice.example.com"
SECOND_PRACTICE = "Northside Physio (demo)"
PASSWORD = "demo-password-2026"


async def ensure_second_practice(services: Services, secret: str) -> list[str]:
    """Once, and only once Maya signs in to the first practice (the clients' story)."""
    async with services.db.reading() as tx:
        emails = set((await tx.execute(select(tables.accounts.c.email).where(
            tables.accounts.c.email.in_([SECOND_OWNER_EMAIL, CLIENT_EMAIL])))).scalars())
    if SECOND_OWNER_EMAIL in emails or CLIENT_EMAIL not in emails:
        return []

    def at(viewer: Viewer | None) -> RequestContext:
        return RequestContext.build(services, viewer, f"demo-{uuid.uuid4().hex[:8]}")

    registration_id = await registration.register(
        at(None), practice_name=SECOND_PRACTICE, name="Priya Nair", email=SECOND_OWNER_EMAIL,
        password=PASSWORD, timezone="Europe/London", currency="GBP")
    assert registration_id is not None, "the second demo owner's email is taken"
    owner = (await registration.verify_email(
        at(None), token=registration_token(secret, registration_id))).viewer
    maya = await clients.create_client(at(owner), _profile(
        "Maya", "Patel", CLIENT_EMAIL, "+447911123401", date(1988, 3, 14), "London"))
    await relationships.create_relationship(
        at(owner), practitioner_id=owner.practitioner_id, kind=RelationshipKind.INDIVIDUAL,
        client_ids=[maya.id], payer_id=None)
    await invites.invite_client(at(owner), maya.id)
    async with services.db.reading() as tx:
        invite_id = await tx.scalar(select(tables.client_invites.c.id).where(
            tables.client_invites.c.client_id == maya.id))
    assert invite_id is not None
    await invites.accept_invite(at(None), token=invite_token(secret, invite_id),
                                password=PASSWORD)  # her existing account's password
    await _shared_practitioner(at, owner, secret)
    return [f"Second demo practice {SECOND_PRACTICE} added (owner {SECOND_OWNER_EMAIL}): "
            f"{CLIENT_EMAIL} is a client of both practices, and {SHARED_PRACTITIONER_EMAIL} a "
            "practitioner of both, each with one sign-in; switchMembership moves between them."]


async def _shared_practitioner(
    at: Callable[[Viewer | None], RequestContext], owner: Viewer, secret: str
) -> None:
    """Jonas accepts Northside's staff invitation with his Riverside password."""
    invited = await staff_invites.invite_practitioner(
        at(owner), name="Jonas Lindqvist", email=SHARED_PRACTITIONER_EMAIL, timezone=None)
    async with at(None).reading() as uow:
        invite_id = await uow.tx.scalar(select(tables.practitioner_invites.c.id).where(
            tables.practitioner_invites.c.practitioner_id == invited.id))
    assert invite_id is not None
    await staff_invites.accept_invite(
        at(None), token=staff_invite_token(secret, invite_id), password=PASSWORD)

