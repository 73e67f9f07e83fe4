"""createRelationship, endRelationship and restartRelationship."""

from __future__ import annotations

import uuid

from domain.clients.relationships import (
    EndReason,
    Relationship,
    RelationshipKind,
    start_relationship,
)
from persistence.uow import UnitOfWork
from resolvers.appointments.changes import cancel_upcoming_for_practice, money
from resolvers.shared.access import (
    ensure_acts_for,
    ensure_manages,
    practice_practitioner,
    visible_client,
    visible_relationship,
)
from resolvers.shared.context import RequestContext


async def create_relationship(
    ctx: RequestContext, *, practitioner_id: uuid.UUID | None, kind: RelationshipKind,
    client_ids: list[uuid.UUID], payer_id: uuid.UUID | None,
) -> Relationship:
    """Attendees and payer must be the practice's clients; the payer defaults to the first
    attendee and the practitioner to the viewer (only the owner may pick another)."""
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        practitioner = await practice_practitioner(
            uow, viewer, practitioner_id or viewer.practitioner_id, ["practitionerId"]
        )
        ensure_acts_for(viewer, practitioner.id)
        for index, client_id in enumerate(client_ids):
            await visible_client(uow, viewer, client_id, ["clientIds", str(index)])
        if payer_id is not None:
            await visible_client(uow, viewer, payer_id, ["payerId"])
        relationship = start_relationship(
            viewer.practice_id, practitioner.id, kind, client_ids, payer_id, ctx.now
        )
        uow.relationships.add(relationship)
        await uow.commit()
    return relationship


async def upcoming_appointments(uow: UnitOfWork, relationship: Relationship) -> int:
    """How many SCHEDULED sessions of this relationship start after now (locked: the end
    and their cancellation happen together or not at all)."""
    return len(await uow.appointments.upcoming_of_relationship(relationship.id, uow.now))


async def end_relationship(
    ctx: RequestContext, relationship_id: uuid.UUID | None, *, reason: EndReason,
    note: str | None, cancel_upcoming_appointments: bool,
) -> Relationship:
    """Ended, with the reason and when; nothing is sent to the client. Upcoming sessions
    refuse it (HAS_UPCOMING_SESSIONS) unless cancelUpcomingSessions cancels them, free of
    charge, in the same transaction; charges already taken for them are refunded after."""
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        relationship = await visible_relationship(uow, viewer, relationship_id, ["relationshipId"])
        ensure_manages(viewer, relationship)
        relationship.end(
            reason, note, ctx.now, upcoming_appointments=await upcoming_appointments(uow,
                    relationship),
            cancel_upcoming_appointments=cancel_upcoming_appointments,
        )
        refunds = await cancel_upcoming_for_practice(uow, relationship)
        await uow.commit()
    await money(ctx).refund_quietly(refunds)
    return relationship


async def restart_relationship(
    ctx: RequestContext, relationship_id: uuid.UUID | None
) -> Relationship:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        relationship = await visible_relationship(uow, viewer, relationship_id, ["relationshipId"])
        ensure_manages(viewer, relationship)
        relationship.restart()
        await uow.commit()
    return relationship
