"""What each event means for email: handlers reload state by id and say who gets what."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.accounts.payments import PaymentMethod
from domain.accounts.practice import Practice, PracticeRegistered, Practitioner, PractitionerAdded
from domain.clients.clients import Client, ClientInvite, ClientInvited
from domain.clients.relationships import Relationship, RelationshipMigrated
from domain.shared.events import Event
from jobs.context import JobContext
from jobs.email.adapters import Attachment
from persistence import tables
from resolvers.accounts.invite_links import accept_link, payment_method_link


@dataclass(frozen=True)
class EmailIntent:
    to: str
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    practice_id: uuid.UUID | None = None
    attachments: tuple[Attachment, ...] = ()


E = TypeVar("E", bound=Event)
Handler = Callable[[JobContext, Any], Awaitable[list[EmailIntent]]]
HANDLERS: dict[str, Handler] = {}


def handles(event_type: type[E]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[event_type.__name__] = fn
        return fn

    return register


async def _practitioner_and_practice(
    jc: JobContext, practitioner_id: uuid.UUID
) -> tuple[Practitioner, Practice] | None:
    async with jc.db.reading() as tx:
        practitioner = await tx.get(Practitioner, practitioner_id)
        practice = await tx.get(Practice, practitioner.practice_id) if practitioner else None
    return (practitioner, practice) if practitioner and practice else None


async def _practitioner_email(
    jc: JobContext, practitioner_id: uuid.UUID, template: str
) -> list[EmailIntent]:
    found = await _practitioner_and_practice(jc, practitioner_id)
    if found is None:
        return []
    practitioner, practice = found
    values = {
        "name": practitioner.name, "email": practitioner.email, "practice_name": practice.name,
        "timezone": practitioner.timezone, "app_url": jc.app_url,
    }
    return [EmailIntent(practitioner.email, template, values, practice.id)]


@handles(PracticeRegistered)
async def welcome_owner(jc: JobContext, event: PracticeRegistered) -> list[EmailIntent]:
    return await _practitioner_email(jc, event.practitioner_id, "welcome")


@handles(PractitionerAdded)
async def welcome_practitioner(jc: JobContext, event: PractitionerAdded) -> list[EmailIntent]:
    return await _practitioner_email(jc, event.practitioner_id, "practitioner_added")


async def _client_and_practice(
    jc: JobContext, client_id: uuid.UUID
) -> tuple[Client, Practice] | None:
    async with jc.db.reading() as tx:
        client = await tx.get(Client, client_id)
        practice = await tx.get(Practice, client.practice_id) if client else None
    return (client, practice) if client and client.email and practice else None


async def _usable_invite(jc: JobContext, invite_id: Any) -> ClientInvite | None:
    """The invitation, unless it was used or replaced before this email went out."""
    if not invite_id:
        return None
    async with jc.db.reading() as tx:
        found = await tx.get(ClientInvite, uuid.UUID(str(invite_id)))
    return found if found is not None and found.usable(jc.clock()) else None


def _local(when: datetime, timezone: str) -> str:
    local = when.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%B %Y at %H:%M} ({timezone})"


@handles(ClientInvited)
async def invite_client(jc: JobContext, event: ClientInvited) -> list[EmailIntent]:
    found = await _client_and_practice(jc, event.client_id)
    invite = await _usable_invite(jc, event.invite_id)
    if found is None or invite is None:
        return []
    client, practice = found
    values = {
        "first_name": client.first_name, "practice_name": practice.name,
        "link": accept_link(jc.app_url, jc.secret_key, invite.id),
        "expires": _local(invite.expires_at, practice.timezone),
    }
    return [EmailIntent(client.email, "client_invite", values, practice.id)]  # type: ignore[arg-type]


@handles(RelationshipMigrated)
async def ask_for_card(jc: JobContext, event: RelationshipMigrated) -> list[EmailIntent]:
    """The client now pays: ask for a card (with a sign-in invitation if they have none yet),
    or tell them the card on file will be used."""
    found = await _client_and_practice(jc, uuid.UUID(str(event.client_id)))
    if found is None:
        return []
    client, practice = found
    async with jc.db.reading() as tx:
        card = (await tx.execute(
            select(PaymentMethod).where(tables.payment_methods.c.client_id == client.id)
        )).scalars().first()
        relationship = await tx.get(Relationship, uuid.UUID(str(event.relationship_id)))
        practitioner = (await tx.get(Practitioner, relationship.practitioner_id)
                        if relationship else None)
    invite = await _usable_invite(jc, event.invite_id)
    values = {
        "first_name": client.first_name, "practice_name": practice.name,
        "practitioner_name": practitioner.name if practitioner else practice.name,
        "card": f"{card.brand} ending {card.last4}" if card else None,
        "link": accept_link(jc.app_url, jc.secret_key, invite.id) if invite
        else payment_method_link(jc.app_url),
        "invited": invite is not None,
    }
    template = "card_on_file" if card else "add_card"
    return [EmailIntent(client.email, template, values, practice.id)]  # type: ignore[arg-type]
