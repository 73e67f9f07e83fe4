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


@strawberry.type(description="A key a booking widget presents in `X-Caseload-Key`.")
class PublishableKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(
        description="The key's public start (pk_live_…), to tell keys apart; the whole key "
        "is shown only once, when it is created."
    )
    allowed_origins: list[str]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_domain(cls, key: DomainKey) -> PublishableKey:
        return cls(
            id=strawberry.ID(to_global_id("PublishableKey", key.id)), name=key.name,
            prefix=key.prefix, allowed_origins=list(key.allowed_origins),
            created_at=key.created_at, revoked_at=key.revoked_at,
        )


@strawberry.type(description="A practitioner as the public sees them.")
class PublicPractitioner:
    id: strawberry.ID
    name: str
    timezone: str
    appointment_price: Money = strawberry.field(name="sessionPrice")

    @classmethod
    def from_domain(
        cls, practitioner: domain_practice.Practitioner, currency: str
    ) -> PublicPractitioner:
        return cls(
            id=strawberry.ID(to_global_id("Practitioner", practitioner.id)),
            name=practitioner.name, timezone=practitioner.timezone,
            appointment_price=Money(amount=practitioner.price, currency=currency),
        )


@strawberry.type(description="A practice's public profile.")
class PublicPractice:
    name: str
    slug: str
    timezone: str
    currency: str
    cancellation_notice_hours: int
    practitioners: list[PublicPractitioner]

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
    reference: strawberry.ID
    booking_reference: str = strawberry.field(
        description="The short reference to quote, e.g. K7QXM2PA (Session.bookingReference).")
    starts_at: datetime
    ends_at: datetime
    practitioner: PublicPractitioner
    price: Money
    party: RelationshipParty  # type: ignore[valid-type]
    calendar_file: str = strawberry.field(
        description="The session as an iCalendar file (text/calendar), for an \"add to "
        "calendar\" download; the same event (UID) as the confirmation email's invitation.")

    @classmethod
    def from_domain(cls, booking: DomainGuestBooking) -> GuestBooking:
        appointment = booking.appointment
        return cls(
            calendar_file=calendar_files.download(
                appointment, booking.practitioner.name, booking.practice_name),
            reference=strawberry.ID(to_global_id("Session", appointment.id)),
            booking_reference=appointment.reference,
            starts_at=appointment.starts_at, ends_at=appointment.ends_at,
            practitioner=PublicPractitioner.from_domain(booking.practitioner,
                                                        appointment.currency),
            price=Money(amount=appointment.price, currency=appointment.currency),
            party=booking.party,
        )
