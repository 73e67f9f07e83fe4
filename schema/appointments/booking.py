"""availability and bookSession."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.appointments import booking
from schema.appointments.types import Appointment, TimeSlot
from schema.clients.inputs import given, node_id, optional_node_id
from schema.shared.common import (
    UserError,
    context,
    refusals_as_query_errors,
    refusals_as_user_errors,
)


@strawberry.input(name="BookSessionInput")
class BookAppointmentInput:
    relationship_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Practice side: book inside this relationship."
    )
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Client side: book with this practitioner."
    )
    for_client_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Client side: the client the session is for; defaults to the viewer.",
    )
    starts_at: datetime
    duration_minutes: int = 50
    package_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Pay with a credit from this package instead of the payer's card.",
    )
    idempotency_key: str | None = strawberry.UNSET
    assign_linked_client_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Practice side: clients linked to an attendee to assign to the session; "
        "their links' permissions (see and manage it, notification copies) then apply to "
        "this session. A linked client not assigned gets nothing of it. Client side, the "
        "booker is assigned when booking for someone else.",
    )


@strawberry.type(name="SessionPayload")
class AppointmentPayload:
    appointment: Appointment | None = strawberry.field(name="session", default=None)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AppointmentQueries:
    @strawberry.field(
        description="Bookable times: inside working hours, clear of sessions and of other "
        "clients' reserved slots."
    )
    @refusals_as_query_errors
    async def availability(
        self, info: strawberry.Info, practitioner_id: strawberry.ID,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime, duration_minutes: int = 50,
    ) -> list[TimeSlot]:
        request = booking.AvailabilityRequest(
            node_id(practitioner_id, "Practitioner"), from_, to, duration_minutes
        )
        slots = await booking.available_times(context(info), request)
        return [TimeSlot(starts_at=s.starts_at, ends_at=s.ends_at) for s in slots]


@strawberry.type
class AppointmentMutations:
    @strawberry.mutation(name="bookSession")
    @refusals_as_user_errors(AppointmentPayload)
    async def book_appointment(self, info: strawberry.Info,
            input: BookAppointmentInput) -> AppointmentPayload:
        request = booking.BookingRequest(
            relationship_id=optional_node_id(given(input.relationship_id), "Relationship"),
            practitioner_id=optional_node_id(given(input.practitioner_id), "Practitioner"),
            for_client_id=optional_node_id(given(input.for_client_id), "Client"),
            starts_at=input.starts_at,
            duration_minutes=input.duration_minutes,
            package_id=optional_node_id(given(input.package_id), "Package"),
            idempotency_key=given(input.idempotency_key),
            linked_client_ids=tuple(optional_node_id(i, "Client")
                                    for i in given(input.assign_linked_client_ids) or []),
        )
        appointment = await booking.book_appointment(context(info), request)
        return AppointmentPayload(appointment=Appointment.from_entity(appointment))

