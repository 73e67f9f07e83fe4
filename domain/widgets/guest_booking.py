"""Booking through a widget, as a guest: who books (and pays), who attends, and the checks
on what they typed, all reported at once before anything is stored."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.appointments.appointments import Appointment
from domain.appointments.availability import check_duration
from domain.clients.profile import EMPTY_PROFILE, Profile, ProfileChanges, merge_profile
from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate, Event
from domain.shared.validation import invalid

MAX_TOKEN_LENGTH = 200
# How long the owner of an email on file has to confirm a booking made with it; never past
# the start of the notice window, where payment would be taken.
CONFIRMATION_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class GuestDetails:
    """A person as the guest typed them; blank optional fields mean none."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class GuestParties:
    """The validated booker (who pays) and attendee (None: the booker attends)."""

    booker: Profile
    attendee: Profile | None


def check_guest_booking(
    *, booker: GuestDetails, attendee: GuestDetails | None, payment_token: str,
    starts_at: datetime, duration_minutes: int, now: datetime, today: date,
    phone_region: str | None, notice_hours: int,
) -> GuestParties:
    """Every problem with a guest booking's input, under its field path, or the parties.

    A guest books only beyond the practice's notice window: nobody has signed in, so whoever
    the booking is billed to must always get its confirmation and the chance to cancel it
    free of charge before any payment is taken."""
    problems = Problems()
    booker_profile = _person(problems, booker, "booker", today, phone_region)
    if booker_profile is not None and booker_profile.email is None:
        problems.add(ErrorCode.INVALID, "The booker's email is required.", "booker", "email")
    attendee_profile = None
    if attendee is not None:
        attendee_profile = _person(problems, attendee, "attendee", today, phone_region)
        if (attendee_profile is not None and booker_profile is not None
                and attendee_profile.email is not None
                and attendee_profile.email == booker_profile.email):
            problems.add(ErrorCode.INVALID,
                         "The attendee's email is the booker's; leave out the attendee to book "
                         "for yourself.", "attendee", "email")
    token = payment_token.strip()
    if not 1 <= len(token) <= MAX_TOKEN_LENGTH:
        problems.add(ErrorCode.INVALID,
                     f"paymentToken must be 1 to {MAX_TOKEN_LENGTH} characters.", "paymentToken")
    problems.check(check_duration, duration_minutes)
    if starts_at.tzinfo is None:
        problems.add(ErrorCode.INVALID, "startsAt needs a UTC offset.", "startsAt")
    elif starts_at <= now:
        problems.add(ErrorCode.INVALID, "Sessions can only be booked in the future.", "startsAt")
    elif starts_at < now + timedelta(hours=notice_hours):
        problems.add(ErrorCode.INVALID, f"Online bookings start at least {notice_hours} hours "
                     "ahead.", "startsAt")
    problems.raise_if_any()
    assert booker_profile is not None
    return GuestParties(booker_profile, attendee_profile)


def _person(
    problems: Problems, details: GuestDetails, prefix: str, today: date,
    phone_region: str | None,
) -> Profile | None:
    changes = ProfileChanges(
        first_name=details.first_name, last_name=details.last_name,
        email=details.email or None, phone=details.phone or None,
    )
    try:
        return merge_profile(EMPTY_PROFILE, changes, today=today, phone_region=phone_region)
    except DomainError as error:
        problems.items.extend(p.under(prefix) for p in error.problems)
        return None


def invalid_payment_token() -> DomainError:
    return invalid("The payment token is not valid.", "paymentToken")


@dataclass(frozen=True)
class GuestBookingHeld(Event):
    """A guest booked with the email of a client on file: that client is asked to confirm."""

    practice_id: uuid.UUID
    appointment_id: uuid.UUID
    client_id: uuid.UUID
    confirmation_id: uuid.UUID


@dataclass(eq=False)
class BookingConfirmation(Aggregate):
    """The single-use, expiring link that confirms a held booking. Only a hash of its token
    is kept."""

    id: uuid.UUID
    practice_id: uuid.UUID
    appointment_id: uuid.UUID
    client_id: uuid.UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def use(self, appointment: Appointment, now: datetime) -> None:
        if self.used_at is not None or now >= self.expires_at:
            raise invalid_confirmation()
        appointment.confirm_hold(now)
        self.used_at = now


def hold_for_owner(
    appointment: Appointment, client_id: uuid.UUID, token_hash_for: Callable[[uuid.UUID], str],
    now: datetime, notice_hours: int,
) -> BookingConfirmation:
    """Holds a guest booking billed to a client on file until that client confirms it: at
    most CONFIRMATION_LIFETIME, and released before its notice window opens, so nothing is
    ever charged for a booking its payer did not confirm."""
    until = min(now + CONFIRMATION_LIFETIME,
                appointment.starts_at - timedelta(hours=notice_hours))
    appointment.hold_for_confirmation(until)
    confirmation_id = uuid.uuid4()
    confirmation = BookingConfirmation(
        id=confirmation_id, practice_id=appointment.practice_id, appointment_id=appointment.id,
        client_id=client_id, token_hash=token_hash_for(confirmation_id), created_at=now,
        expires_at=until,
    )
    confirmation.record(GuestBookingHeld(appointment.practice_id, appointment.id, client_id,
                                         confirmation_id))
    return confirmation


def invalid_confirmation() -> DomainError:
    return DomainError.one(ErrorCode.INVALID_TOKEN,
                           "This confirmation link has expired or was used.", ["token"])
