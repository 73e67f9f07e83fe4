"""availability and bookSession."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.appointments import booking, references
from schema.appointments.types import Appointment, TimeSlot
from schema.clients.inputs import given, node_id, optional_node_id
from schema.shared.common import (
    IDEMPOTENCY_KEY,
    UserError,
    context,
    refusals_as_query_errors,
    refusals_as_user_errors,
)


@strawberry.input(
    name="BookSessionInput",
    description=(
        "A session to book: staff give relationshipId; a client gives practitionerId (and "
        "forClientId to book for a linked client)."
    ),
)
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
    starts_at: datetime = strawberry.field(
        description=(
            "When it starts, with an offset. A client's time must be one availability offers."
        ),
    )
    duration_minutes: int = strawberry.field(default=50, description="Length in minutes, 5 to 480.")
    package_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Pay with a credit from this package instead of the payer's card.",
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=IDEMPOTENCY_KEY,
    )
    allow_during_time_off: bool = strawberry.field(
        default=False,
        description="Practice side: book inside the practitioner's time off or a practice "
        "closure anyway (TIME_OFF otherwise). Clients and guests never book inside one.",
    )
    assign_linked_client_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Practice side: clients linked to an attendee to assign to the session; "
        "their links' permissions (see and manage it, notification copies) then apply to "
        "this session. A linked client not assigned gets nothing of it. Client side, the "
        "booker is assigned when booking for someone else.",
    )


@strawberry.type(name="SessionPayload", description="The answer to a session mutation.")
class AppointmentPayload:
    appointment: Appointment | None = strawberry.field(
        name="session",
        default=None,
        description="The session as booked or changed; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.type
class AppointmentQueries:
    @strawberry.field(
        description="Bookable times: inside working hours, clear of sessions and of other "
        "clients' reserved slots."
    )
    @refusals_as_query_errors
    async def availability(
        self,
        info: strawberry.Info,
        practitioner_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The practitioner of the viewer's practice whose times to list.",
            ),
        ],
        from_: Annotated[
            datetime,
            strawberry.argument(
                name="from",
                description="Start of the range; times before now are never offered.",
            ),
        ],
        to: Annotated[
            datetime,
            strawberry.argument(
                description="End of the range, after from and at most 31 days later.",
            ),
        ],
        duration_minutes: Annotated[
            int,
            strawberry.argument(description="The session length to fit, 5 to 480 minutes."),
        ] = 50,
    ) -> list[TimeSlot]:
        request = booking.AvailabilityRequest(
            node_id(practitioner_id, "Practitioner"), from_, to, duration_minutes
        )
        slots = await booking.available_times(context(info), request)
        return [TimeSlot(starts_at=s.starts_at, ends_at=s.ends_at) for s in slots]


    @strawberry.field(
        description="A session of your practice by its short bookingReference (case, spaces "
        "and dashes ignored): NOT_FOUND for one you may not see, or of another practice."
    )
    @refusals_as_query_errors
    async def session_by_booking_reference(
        self, info: strawberry.Info,
        reference: Annotated[str, strawberry.argument(
            description="The reference, e.g. K7QXM2PA.")],
    ) -> Appointment:
        found = await references.appointment_by_reference(context(info), reference)
        return Appointment.from_entity(found)


@strawberry.type
class AppointmentMutations:
    @strawberry.mutation(
        name="bookSession",
        description=(
            "Book a one-to-one session. Staff book inside a relationship, at any free time, past "
            "ones included; a client books a bookable future time with a practitioner, for "
            "themselves or a client they may book for. The payer needs a card on file "
            "(NO_PAYMENT_METHOD) unless a package credit pays; payment is taken later, once "
            "inside the notice window."
        ),
    )
    @refusals_as_user_errors(AppointmentPayload)
    async def book_appointment(
        self,
        info: strawberry.Info,
        input: Annotated[
            BookAppointmentInput,
            strawberry.argument(description="Who, when, and how it is paid."),
        ],
    ) -> AppointmentPayload:
        request = booking.BookingRequest(
            relationship_id=optional_node_id(given(input.relationship_id), "Relationship"),
            practitioner_id=optional_node_id(given(input.practitioner_id), "Practitioner"),
            for_client_id=optional_node_id(given(input.for_client_id), "Client"),
            starts_at=input.starts_at,
            duration_minutes=input.duration_minutes,
            package_id=optional_node_id(given(input.package_id), "Package"),
            idempotency_key=given(input.idempotency_key),
            allow_during_time_off=input.allow_during_time_off,
            linked_client_ids=tuple(optional_node_id(i, "Client")
                                    for i in given(input.assign_linked_client_ids) or []),
        )
        appointment = await booking.book_appointment(context(info), request)
        return AppointmentPayload(appointment=Appointment.from_entity(appointment))

