"""awaitingUpdates, submitAttendanceUpdate, reserveSlot and releaseReservedSlot."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.appointments import attendance, reserved_slots
from schema.appointments.types import Appointment, AppointmentConnection, Continuation, ReservedSlot
from schema.clients.inputs import given, node_id
from schema.shared.common import UserError, Weekday, context, refusals_as_user_errors
from schema.shared.connections import APPOINTMENT_KEY, window
from schema.shared.ids import to_global_id


@strawberry.input
class SubmitAttendanceUpdateInput:
    appointment_id: strawberry.ID = strawberry.field(name="sessionId")
    attended: bool
    continuation: Continuation  # type: ignore[valid-type]
    next_starts_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Required with DIFFERENT_TIME."
    )
    reserve_slot: bool = strawberry.field(
        default=False, description="Keep the follow-up's weekly time reserved for this client."
    )
    allow_during_time_off: bool = strawberry.field(
        default=False,
        description="Book the follow-up inside the practitioner's time off or a practice "
        "closure anyway (TIME_OFF otherwise).",
    )


@strawberry.type
class SubmitAttendanceUpdatePayload:
    appointment: Appointment | None = strawberry.field(name="session", default=None)
    follow_up_appointment: Appointment | None = strawberry.field(
        name="followUpSession", default=None)
    reserved_slot: ReservedSlot | None = None
    reserved_slot_removed: bool = strawberry.field(
        default=False, description="True when this update removed a reserved slot the client had."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReserveSlotInput:
    relationship_id: strawberry.ID
    weekday: Weekday  # type: ignore[valid-type]
    start_time: str
    duration_minutes: int = 50


@strawberry.type
class ReservedSlotPayload:
    reserved_slot: ReservedSlot | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReleaseReservedSlotInput:
    reserved_slot_id: strawberry.ID


@strawberry.type
class ReleaseReservedSlotPayload:
    released_reserved_slot_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AttendanceQueries:
    @strawberry.field(
        description="The signed-in practitioner's sessions that have started and still want an "
        "attendance update, oldest first."
    )
    async def awaiting_updates(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> AppointmentConnection:
        at = window(APPOINTMENT_KEY, first, after, last, before)
        found = await attendance.awaiting_updates(context(info), at)
        return AppointmentConnection.of(found, at)


@strawberry.type
class AttendanceMutations:
    @strawberry.mutation
    @refusals_as_user_errors(SubmitAttendanceUpdatePayload)
    async def submit_attendance_update(
        self, info: strawberry.Info, input: SubmitAttendanceUpdateInput
    ) -> SubmitAttendanceUpdatePayload:
        outcome = await attendance.submit_attendance_update(
            context(info),
            attendance.AttendanceRequest(
                appointment_id=node_id(input.appointment_id, "Session"),
                attended=input.attended,
                continuation=input.continuation,
                next_starts_at=given(input.next_starts_at),
                reserve_slot=input.reserve_slot,
                allow_during_time_off=input.allow_during_time_off,
            ),
        )
        return SubmitAttendanceUpdatePayload(
            appointment=Appointment.from_entity(outcome.appointment),
            follow_up_appointment=(
                Appointment.from_entity(outcome.follow_up) if outcome.follow_up else None
            ),
            reserved_slot=(
                ReservedSlot.from_entity(outcome.reserved_slot) if outcome.reserved_slot
                else None
            ),
            reserved_slot_removed=outcome.reserved_slot_removed,
        )

    @strawberry.mutation
    @refusals_as_user_errors(ReservedSlotPayload)
    async def reserve_slot(
        self, info: strawberry.Info, input: ReserveSlotInput
    ) -> ReservedSlotPayload:
        slot = await reserved_slots.reserve(
            context(info),
            reserved_slots.SlotRequest(
                relationship_id=node_id(input.relationship_id, "Relationship"),
                weekday=input.weekday,
                start_time=input.start_time,
                duration_minutes=input.duration_minutes,
            ),
        )
        return ReservedSlotPayload(reserved_slot=ReservedSlot.from_entity(slot))

    @strawberry.mutation
    @refusals_as_user_errors(ReleaseReservedSlotPayload)
    async def release_reserved_slot(
        self, info: strawberry.Info, input: ReleaseReservedSlotInput
    ) -> ReleaseReservedSlotPayload:
        released = await reserved_slots.release(
            context(info), node_id(input.reserved_slot_id, "ReservedSlot")
        )
        return ReleaseReservedSlotPayload(
            released_reserved_slot_id=strawberry.ID(to_global_id("ReservedSlot", released))
        )
