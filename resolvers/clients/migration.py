"""migrateToFirstParty: a third-party relationship continues, paid by an attending client."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.clients.profile import ProfileChanges, profile_incomplete
from domain.clients.relationships import Relationship
from persistence.uow import UnitOfWork
from resolvers.accounts.invites import issue_invite
from resolvers.clients.clients import apply_profile, commit_profile
from resolvers.shared.access import ensure_manages, visible_client, visible_relationship
from resolvers.shared.context import RequestContext


@dataclass(frozen=True)
class Migrated:
    previous: Relationship
    relationship: Relationship


async def migrate_to_first_party(
    ctx: RequestContext, relationship_id: uuid.UUID | None, *, client_id: uuid.UUID | None,
    changes: ProfileChanges,
) -> Migrated:
    """All or nothing: any refusal (including an incomplete profile) leaves everything as it
    was, because nothing is committed until every rule has passed."""
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        previous = await visible_relationship(uow, viewer, relationship_id, ["relationshipId"])
        ensure_manages(viewer, previous)
        previous.ensure_migratable()
        chosen = previous.migrating_client(client_id)
        client = await visible_client(uow, viewer, chosen, ["clientId"], for_update=True)
        previous.ensure_attends(client.id)
        await apply_profile(uow, client, changes, ctx.now, "profile")
        profile_incomplete(client.missing_profile_fields(), "profile").raise_if_any()
        invite_id = None
        if not client.has_account and await _may_invite(uow, client.email):
            invite_id = await issue_invite(uow, ctx, client, announce=False)
        successor = previous.migrate_to_first_party(client.id, ctx.now, invite_id=invite_id)
        uow.relationships.add(successor)
        await move_upcoming_work(uow, previous, successor)
        await commit_profile(uow, "profile")
    return Migrated(previous, successor)


async def _may_invite(uow: UnitOfWork, email: str | None) -> bool:
    """A client whose email already signs in elsewhere gets the email without an invitation."""
    return bool(email) and not await uow.accounts.email_taken(email)  # type: ignore[arg-type]


async def move_upcoming_work(
    uow: UnitOfWork, previous: Relationship, successor: Relationship
) -> None:
    """The previous relationship's upcoming SCHEDULED sessions and its reserved slots move to
    the successor, so from now on they bill the new payer. A session already paid keeps the
    payer whose card paid it (its charge, and any refund, stay theirs); the others bill the
    new payer, and a payment failure recorded against the old payer's card is forgotten so
    the new payer's card is tried afresh."""
    await uow.flush()  # the successor exists before anything points at it
    for appointment in await uow.appointments.upcoming_of_relationship(previous.id, uow.now):
        appointment.relationship_id = successor.id
        if appointment.charge_id is None:
            appointment.payer_id = successor.payer_id
            appointment.payment_failed_at = None
    for slot in await uow.reserved_slots.of_relationship(previous.id):
        slot.relationship_id = successor.id
