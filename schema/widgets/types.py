"""Types of the booking-widget surface: publishable keys (the owner's), and the public
practice, practitioner and guest booking a key may read. None of them is a Node: a key
reaches nothing through node(id:)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.accounts import practice as domain_practice
from domain.widgets.publishable_keys import PublishableKey as DomainKey
from resolvers.appointments import calendar_files
from resolvers.widgets.public_booking import GuestBooking as DomainGuestBooking
from resolvers.widgets.public_booking import PublicPractice as DomainPublicPractice
from schema.clients.relationship_types import RelationshipParty
from schema.shared.common import Money
from schema.shared.ids import to_global_id

# A widget's items have ids of their own types, so that a client-side store never sees one id
# on two types (a Practitioner's and a PublicPractitioner's). Where a practitioner id comes
# back in, both kinds are accepted.
PUBLIC_PRACTITIONER = "PublicPractitioner"
PRACTITIONER_IDS = (PUBLIC_PRACTITIONER, "Practitioner")
GUEST_BOOKING = "GuestBooking"


@strawberry.type(description="A key a booking widget presents in `X-Caseload-Key`.")
class PublishableKey:
    id: strawberry.ID = strawberry.field(
        description="The key's global id, for revokePublishableKey.",
    )
    name: str = strawberry.field(
        description="The owner's name for the key, e.g. the site it serves.",
    )
    prefix: str = strawberry.field(
        description="The key's public start (pk_live_…), to tell keys apart; the whole key "
        "is shown only once, when it is created."
    )
    allowed_origins: list[str] = strawberry.field(
        description="The web origins a widget may use the key from.",
    )
    created_at: datetime = strawberry.field(description="When the key was created.")
    revoked_at: datetime | None = strawberry.field(
        description="When the key was revoked; null while it works.",
    )

    @classmethod
    def from_domain(cls, key: DomainKey) -> PublishableKey:
        return cls(
            id=strawberry.ID(to_global_id("PublishableKey", key.id)), name=key.name,
            prefix=key.prefix, allowed_origins=list(key.allowed_origins),
            created_at=key.created_at, revoked_at=key.revoked_at,
        )


@strawberry.type(description="A practitioner as the public sees them.")
class PublicPractitioner:
    id: strawberry.ID = strawberry.field(
        description=(
            "The practitioner's id for widgets: of its own type, unlike the staff Practitioner "
            "id; publicAvailability and bookAsGuest take it."
        ),
    )
    name: str = strawberry.field(description="The practitioner's full name.")
    timezone: str = strawberry.field(
        description="The practitioner's IANA timezone, e.g. Europe/London.",
    )
    appointment_price: Money = strawberry.field(
        name="sessionPrice",
        description="What one session costs, in the practice currency.",
    )

    @classmethod
    def from_domain(
        cls, practitioner: domain_practice.Practitioner, currency: str
    ) -> PublicPractitioner:
        return cls(
            id=strawberry.ID(to_global_id(PUBLIC_PRACTITIONER, practitioner.id)),
            name=practitioner.name, timezone=practitioner.timezone,
            appointment_price=Money(amount=practitioner.price, currency=currency),
        )


@strawberry.type(description="A practice's public profile.")
class PublicPractice:
    name: str = strawberry.field(description="The practice's name.")
    slug: str = strawberry.field(
        description="The practice's short name, as publicPractice(slug:) takes it.",
    )
    timezone: str = strawberry.field(
        description="The practice's IANA timezone, e.g. Europe/London.",
    )
    currency: str = strawberry.field(
        description="ISO 4217 code of the practice's prices, e.g. GBP.",
    )
    cancellation_notice_hours: int = strawberry.field(
        description=(
            "Notice a client must give to cancel or move a session without charge; online "
            "bookings start beyond it."
        ),
    )
    practitioners: list[PublicPractitioner] = strawberry.field(
        description="The practitioners a guest may book with.",
    )

    @classmethod
    def from_domain(cls, found: DomainPublicPractice) -> PublicPractice:
        practice = found.practice
        return cls(
            name=practice.name, slug=practice.slug, timezone=practice.timezone,
            currency=practice.currency,
            cancellation_notice_hours=practice.cancellation_notice_hours,
            practitioners=[PublicPractitioner.from_domain(p, practice.currency)
                           for p in found.practitioners],
        )


@strawberry.type(description="A session booked through a widget, as the guest is told it.")
class GuestBooking:
    reference: strawberry.ID = strawberry.field(
        description=(
            "The booking's reference for the guest: an id of its own type (GuestBooking), not the "
            "Session's id."
        ),
    )
    booking_reference: str = strawberry.field(
        description="The short reference to quote, e.g. K7QXM2PA (Session.bookingReference).")
    starts_at: datetime = strawberry.field(description="When it starts (UTC).")
    ends_at: datetime = strawberry.field(description="When it ends (UTC).")
    practitioner: PublicPractitioner = strawberry.field(description="Whom the session is with.")
    price: Money = strawberry.field(
        description=(
            "What the session costs, taken by card once inside the notice window."
        ),
    )
    party: RelationshipParty = strawberry.field(  # type: ignore[valid-type]
        description=(
            "FIRST_PARTY when the booker attends; THIRD_PARTY when they book and pay for an "
            "attendee."
        ),
    )
    calendar_file: str = strawberry.field(
        description="The session as an iCalendar file (text/calendar), for an \"add to "
        "calendar\" download; the same event (UID) as the confirmation email's invitation.")

    @classmethod
    def from_domain(cls, booking: DomainGuestBooking) -> GuestBooking:
        appointment = booking.appointment
        return cls(
            calendar_file=calendar_files.download(
                appointment, booking.practitioner.name, booking.practice_name),
            reference=strawberry.ID(to_global_id(GUEST_BOOKING, appointment.id)),
            booking_reference=appointment.reference,
            starts_at=appointment.starts_at, ends_at=appointment.ends_at,
            practitioner=PublicPractitioner.from_domain(booking.practitioner,
                                                        appointment.currency),
            price=Money(amount=appointment.price, currency=appointment.currency),
            party=booking.party,
        )
