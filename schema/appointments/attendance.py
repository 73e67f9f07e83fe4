"""awaitingUpdates, submitAttendanceUpdate, reserveSlot and releaseReservedSlot."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.appointments import attendance, reserved_slots
from schema.appointments.prefetch import prefetch_page
from schema.appointments.types import Appointment, AppointmentConnection, Continuation, ReservedSlot
from schema.clients.inputs import given, node_id
from schema.shared.arguments import After, Before, First, Last
from schema.shared.common import UserError, Weekday, context, refusals_as_user_errors
from schema.shared.connections import APPOINTMENT_KEY, window
from schema.shared.ids import to_global_id


@strawberry.input(description="What happened at a session, and what comes next.")
class SubmitAttendanceUpdateInput:
    appointment_id: strawberry.ID = strawberry.field(
        name="sessionId",
        description="The started, still SCHEDULED session.",
    )
    attended: bool = strawberry.field(description="true: ATTENDED; false: NO_SHOW.")
    continuation: Continuation = strawberry.field(  # type: ignore[valid-type]
        description="Whether and when the follow-up is booked.",
    )
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


@strawberry.type(description="The answer to submitAttendanceUpdate.")
class SubmitAttendanceUpdatePayload:
    appointment: Appointment | None = strawberry.field(
        name="session",
        default=None,
        description="The session, now ATTENDED or NO_SHOW.",
    )
    follow_up_appointment: Appointment | None = strawberry.field(
        name="followUpSession",
        default=None,
        description="The follow-up booked; null with NO_REBOOK.",
    )
    reserved_slot: ReservedSlot | None = strawberry.field(
        default=None,
        description="The weekly time kept, with reserveSlot; null otherwise.",
    )
    reserved_slot_removed: bool = strawberry.field(
        default=False, description="True when this update removed a reserved slot the client had."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the update was refused; empty on success.",
    )


@strawberry.input(description="A weekly time to keep for a relationship.")
class ReserveSlotInput:
    relationship_id: strawberry.ID = strawberry.field(description="The ACTIVE relationship.")
    weekday: Weekday = strawberry.field(  # type: ignore[valid-type]
        description="The day of the week, in the practitioner's timezone.",
    )
    start_time: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM.",
    )
    duration_minutes: int = strawberry.field(default=50, description="Length in minutes, 5 to 480.")


@strawberry.type(description="The answer to reserveSlot.")
class ReservedSlotPayload:
    reserved_slot: ReservedSlot | None = strawberry.field(
        default=None,
        description="The kept weekly time; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.input(description="A reserved slot to free.")
class ReleaseReservedSlotInput:
    reserved_slot_id: strawberry.ID = strawberry.field(description="The reserved slot.")


@strawberry.type(description="The answer to releaseReservedSlot.")
class ReleaseReservedSlotPayload:
    released_reserved_slot_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The freed slot's id, to drop from a client cache; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.type
class AttendanceQueries:
    @strawberry.field(
        description="The signed-in practitioner's sessions that have started and still want an "
        "attendance update, oldest first."
    )
    async def awaiting_updates(
        self, info: strawberry.Info, first: First = None, after: After = None,
        last: Last = None, before: Before = None,
    ) -> AppointmentConnection:
        at = window(APPOINTMENT_KEY, first, after, last, before)
        found = await attendance.awaiting_updates(context(info), at)
        await prefetch_page(info, found.items)
        return AppointmentConnection.of(found, at)


@strawberry.type
class AttendanceMutations:
    @strawberry.mutation(
        description=(
            "The session's practitioner only, once it started: record attendance and what comes "
            "next, in one step; the follow-up is booked, and a reserved slot kept or removed, "
            "all or nothing."
        ),
    )
    @refusals_as_user_errors(SubmitAttendanceUpdatePayload)
    async def submit_attendance_update(
        self,
        info: strawberry.Info,
        input: Annotated[
            SubmitAttendanceUpdateInput,
            strawberry.argument(description="The session, attendance, and the continuation."),
        ],
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

    @strawberry.mutation(
        description=(
            "Staff only: keep a weekly time for an ACTIVE relationship; other clients cannot book "
            "it."
        ),
    )
    @refusals_as_user_errors(ReservedSlotPayload)
    async def reserve_slot(
        self,
        info: strawberry.Info,
        input: Annotated[
            ReserveSlotInput,
            strawberry.argument(description="The relationship and the weekly time."),
        ],
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

    @strawberry.mutation(description="Staff only: free a reserved weekly time.")
    @refusals_as_user_errors(ReleaseReservedSlotPayload)
    async def release_reserved_slot(
        self,
        info: strawberry.Info,
        input: Annotated[
            ReleaseReservedSlotInput,
            strawberry.argument(description="The reserved slot to free."),
        ],
    ) -> ReleaseReservedSlotPayload:
        released = await reserved_slots.release(
            context(info), node_id(input.reserved_slot_id, "ReservedSlot")
        )
        return ReleaseReservedSlotPayload(
            released_reserved_slot_id=strawberry.ID(to_global_id("ReservedSlot", released))
        )
