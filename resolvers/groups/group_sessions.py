"""createService, createGroupSession, the services list and sessionTransferPreview."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.accounts.practice import Weekday
from domain.groups.group_sessions import (
    GroupSession,
    Service,
    TransferPreview,
    new_service,
    preview_transfer,
    validate_group_session,
)
from resolvers.groups.access import (
    local_today,
    practice_group_session,
    practice_service,
    visible_subscription,
)
from resolvers.groups.leaving import invoiced_months
from resolvers.shared.access import ensure_acts_for, practice_practitioner
from resolvers.shared.context import RequestContext

FIRST_DATES_IN_PREVIEW = 8


async def create_service(ctx: RequestContext, name: str, description: str | None) -> Service:
    viewer = ctx.staff()
    service = new_service(viewer.practice_id, name, description, ctx.now)
    async with ctx.unit_of_work() as uow:
        uow.services.add(service)
        await uow.commit()
    return service


async def services(ctx: RequestContext) -> list[Service]:
    """The practice's services, oldest first: its timetable, for everyone signed in to it."""
    viewer = ctx.signed_in()
    async with ctx.reading() as uow:
        return await uow.services.of_practice(viewer.practice_id)


@dataclass(frozen=True)
class GroupSessionRequest:
    service_id: uuid.UUID
    name: str
    practitioner_id: uuid.UUID | None
    weekday: Weekday
    start_time: str
    duration_minutes: int
    capacity: int
    monthly_price: Decimal
    starts_on: date
    ends_on: date | None


async def create_group_session(ctx: RequestContext, request: GroupSessionRequest) -> GroupSession:
    """Weekly from startsOn to endsOn, in the practice's currency; the practitioner defaults
    to the viewer, and only the owner may name another."""
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        service = await practice_service(uow, viewer, request.service_id, ["serviceId"])
        practitioner = await practice_practitioner(
            uow, viewer, request.practitioner_id or viewer.practitioner_id, ["practitionerId"]
        )
        ensure_acts_for(viewer, practitioner.id)
        practice = await uow.practices.get(viewer.practice_id)
        assert practice is not None
        details = validate_group_session(
            name=request.name, weekday=request.weekday, start_time=request.start_time,
            duration_minutes=request.duration_minutes, capacity=request.capacity,
            monthly_price=request.monthly_price, currency=practice.currency,
            starts_on=request.starts_on, ends_on=request.ends_on,
        )
        group_session = GroupSession.create(details, practice_id=viewer.practice_id,
                                      service_id=service.id, practitioner_id=practitioner.id,
                                      now=ctx.now)
        uow.group_sessions.add(group_session)
        await uow.commit()
    return group_session


@dataclass(frozen=True)
class PreviewRequest:
    subscription_id: uuid.UUID
    transfer_date: date
    to_group_session_id: uuid.UUID
    first_date: date


async def transfer_preview(ctx: RequestContext, request: PreviewRequest) -> TransferPreview:
    """What transferSession would start with (before any discount), and what the invoiced
    dates the client will no longer attend were billed at, so the discount can be set
    knowingly. Same refusals as the transfer, except a full target session."""
    viewer = ctx.staff()
    async with ctx.reading() as uow:
        subscription = await visible_subscription(
            uow, viewer, request.subscription_id, ["subscriptionId"]
        )
        current = await uow.group_sessions.get(subscription.group_session_id)
        assert current is not None
        target = await practice_group_session(uow, viewer, request.to_group_session_id,
                                              ["toSessionId"])
        practitioner = await uow.practitioners.get(target.practitioner_id)
        assert practitioner is not None
        invoiced = await invoiced_months(uow, subscription.id)
        return preview_transfer(
            subscription, current, target, transfer_date=request.transfer_date,
            first_date=request.first_date, invoiced_months=invoiced,
            today=local_today(ctx.now, practitioner.timezone),
            first_dates=FIRST_DATES_IN_PREVIEW,
        )
