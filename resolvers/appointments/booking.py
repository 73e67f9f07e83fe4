"""bookSession (practice side and client side) and availability."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from domain.accounts.practice import Practitioner
from domain.appointments import availability
from domain.appointments.appointments import Appointment, book
from domain.appointments.policy import is_upcoming
from domain.clients.links import Permission
from domain.clients.relationships import (
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    start_relationship,
)
from domain.shared.errors import DomainError, ErrorCode, not_found
from persistence.uow import UnitOfWork
from resolvers.appointments.time_off import blocked_by_time_off, ensure_clear_of_time_off
from resolvers.billing.packages import package_paying_for
from resolvers.shared.access import ensure_manages, visible_relationship
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext
from resolvers.shared.idempotency import Idempotency


@dataclass(frozen=True)
class BookingRequest:
    relationship_id: uuid.UUID | None
    practitioner_id: uuid.UUID | None
    for_client_id: uuid.UUID | None
    starts_at: datetime
    duration_minutes: int
    package_id: uuid.UUID | None
    idempotency_key: str | None
    allow_during_time_off: bool = False
    linked_client_ids: tuple[uuid.UUID | None, ...] = ()


async def book_appointment(ctx: RequestContext, request: BookingRequest) -> Appointment:
    viewer = ctx.signed_in()
    idempotency = Idempotency.of(
        viewer.account_id, "bookSession", request.idempotency_key,
        {k: v for k, v in vars(request).items() if k != "idempotency_key"},
    )
    try:
        async with ctx.unit_of_work() as uow:
            earlier = await idempotency.earlier_result(uow)
            if earlier is not None:
                return await _earlier(uow, earlier)
            appointment = await (
                _book_for_practice(uow, ctx, viewer, request) if viewer.is_staff
                else _book_for_client(uow, ctx, viewer, request)
            )
            uow.appointments.add(appointment)
            await uow.flush()
            await idempotency.remember(uow, appointment.id)
            await uow.commit()
            return appointment
    except IntegrityError:
        # A concurrent booking won: the exclusion constraint (PostgreSQL) or the key's
        # uniqueness refused ours. A retry of the winner answers the winner's result.
        async with ctx.unit_of_work() as uow:
            earlier = await idempotency.earlier_result(uow)
            if earlier is not None:
                return await _earlier(uow, earlier)
        raise availability.slot_unavailable() from None


async def _earlier(uow: UnitOfWork, appointment_id: uuid.UUID) -> Appointment:
    found = await uow.appointments.get(appointment_id)
    assert found is not None
    return found


async def _book_for_practice(
    uow: UnitOfWork, ctx: RequestContext, viewer: Viewer, request: BookingRequest
) -> Appointment:
    """Any time that overlaps no session, the past included (recording one that happened);
    inside time off only with allowDuringTimeOff."""
    if request.relationship_id is None:
        raise DomainError.one(
            ErrorCode.INVALID, "The practice books inside a relationship: give relationshipId.",
            ["relationshipId"],
        )
    relationship = await visible_relationship(
        uow, viewer, request.relationship_id, ["relationshipId"]
    )
    ensure_manages(viewer, relationship)
    relationship.ensure_active("restart it to book.", "relationshipId")
    practitioner = await uow.practitioners.get(relationship.practitioner_id)
    assert practitioner is not None
    appointment = await _new_appointment(uow, ctx, viewer, relationship, practitioner,
                                         request, None)
    appointment.assign_linked(await _linked_to_attendees(
        uow, relationship.client_ids, request.linked_client_ids))
    busy = await uow.appointments.busy(practitioner.id, appointment.starts_at, appointment.ends_at)
    if not availability.is_free(appointment.starts_at, appointment.ends_at, busy):
        raise availability.slot_unavailable()
    await ensure_clear_of_time_off(uow, practitioner, appointment.starts_at,
                                   appointment.ends_at, allowed=request.allow_during_time_off)
    return appointment


async def _book_for_client(
    uow: UnitOfWork, ctx: RequestContext, viewer: Viewer, request: BookingRequest
) -> Appointment:
    """Only the future, only inside availability; opens or restarts the relationship."""
    practitioner = await uow.practitioners.get(request.practitioner_id) if (
        request.practitioner_id) else None
    if practitioner is None or practitioner.practice_id != viewer.practice_id:
        raise not_found("Practitioner", ["practitionerId"])
    if request.linked_client_ids:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only the practice assigns linked "
                              "clients to a session.", ["assignLinkedClientIds"])
    client_id = await booking_subject(uow, viewer, request.for_client_id)
    if not is_upcoming(request.starts_at, ctx.now):
        raise DomainError.one(
            ErrorCode.INVALID, "Sessions can only be booked in the future.", ["startsAt"]
        )
    relationship = await relationship_for(uow, practitioner, client_id, ctx.now)
    appointment = await _new_appointment(
        uow, ctx, viewer, relationship, practitioner, request, viewer.client_id
    )
    await ensure_bookable(uow, practitioner, appointment, ctx.now)
    assert viewer.client_id is not None
    appointment.assign_linked([viewer.client_id])  # booking for someone else: the booker
    return appointment


async def _linked_to_attendees(
    uow: UnitOfWork, attendees: list[uuid.UUID], wanted: tuple[uuid.UUID | None, ...]
) -> list[uuid.UUID]:
    """The clients to assign, each linked to an attendee (NOT_FOUND naming the entry of one
    that is not, exactly as for a client of another practice)."""
    found: list[uuid.UUID] = []
    for index, client_id in enumerate(wanted):
        links = [await uow.client_links.between(client_id, attendee)
                 for attendee in attendees] if client_id is not None else []
        if not any(links):
            raise not_found("Client", ["assignLinkedClientIds", str(index)])
        found.append(client_id)  # type: ignore[arg-type]
    return found


async def booking_subject(
    uow: UnitOfWork, viewer: Viewer, for_client_id: uuid.UUID | None
) -> uuid.UUID:
    """Whom a client books for: themselves, or a linked client who granted them
    bookAndManageAppointments (NOT_PERMITTED when linked without it; a client they are not
    linked to reads as not found)."""
    assert viewer.client_id is not None
    if for_client_id is None or for_client_id == viewer.client_id:
        return viewer.client_id
    found = await uow.client_links.between(for_client_id, viewer.client_id)
    if found is None or found.practice_id != viewer.practice_id:
        raise not_found("Client", ["forClientId"])
    if not found.grants(for_client_id, viewer.client_id, Permission.BOOK_AND_MANAGE_APPOINTMENTS):
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED,
            "This client has not allowed you to book and manage their appointments.",
            ["forClientId"],
        )
    return for_client_id


async def relationship_for(
    uow: UnitOfWork, practitioner: Practitioner, client_id: uuid.UUID, now: datetime,
    *, paid_by: uuid.UUID | None = None,
) -> Relationship:
    """The client's ACTIVE relationship with the practitioner; else the latest ended one,
    restarted; else a new INDIVIDUAL one, which the client pays for. With `paid_by`, only
    the relationships in which that client pays for this one alone count, and a new one is
    paid by them (FIRST_PARTY when they are the same client, THIRD_PARTY otherwise)."""
    mine = await uow.relationships.of_practitioner_and_client(
        practitioner.id, client_id, for_update=True
    )
    if paid_by is not None:
        mine = [r for r in mine if r.payer_id == paid_by and r.client_ids == [client_id]]
    active = [r for r in mine if r.status is RelationshipStatus.ACTIVE]
    if active:
        return min(active, key=lambda r: (len(r.client_ids), r.started_at))
    ended = [r for r in mine if r.status is RelationshipStatus.ENDED]
    if ended:
        latest = max(ended, key=lambda r: r.ended_at or r.started_at)
        latest.restart()
        return latest
    created = start_relationship(practitioner.practice_id, practitioner.id,
                                 RelationshipKind.INDIVIDUAL, [client_id], paid_by, now)
    uow.relationships.add(created)
    await uow.flush()
    return created


async def ensure_bookable(
    uow: UnitOfWork, practitioner: Practitioner, appointment: Appointment, now: datetime,
    *, excluding: uuid.UUID | None = None,
) -> None:
    """Inside working hours, on the quarter hour, clear of sessions, time off and others'
    slots."""
    busy = await uow.appointments.busy(
        practitioner.id, appointment.starts_at, appointment.ends_at, excluding=excluding
    )
    reserved = await uow.reserved_slots.of_practitioner(practitioner.id)
    away = await blocked_by_time_off(uow, practitioner, appointment.starts_at,
                                     appointment.ends_at)
    if not availability.is_bookable(
        appointment.starts_at, int(appointment.duration.total_seconds() // 60),
        working_hours=practitioner.working_hours, timezone=practitioner.timezone, busy=busy,
        reserved=reserved, for_relationship=appointment.relationship_id, not_before=now,
        time_off=away,
    ):
        raise availability.slot_unavailable()


async def _new_appointment(
    uow: UnitOfWork, ctx: RequestContext, viewer: Viewer, relationship: Relationship,
    practitioner: Practitioner, request: BookingRequest, booked_by: uuid.UUID | None,
) -> Appointment:
    """Paid by a package credit, drawn now, or later by the payer's card (needed now)."""
    package_id = None
    if request.package_id is not None:
        package = await package_paying_for(uow, viewer, request.package_id,
                                           relationship.client_ids)
        package.draw()
        package_id = package.id
    else:
        await ensure_payment_method(uow, relationship.payer_id)
    practice = await uow.practices.get(relationship.practice_id)
    assert practice is not None
    return book(
        practice_id=relationship.practice_id, practitioner_id=practitioner.id,
        relationship_id=relationship.id, payer_id=relationship.payer_id,
        client_ids=relationship.client_ids, starts_at=request.starts_at,
        duration_minutes=request.duration_minutes, price=practitioner.price,
        currency=practice.currency, now=ctx.now, booked_by_id=booked_by, package_id=package_id,
        fee_policy=practice.cancellation_policy,
    )


