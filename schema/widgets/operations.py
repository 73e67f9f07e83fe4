"""Booking widgets: the owner's publishable keys, and the public surface a key opens
(publicPractice, publicAvailability, bookAsGuest)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.widgets.guest_booking import GuestDetails
from resolvers.widgets import booking_confirmation, public_booking, publishable_keys
from schema.appointments.types import TimeSlot
from schema.clients.inputs import given, node_id
from schema.shared.common import (
    IDEMPOTENCY_KEY,
    UserError,
    context,
    refusals_as_query_errors,
    refusals_as_user_errors,
)
from schema.widgets.types import (
    PRACTITIONER_IDS,
    GuestBooking,
    PublicPractice,
    PublishableKey,
)


@strawberry.input(description="A new publishable key.")
class CreatePublishableKeyInput:
    name: str = strawberry.field(
        description="The owner's name for the key, e.g. the site it serves.",
    )
    allowed_origins: list[str] = strawberry.field(
        description="Web origins the widget runs on, e.g. https://www.example.com (1 to 10)."
    )


@strawberry.type(description="The answer to createPublishableKey.")
class CreatePublishableKeyPayload:
    publishable_key: PublishableKey | None = strawberry.field(
        default=None,
        description="The new key's details; null when refused.",
    )
    key: str | None = strawberry.field(
        default=None,
        description="The whole key, shown this once: only a hash of it is kept.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.input(description="A key to revoke.")
class RevokePublishableKeyInput:
    id: strawberry.ID = strawberry.field(description="The key's id.")


@strawberry.type(description="The answer to revokePublishableKey.")
class PublishableKeyPayload:
    publishable_key: PublishableKey | None = strawberry.field(
        default=None,
        description="The key as revoked; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.input(description="A person booking or attending through a widget.")
class GuestPersonInput:
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Email address; required of the booker, optional for an attendee.",
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Phone number, e.g. +44 7911 123456.",
    )

    def to_domain(self) -> GuestDetails:
        return GuestDetails(self.first_name, self.last_name, given(self.email),
                            given(self.phone))


@strawberry.input(description="A booking made through a widget.")
class BookAsGuestInput:
    practitioner_id: strawberry.ID = strawberry.field(
        description=(
            "A PublicPractitioner id from publicPractice (a staff Practitioner id is accepted "
            "too)."
        ),
    )
    starts_at: datetime = strawberry.field(
        description="When it starts, with an offset: a time publicAvailability offers.",
    )
    duration_minutes: int = strawberry.field(default=50, description="Length in minutes, 5 to 480.")
    booker: GuestPersonInput = strawberry.field(
        description="Who books and pays; their email is required."
    )
    attendee: GuestPersonInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Who attends, when the booker books for someone else (THIRD_PARTY).",
    )
    payment_token: str = strawberry.field(
        description="A token from the payment provider's client-side SDK; never a card number."
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.input(description="A guest booking's confirmation token.")
class ConfirmGuestBookingInput:
    token: str = strawberry.field(
        description=(
            "The token from the link emailed to the client on file; it works once, and expires "
            "after 24 hours or sooner."
        ),
    )


@strawberry.type(description="The answer to bookAsGuest and confirmGuestBooking.")
class GuestBookingPayload:
    booking: GuestBooking | None = strawberry.field(
        default=None,
        description="The booking as the guest is told it; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the booking was refused; empty on success.",
    )


@strawberry.type
class WidgetQueries:
    @strawberry.field(description="The owner's publishable keys, revoked ones included.")
    @refusals_as_query_errors
    async def publishable_keys(self, info: strawberry.Info) -> list[PublishableKey]:
        keys = await publishable_keys.practice_keys(context(info))
        return [PublishableKey.from_domain(k) for k in keys]

    @strawberry.field(
        description="Publishable key only: the key's practice, when this is its slug."
    )
    @refusals_as_query_errors
    async def public_practice(
        self,
        info: strawberry.Info,
        slug: Annotated[
            str,
            strawberry.argument(
                description="The practice's slug, e.g. from the widget's configuration.",
            ),
        ],
    ) -> PublicPractice | None:
        found = await public_booking.public_practice(context(info), slug[:200])
        return PublicPractice.from_domain(found) if found else None

    @strawberry.field(
        description="Publishable key only: a practitioner's bookable times (reserved weekly "
        "slots are closed to guests)."
    )
    @refusals_as_query_errors
    async def public_availability(
        self,
        info: strawberry.Info,
        practitioner_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description=(
                    "A PublicPractitioner id from publicPractice (a staff Practitioner id is "
                    "accepted too)."
                ),
            ),
        ],
        from_: Annotated[
            datetime,
            strawberry.argument(
                name="from",
                description=(
                    "Start of the range; times inside the practice's notice window are never "
                    "offered."
                ),
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
        slots = await public_booking.public_availability(
            context(info), node_id(practitioner_id, *PRACTITIONER_IDS), from_, to,
            duration_minutes,
        )
        return [TimeSlot(starts_at=s.starts_at, ends_at=s.ends_at) for s in slots]


@strawberry.type
class WidgetMutations:
    @strawberry.mutation(description="Owner only. The answer carries the whole key, once.")
    @refusals_as_user_errors(CreatePublishableKeyPayload)
    async def create_publishable_key(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreatePublishableKeyInput,
            strawberry.argument(description="The key's name and the origins it may be used from."),
        ],
    ) -> CreatePublishableKeyPayload:
        issued = await publishable_keys.create_key(
            context(info), input.name, input.allowed_origins
        )
        return CreatePublishableKeyPayload(
            publishable_key=PublishableKey.from_domain(issued.key), key=issued.text
        )

    @strawberry.mutation(description="Owner only. A revoked key opens nothing any more.")
    @refusals_as_user_errors(PublishableKeyPayload)
    async def revoke_publishable_key(
        self,
        info: strawberry.Info,
        input: Annotated[
            RevokePublishableKeyInput,
            strawberry.argument(description="The key to revoke."),
        ],
    ) -> PublishableKeyPayload:
        key = await publishable_keys.revoke_key(context(info), node_id(input.id, "PublishableKey"))
        return PublishableKeyPayload(publishable_key=PublishableKey.from_domain(key))

    @strawberry.mutation(
        description="Publishable key only: book for yourself (FIRST_PARTY) or, with an "
        "attendee, for someone else (THIRD_PARTY, you pay). Clients on file are matched by "
        "email; the answer is the same whether they were."
    )
    @refusals_as_user_errors(GuestBookingPayload)
    async def book_as_guest(
        self,
        info: strawberry.Info,
        input: Annotated[
            BookAsGuestInput,
            strawberry.argument(
                description=(
                    "The practitioner, the time, who books and pays, who attends, and the card."
                ),
            ),
        ],
    ) -> GuestBookingPayload:
        attendee = given(input.attendee)
        request = public_booking.GuestBookingRequest(
            practitioner_id=node_id(input.practitioner_id, *PRACTITIONER_IDS),
            starts_at=input.starts_at, duration_minutes=input.duration_minutes,
            booker=input.booker.to_domain(),
            attendee=attendee.to_domain() if attendee is not None else None,
            payment_token=input.payment_token, idempotency_key=given(input.idempotency_key),
        )
        booking = await public_booking.book_as_guest(context(info), request)
        return GuestBookingPayload(booking=GuestBooking.from_domain(booking))

    @strawberry.mutation(
        description="No sign-in: the token of the link sent to a client on file when a "
        "guest booked with their email. Confirmed, the session is booked like any other; "
        "unconfirmed, it is released before its notice window and nothing is charged."
    )
    @refusals_as_user_errors(GuestBookingPayload)
    async def confirm_guest_booking(
        self,
        info: strawberry.Info,
        input: Annotated[
            ConfirmGuestBookingInput,
            strawberry.argument(description="The token from the confirmation email's link."),
        ],
    ) -> GuestBookingPayload:
        booking = await booking_confirmation.confirm_guest_booking(context(info), input.token)
        return GuestBookingPayload(booking=GuestBooking.from_domain(booking))
