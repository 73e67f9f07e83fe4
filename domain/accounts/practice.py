"""Practices, practitioners and their working hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from enum import Enum
from itertools import pairwise

from domain.appointments.fee_tiers import DEFAULT_NOTICE_HOURS, FeePolicy
from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate, Event
from domain.shared.money import minor_unit
from domain.shared.validation import (
    check_password,
    check_timezone,
    normalise_email,
    parse_hhmm,
    required_text,
)


class Weekday(Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class Role(Enum):
    OWNER = "OWNER"
    PRACTITIONER = "PRACTITIONER"
    CLIENT = "CLIENT"


@dataclass(frozen=True)
class WorkingHours:
    """One stretch of a weekday, in the practitioner's local wall-clock time."""

    weekday: Weekday
    start: time
    end: time


DEFAULT_WORKING_HOURS: tuple[WorkingHours, ...] = tuple(
    WorkingHours(day, time(9, 0), time(17, 0))
    for day in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY,
                Weekday.FRIDAY)
)


@dataclass(eq=False)
class Practice(Aggregate):
    id: uuid.UUID
    name: str
    slug: str
    timezone: str
    currency: str
    created_at: datetime
    owner_id: uuid.UUID | None = None
    cancellation_notice_hours: int = DEFAULT_NOTICE_HOURS
    # None: the default policy, the notice window at 100 %.
    cancellation_fee_tiers: FeePolicy | None = None

    @property
    def cancellation_policy(self) -> FeePolicy:
        """The tiers in force now; what a session booked now keeps."""
        return self.cancellation_fee_tiers or FeePolicy.default(self.cancellation_notice_hours)

    def set_cancellation_policy(self, fee_policy: FeePolicy) -> None:
        """The outermost tier becomes the notice window (payment, late changes)."""
        self.cancellation_fee_tiers = fee_policy
        self.cancellation_notice_hours = fee_policy.notice_hours


@dataclass(eq=False)
class Practitioner(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    name: str
    email: str
    timezone: str
    created_at: datetime
    working_hours: tuple[WorkingHours, ...] = DEFAULT_WORKING_HOURS
    appointment_price: Decimal | None = None
    calendar_token_hash: str | None = None

    @property
    def price(self) -> Decimal:
        """The session price; a practitioner who has set none charges nothing."""
        return self.appointment_price if self.appointment_price is not None else Decimal("0.00")

    def set_appointment_price(
        self, price: Decimal, currency: str, field: str = "price"
    ) -> None:
        self.appointment_price = check_price(price, currency, field)

    def set_working_hours(self, hours: list[tuple[Weekday, str, str]]) -> None:
        self.working_hours = parse_working_hours(hours)


@dataclass(eq=False)
class Account(Aggregate):
    """A person's sign-in: one email and password, whatever practices they belong to."""

    id: uuid.UUID
    email: str
    password_hash: str
    created_at: datetime
    token_version: int = 0

    def end_tokens(self) -> None:
        """Every access token issued before now stops working (they carry the version)."""
        self.token_version += 1


@dataclass(eq=False)
class Membership(Aggregate):
    """What an account is to one practice: its owner, a practitioner, or a client. An access
    token stands for one membership, and sees that practice only."""

    id: uuid.UUID
    account_id: uuid.UUID
    practice_id: uuid.UUID
    role: Role
    created_at: datetime
    practitioner_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PracticeRegistered(Event):
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID


@dataclass(frozen=True)
class PractitionerAdded(Event):
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID


@dataclass(frozen=True)
class NewPractitioner:
    """Validated details for a practitioner and their sign-in."""

    name: str
    email: str
    password: str
    timezone: str


def validate_practitioner(
    problems: Problems, name: str, email: str, password: str, timezone: str
) -> NewPractitioner | None:
    clean_name = problems.check(required_text, name, "name")
    clean_email = problems.check(normalise_email, email, "email")
    problems.check(check_password, password, email=clean_email)
    clean_tz = problems.check(check_timezone, timezone, "timezone")
    if clean_name is None or clean_email is None or clean_tz is None:
        return None
    return NewPractitioner(clean_name, clean_email, password, clean_tz)


def validate_invitee(
    problems: Problems, name: str, email: str, timezone: str
) -> NewPractitioner | None:
    """A practitioner to invite: they choose (or already have) their own password."""
    clean_name = problems.check(required_text, name, "name")
    clean_email = problems.check(normalise_email, email, "email")
    clean_tz = problems.check(check_timezone, timezone, "timezone")
    if clean_name is None or clean_email is None or clean_tz is None:
        return None
    return NewPractitioner(clean_name, clean_email, "", clean_tz)


def new_practitioner(
    practice: Practice, details: NewPractitioner, password_hash: str, role: Role, now: datetime
) -> tuple[Practitioner, Account, Membership]:
    practitioner = Practitioner(
        id=uuid.uuid4(),
        practice_id=practice.id,
        name=details.name,
        email=details.email,
        timezone=details.timezone,
        created_at=now,
    )
    account = Account(
        id=uuid.uuid4(), email=details.email, password_hash=password_hash, created_at=now)
    membership = Membership(
        id=uuid.uuid4(), account_id=account.id, practice_id=practice.id, role=role,
        created_at=now, practitioner_id=practitioner.id,
    )
    return practitioner, account, membership


def parse_working_hours(hours: list[tuple[Weekday, str, str]]) -> tuple[WorkingHours, ...]:
    """Validate a week of working hours; stretches on one day must not overlap."""
    problems = Problems()
    parsed: list[WorkingHours] = []
    for index, (weekday, start_text, end_text) in enumerate(hours):
        path = ("hours", str(index))
        item = Problems()
        start = item.check(parse_hhmm, start_text, "start")
        end = item.check(parse_hhmm, end_text, "end")
        problems.items.extend(p.under(*path) for p in item.items)
        if start is None or end is None:
            continue
        if end <= start:
            problems.add(ErrorCode.INVALID, "end must be after start.", *path, "end")
            continue
        parsed.append(WorkingHours(weekday, start, end))
    parsed.sort(key=lambda h: (h.weekday.value, h.start))
    for before, after in pairwise(parsed):
        if before.weekday == after.weekday and after.start < before.end:
            problems.add(
                ErrorCode.INVALID, f"Hours on {after.weekday.name} overlap.", "hours"
            )
    problems.raise_if_any()
    return tuple(parsed)


MAX_PRICE = Decimal("100000")


def check_price(price: Decimal, currency: str, field: str = "price") -> Decimal:
    """A session price: not negative, at most the currency's minor unit of places (none
    for RWF, three for KWD), below a sane ceiling."""
    places = minor_unit(currency)
    exact = price.quantize(Decimal(1).scaleb(-places)) if price.is_finite() else None
    if price < 0 or price > MAX_PRICE or exact != price:
        raise DomainError.one(
            ErrorCode.INVALID,
            f"A price is an amount from 0 to {MAX_PRICE} with at most {places} decimal "
            f"places in {currency}.",
            [field],
        )
    return exact


def ensure_owner(role: Role) -> None:
    if role is not Role.OWNER:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "Only the practice's owner may do this."
        )