async def ensure_payment_method(uow: UnitOfWork, payer_id: uuid.UUID) -> None:
    if await uow.payment_methods.of_client(payer_id) is None:
        raise DomainError.one(
            ErrorCode.NO_PAYMENT_METHOD,
            "The payer has no card on file; they need to add one before a session is booked.",
        )


@dataclass(frozen=True)
class AvailabilityRequest:
    practitioner_id: uuid.UUID | None
    start: datetime
    end: datetime
    duration_minutes: int


async def available_times(
    ctx: RequestContext, request: AvailabilityRequest
) -> list[availability.TimeSlot]:
    """Bookable times from now on; a client's own reserved slot does not block them."""
    viewer = ctx.signed_in()
    async with ctx.reading() as uow:
        practitioner = await uow.practitioners.get(request.practitioner_id) if (
            request.practitioner_id) else None
        if practitioner is None or practitioner.practice_id != viewer.practice_id:
            raise not_found("Practitioner", ["practitionerId"])
        availability.check_range(request.start, request.end)
        availability.check_duration(request.duration_minutes)  # before any arithmetic on it
        busy = await uow.appointments.busy(
            practitioner.id, request.start,
            request.end + timedelta(minutes=request.duration_minutes),
        )
        reserved = await uow.reserved_slots.of_practitioner(practitioner.id)
        own = await _own_relationship(uow, viewer, practitioner)
        away = await blocked_by_time_off(
            uow, practitioner, request.start,
            request.end + timedelta(minutes=request.duration_minutes))
    return availability.available_slots(
        working_hours=practitioner.working_hours, timezone=practitioner.timezone,
        start=request.start, end=request.end, duration_minutes=request.duration_minutes,
        busy=busy, reserved=reserved, for_relationship=own, not_before=ctx.now, time_off=away,
    )


async def _own_relationship(
    uow: UnitOfWork, viewer: Viewer, practitioner: Practitioner
) -> uuid.UUID | None:
    if viewer.client_id is None:
        return None
    mine = await uow.relationships.of_practitioner_and_client(practitioner.id, viewer.client_id)
    active = [r for r in mine if r.status is RelationshipStatus.ACTIVE]
    return active[0].id if active else None

