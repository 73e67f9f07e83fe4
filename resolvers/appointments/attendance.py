"""awaitingUpdates and submitAttendanceUpdate (seed 004; DESIGN.md, "After a session").

awaitingUpdates: the signed-in practitioner's own sessions that have started and are still
SCHEDULED, oldest first. It is the practitioner's to-do list, so a client (who has no
sessions to update) gets an empty connection, as staff get an empty myAppointments; the
owner sees their own sessions, not every practitioner's. A page costs the same few
statements whatever its size.

submitAttendanceUpdate, all in one transaction (a refusal changes nothing at all, the
attendance included):
- only the session's own practitioner (the owner included only for their own sessions):
  NOT_PERMITTED for other staff and for clients who may see the session; a session of
  another practice, or one that does not exist, is NOT_FOUND;
- only a started, still-SCHEDULED session, once: INVALID_STATE otherwise;
- attendance: ATTENDED or NO_SHOW;
- SAME_WEEKLY_SLOT books the follow-up one week later at the same local time in the
  practitioner's timezone (DST-correct); DIFFERENT_TIME at `nextStartsAt`, which is required
  with it and refused with the others (INVALID on nextStartsAt); NO_REBOOK books none and
  removes the relationship's reserved slots (`reservedSlotRemoved` says whether there was
  one) and refuses `reserveSlot` (INVALID);
- the follow-up lasts as long as the session, belongs to the same relationship (which must be
  ACTIVE: INVALID_STATE) with its attendees, is paid by the relationship's payer at the
  practitioner's current price, is booked by the practice and points back at the session. It
  must be in the future (a week after a session updated late may already be past: INVALID on
  continuation, and DIFFERENT_TIME is the way), must not overlap another session of the
  practitioner (SLOT_UNAVAILABLE), and is paid like the session: the next credit of the
  package that paid for it while one is left and it may still pay for the attendees, else the
  payer's card, which it then needs (NO_PAYMENT_METHOD). Like any
  booking by the practice it may fall outside working hours and over reserved slots;
- reserveSlot keeps the follow-up's weekly time (weekday and local start, same duration) for
  the relationship: a slot already there is kept; a slot at the session's own weekly time
  moves to the follow-up's; otherwise one is added. Another relationship's slot in the way
  is SLOT_UNAVAILABLE on reserveSlot. `reservedSlotRemoved` stays false: nothing is lost;
- the follow-up records AppointmentBooked, so its confirmation goes out like any booking's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from domain.accounts.practice import Practitioner
from domain.appointments import availability
from domain.appointments.appointments import Appointment, Continuation, ReservedSlot, book
from domain.appointments.availability import Reservation
from domain.appointments.policy import is_upcoming
from domain.clients.relationships import Relationship
from domain.shared.errors import DomainError, ErrorCode, Problems, not_found
from domain.shared.paging import Paged, Slice, trimmed
from persistence.uow import UnitOfWork
from resolvers.appointments.booking import ensure_payment_method
from resolvers.appointments.reserved_slots import keep_weekly_time, release_all
from resolvers.appointments.time_off import ensure_clear_of_time_off
from resolvers.billing.packages import draw_for_follow_up
from resolvers.shared.access import may_see_appointment
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext


async def awaiting_updates(ctx: RequestContext, window: Slice) -> Paged[Appointment]:
    viewer = ctx.signed_in()
    if not viewer.is_staff or viewer.practitioner_id is None:
        return Paged()
    async with ctx.reading() as uow:
        rows = await uow.appointments.awaiting_update(viewer.practitioner_id, ctx.now, window)
        total = await uow.appointments.count_awaiting_update(viewer.practitioner_id, ctx.now)
    return trimmed(rows, window, total)


@dataclass(frozen=True)
class AttendanceRequest:
    appointment_id: uuid.UUID | None
    attended: bool
    continuation: Continuation
    next_starts_at: datetime | None
    reserve_slot: bool
    allow_during_time_off: bool = False


@dataclass(frozen=True)
class AttendanceOutcome:
    appointment: Appointment
    follow_up: Appointment | None
    reserved_slot: ReservedSlot | None
    reserved_slot_removed: bool


async def submit_attendance_update(
    ctx: RequestContext, request: AttendanceRequest
) -> AttendanceOutcome:
    viewer = ctx.signed_in()
    check_request(request)
    try:
        async with ctx.unit_of_work() as uow:
            appointment = await _own_appointment(uow, viewer, request.appointment_id)
            appointment.record_attendance(request.attended, request.continuation, ctx.now)
            outcome = await _continue(uow, appointment, request)
            await uow.commit()
    except IntegrityError:
        # A concurrent booking took the follow-up's time (PostgreSQL's exclusion constraint).
        raise availability.slot_unavailable(_time_field(request)) from None
    return outcome


def check_request(request: AttendanceRequest) -> None:
    """What the input alone decides: nextStartsAt goes with DIFFERENT_TIME, and only with it;
    NO_REBOOK reserves nothing."""
    problems = Problems()
    different = request.continuation is Continuation.DIFFERENT_TIME
    if different and request.next_starts_at is None:
        problems.add(ErrorCode.INVALID, "DIFFERENT_TIME needs nextStartsAt.", "nextStartsAt")
    if not different and request.next_starts_at is not None:
        problems.add(ErrorCode.INVALID, "nextStartsAt goes only with DIFFERENT_TIME.",
                     "nextStartsAt")
    if request.continuation is Continuation.NO_REBOOK and request.reserve_slot:
        problems.add(ErrorCode.INVALID, "NO_REBOOK books nothing whose time could be reserved.",
                     "reserveSlot")
    problems.raise_if_any()


async def _own_appointment(
    uow: UnitOfWork, viewer: Viewer, appointment_id: uuid.UUID | None
) -> Appointment:
    appointment = await uow.appointments.get(appointment_id,
            for_update=True) if appointment_id else None
    if appointment is None or not may_see_appointment(viewer, appointment):
        raise not_found("Session", ["sessionId"])
    if not viewer.is_staff or viewer.practitioner_id != appointment.practitioner_id:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED,
            "Only the session's practitioner may submit its attendance update.", ["sessionId"],
        )
    return appointment


async def _continue(
    uow: UnitOfWork, appointment: Appointment, request: AttendanceRequest
) -> AttendanceOutcome:
    if request.continuation is Continuation.NO_REBOOK:
        removed = await release_all(uow, appointment.relationship_id)
        return AttendanceOutcome(appointment, None, None, removed)
    relationship = await uow.relationships.get(appointment.relationship_id, for_update=True)
    practitioner = await uow.practitioners.get(appointment.practitioner_id)
    assert relationship is not None and practitioner is not None
    follow_up = await _book_follow_up(uow, appointment, relationship, practitioner, request)
    slot = None
    if request.reserve_slot:
        own_tz = practitioner.timezone
        slot = await keep_weekly_time(
            uow, relationship, _weekly(follow_up, relationship.id, own_tz), field="reserveSlot",
            moving=_weekly(appointment, relationship.id, own_tz),
        )
    return AttendanceOutcome(appointment, follow_up, slot, False)


async def _book_follow_up(
    uow: UnitOfWork, appointment: Appointment, relationship: Relationship,
    practitioner: Practitioner, request: AttendanceRequest,
) -> Appointment:
    field = _time_field(request)
    relationship.ensure_active(
        "restart it to book a follow-up, or choose NO_REBOOK.", "continuation"
    )
    if request.continuation is Continuation.SAME_WEEKLY_SLOT:
        starts_at = availability.same_local_time_next_week(
            appointment.starts_at, practitioner.timezone
        )
        past = "A week after this session has already passed; choose DIFFERENT_TIME."
    else:
        assert request.next_starts_at is not None
        starts_at = request.next_starts_at
        past = "The follow-up must start in the future."
    if not is_upcoming(starts_at, uow.now):
        raise DomainError.one(ErrorCode.INVALID, past, [field])
    package_id = await draw_for_follow_up(uow, appointment.package_id, relationship.client_ids)
    if package_id is None:
        await ensure_payment_method(uow, relationship.payer_id)
    practice = await uow.practices.get(appointment.practice_id)
    assert practice is not None
    follow_up = book(
        practice_id=appointment.practice_id, practitioner_id=practitioner.id,
        relationship_id=relationship.id, payer_id=relationship.payer_id,
        client_ids=relationship.client_ids, starts_at=starts_at,
        duration_minutes=_minutes(appointment), price=practitioner.price,
        currency=practice.currency, now=uow.now, follow_up_of_id=appointment.id,
        package_id=package_id, fee_policy=practice.cancellation_policy,
        assigned_client_ids=appointment.assigned_client_ids,
    )
    busy = await uow.appointments.busy(practitioner.id, follow_up.starts_at, follow_up.ends_at)
    if not availability.is_free(follow_up.starts_at, follow_up.ends_at, busy):
        raise availability.slot_unavailable(field)
    await ensure_clear_of_time_off(uow, practitioner, follow_up.starts_at, follow_up.ends_at,
                                   allowed=request.allow_during_time_off, field=field)
    uow.appointments.add(follow_up)
    return follow_up


def _time_field(request: AttendanceRequest) -> str:
    return ("nextStartsAt" if request.continuation is Continuation.DIFFERENT_TIME
            else "continuation")


def _minutes(appointment: Appointment) -> int:
    return int(appointment.duration.total_seconds() // 60)


def _weekly(appointment: Appointment, relationship_id: uuid.UUID, tz: str) -> Reservation:
    """The appointment's weekday and local start in the practitioner's timezone, its length."""
    weekday, start = availability.local_weekday_and_time(appointment.starts_at, tz)
    return Reservation(relationship_id, weekday, start, _minutes(appointment))
