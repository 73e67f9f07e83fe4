"""rescheduleSession and cancelSession under the notice-window policy, and the practice's
cancellation of a relationship's upcoming sessions (endRelationship).

Who may: staff of the session's practice, when they are its practitioner or the owner (the
practice's side: never charged, any free time); a signed-in client who attends or pays for it
(the client's side: the 48-hour policy, only bookable times), or a client linked to one who
attends it and has given them bookAndManageAppointments (the same client's side). A session
anyone else asks about is NOT_FOUND. Only SCHEDULED sessions change (INVALID_STATE).

A session paid with a package credit gets the credit back when nothing is owed (in the
cancellation's own transaction); a late cancellation keeps it used. Card money moves after
the commit (resolvers/appointments/appointment_money.py): a cancellation that owes a refund records
`refund_requested_at` with the cancellation, and the refund follows; a late cancellation of
a session not yet paid takes its fee straight away. Should either gateway call
fail, the change still stands and the sweep finishes the job under the same idempotency key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from domain.accounts.practice import Role
from domain.appointments import availability
from domain.appointments.appointments import Appointment
from domain.appointments.policy import Cancellation, CancelledBy, Fee, is_upcoming
from domain.clients.relationships import Relationship
from domain.shared.errors import DomainError, ErrorCode, not_found
from persistence.uow import UnitOfWork
from resolvers.appointments.appointment_money import AppointmentMoney, logger, request_refund
from resolvers.appointments.booking import ensure_bookable
from resolvers.appointments.time_off import ensure_clear_of_time_off
from resolvers.appointments.waitlist_offers import offer_freed_time
from resolvers.clients.links import manages_appointment
from resolvers.shared.access import may_see_appointment
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext


@dataclass(frozen=True)
class Cancelled:
    appointment: Appointment
    late: bool


def money(ctx: RequestContext) -> AppointmentMoney:
    return AppointmentMoney(ctx.db, ctx.now, ctx.payments, ctx.services.after_commit,
                          ctx.read_scope, ctx.loaders.prime_committed)


async def cancel_appointment(
    ctx: RequestContext, appointment_id: uuid.UUID | None, reason: str | None
) -> Cancelled:
    """A client with more notice than the window: CANCELLED, refunded if charged. Inside it:
    LATE_CANCELLED and the fee stands (taken now if it was not yet). The practice: CANCELLED,
    never charged, refunded if charged."""
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        appointment = await _changeable(uow, viewer, appointment_id)
        outcome = appointment.cancel(_side(viewer), ctx.now, reason)
        refunds = await _settle_cancellation(uow, appointment, outcome)
        await _offer_to_waitlist(uow, appointment)
        await uow.commit()
    after = money(ctx)
    await after.refund_quietly(refunds)
    if outcome.fee is Fee.STANDS and appointment.needs_payment:
        await _take_fee_quietly(after, appointment.id)
    return Cancelled(await _fresh(ctx, appointment), outcome.late)


async def reschedule_appointment(
    ctx: RequestContext, appointment_id: uuid.UUID | None, starts_at: datetime,
    duration_minutes: int | None, *, allow_during_time_off: bool = False,
) -> Appointment:
    """The practice: any free time, the past included (as when booking), inside time off
    only with allowDuringTimeOff. A client: only with more notice than the window
    (LATE_CHANGE), only to a bookable future time."""
    viewer = ctx.signed_in()
    try:
        async with ctx.unit_of_work() as uow:
            appointment = await _changeable(uow, viewer, appointment_id)
            practice = await uow.practices.get(appointment.practice_id)
            practitioner = await uow.practitioners.get(appointment.practitioner_id)
            assert practice is not None and practitioner is not None
            by = _side(viewer)
            previous = (appointment.starts_at, appointment.ends_at)
            appointment.reschedule(
                starts_at, duration_minutes, by, ctx.now, practice.cancellation_notice_hours
            )
            if by is CancelledBy.PRACTICE:
                busy = await uow.appointments.busy(
                    practitioner.id, appointment.starts_at, appointment.ends_at,
                    excluding=appointment.id,
                )
                if not availability.is_free(appointment.starts_at, appointment.ends_at, busy):
                    raise availability.slot_unavailable()
                await ensure_clear_of_time_off(
                    uow, practitioner, appointment.starts_at, appointment.ends_at,
                    allowed=allow_during_time_off)
            else:
                if not is_upcoming(starts_at, ctx.now):
                    raise DomainError.one(
                        ErrorCode.INVALID, "Sessions can only be moved to a future time.",
                        ["startsAt"],
                    )
                await ensure_bookable(uow, practitioner, appointment, ctx.now,
                                      excluding=appointment.id)
            await offer_freed_time(uow, practitioner.id, previous[0], previous[1],
                                   excluding_relationship=appointment.relationship_id)
            await uow.commit()
    except IntegrityError:
        # A concurrent booking took the time first (PostgreSQL's exclusion constraint).
        raise availability.slot_unavailable() from None
    return appointment


async def cancel_upcoming_for_practice(
    uow: UnitOfWork, relationship: Relationship
) -> list[uuid.UUID]:
    """Inside the caller's unit of work: the relationship's upcoming SCHEDULED sessions are
    CANCELLED by the practice, free of charge. Answers the charges now owed back, for the
    caller to refund (SessionMoney.refund_quietly) once it has committed.

    Ending a relationship sends the client nothing (DESIGN.md), so these cancellations
    record no events and send no email."""
    refunds: list[uuid.UUID] = []
    for appointment in await uow.appointments.upcoming_of_relationship(relationship.id, uow.now):
        outcome = appointment.cancel(CancelledBy.PRACTICE, uow.now)
        appointment.pop_events()
        refunds += await _settle_cancellation(uow, appointment, outcome)
        await _offer_to_waitlist(uow, appointment)
    return refunds


async def _offer_to_waitlist(uow: UnitOfWork, appointment: Appointment) -> None:
    """The cancelled session's time goes to the first in line waiting for it; a session held
    for a waitlist offer that is cancelled is simply gone."""
    if appointment.held_until is not None:
        return
    await offer_freed_time(uow, appointment.practitioner_id, appointment.starts_at,
                           appointment.ends_at, excluding_relationship=appointment.relationship_id)


async def _changeable(
    uow: UnitOfWork, viewer: Viewer, appointment_id: uuid.UUID | None
) -> Appointment:
    """The session, locked, when the viewer may change it; NOT_FOUND when they may not see it."""
    appointment = await uow.appointments.get(appointment_id,
            for_update=True) if appointment_id else None
    if appointment is None or not (
        may_see_appointment(viewer, appointment)
        or (appointment.practice_id == viewer.practice_id
            and await manages_appointment(uow, viewer.client_id, appointment))
    ):
        raise not_found("Session", ["sessionId"])
    if viewer.is_staff and not (
        viewer.role is Role.OWNER or viewer.practitioner_id == appointment.practitioner_id
    ):
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED,
            "Only the session's practitioner or the owner may change it.", ["sessionId"],
        )
    return appointment


def _side(viewer: Viewer) -> CancelledBy:
    return CancelledBy.PRACTICE if viewer.is_staff else CancelledBy.CLIENT


async def _settle_cancellation(
    uow: UnitOfWork, appointment: Appointment, outcome: Cancellation
) -> list[uuid.UUID]:
    """Nothing owed: a package credit goes back to its package, and a charge already taken is
    to be refunded (recorded now, refunded after the commit). The fee standing: the credit
    stays used, and of a charge taken what exceeds the fee goes back."""
    if outcome.fee is not Fee.WAIVED:
        return await _refund_above_fee(uow, appointment)
    if appointment.package_id is not None:
        package = await uow.packages.get(appointment.package_id, for_update=True)
        assert package is not None
        package.give_back()
    if appointment.charge_id is None:
        return []
    charge = await uow.charges.get(appointment.charge_id, for_update=True)
    return [charge.id] if charge is not None and request_refund(charge, uow.now) else []


async def _refund_above_fee(uow: UnitOfWork, appointment: Appointment) -> list[uuid.UUID]:
    """A tier below 100 %: the card was charged the whole price; the rest goes back."""
    if appointment.charge_id is None or appointment.cancellation_fee is None:
        return []
    charge = await uow.charges.get(appointment.charge_id, for_update=True)
    if charge is None or charge.amount <= appointment.cancellation_fee:
        return []
    spare = charge.amount - appointment.cancellation_fee
    return [charge.id] if request_refund(charge, uow.now, spare) else []


async def _take_fee_quietly(after: AppointmentMoney, appointment_id: uuid.UUID) -> None:
    """The cancellation has committed; a gateway failure leaves the fee to the sweep."""
    try:
        await after.take_fee(appointment_id)
    except Exception:
        logger.exception("late-cancellation fee for session %s failed", appointment_id)


async def _fresh(ctx: RequestContext, appointment: Appointment) -> Appointment:
    """The session as it is after any money moved (its charge may have been recorded since)."""
    async with ctx.reading() as uow:
        found = await uow.appointments.get(appointment.id)
    return found or appointment
