"""rescheduleSession, cancelSession and myAppointments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.appointments import changes as appointment_changes
from resolvers.appointments import my_appointments
from schema.appointments.booking import AppointmentPayload
from schema.appointments.prefetch import prefetch_page
from schema.appointments.types import Appointment, AppointmentConnection
from schema.clients.inputs import given, node_id
from schema.shared.arguments import After, Before, First, Last, Upcoming
from schema.shared.common import UserError, context, refusals_as_user_errors
from schema.shared.connections import APPOINTMENT_KEY, window


@strawberry.input(name="RescheduleSessionInput", description="A session's new time.")
class RescheduleAppointmentInput:
    appointment_id: strawberry.ID = strawberry.field(
        name="sessionId",
        description="The SCHEDULED session to move.",
    )
    starts_at: datetime = strawberry.field(description="The new start, with an offset.")
    duration_minutes: int | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the session's current length."
    )
    allow_during_time_off: bool = strawberry.field(
        default=False,
        description="Practice side: move it into the practitioner's time off or a practice "
        "closure anyway (TIME_OFF otherwise). Clients and guests never move it into one.",
    )


@strawberry.input(name="CancelSessionInput", description="A session to cancel.")
class CancelAppointmentInput:
    appointment_id: strawberry.ID = strawberry.field(
        name="sessionId",
        description="The SCHEDULED session to cancel.",
    )
    reason: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Why, in a few words (kept up to 500 characters).",
    )


@strawberry.type(name="CancelSessionPayload", description="The answer to cancelSession.")
class CancelAppointmentPayload:
    appointment: Appointment | None = strawberry.field(
        name="session",
        default=None,
        description="The session as cancelled; null when refused.",
    )
    late_cancellation: bool = strawberry.field(
        default=False,
        description="True when the client cancelled inside the notice window and the fee "
        "stands.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the cancellation was refused; empty on success.",
    )


@strawberry.type
class AppointmentChangeMutations:
    @strawberry.mutation(
        name="rescheduleSession",
        description=(
            "Move a SCHEDULED session to another time. A client may not move one inside the "
            "notice window (LATE_CHANGE)."
        ),
    )
    @refusals_as_user_errors(AppointmentPayload)
    async def reschedule_appointment(
        self,
        info: strawberry.Info,
        input: Annotated[
            RescheduleAppointmentInput,
            strawberry.argument(description="The session and its new time."),
        ],
    ) -> AppointmentPayload:
        moved = await appointment_changes.reschedule_appointment(
            context(info), node_id(input.appointment_id, "Session"), input.starts_at,
            given(input.duration_minutes), allow_during_time_off=input.allow_during_time_off,
        )
        return AppointmentPayload(appointment=Appointment.from_entity(moved))

    @strawberry.mutation(
        name="cancelSession",
        description=(
            "Cancel a SCHEDULED session. A client cancelling with more notice than the window: "
            "CANCELLED, nothing owed (a payment taken is refunded); inside it: LATE_CANCELLED, "
            "the fee stands. The practice cancelling never charges."
        ),
    )
    @refusals_as_user_errors(CancelAppointmentPayload)
    async def cancel_appointment(
        self,
        info: strawberry.Info,
        input: Annotated[
            CancelAppointmentInput,
            strawberry.argument(description="The session, and why."),
        ],
    ) -> CancelAppointmentPayload:
        result = await appointment_changes.cancel_appointment(
            context(info), node_id(input.appointment_id, "Session"), given(input.reason)
        )
        return CancelAppointmentPayload(
            appointment=Appointment.from_entity(result.appointment), late_cancellation=result.late
        )


@strawberry.type
class MyAppointmentsQueries:
    @strawberry.field(
        description="For a signed-in client: their own sessions and those of clients they may "
        "book and manage for."
    )
    async def my_appointments(
        self, info: strawberry.Info, upcoming: Upcoming = None, first: First = None,
        after: After = None, last: Last = None, before: Before = None,
    ) -> AppointmentConnection:
        at = window(APPOINTMENT_KEY, first, after, last, before)
        found = await my_appointments.my_appointments(context(info), upcoming, at)
        await prefetch_page(info, found.items)
        return AppointmentConnection.of(found, at)
