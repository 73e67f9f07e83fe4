"""Services, weekly group sessions, subscriptions, their monthly billing and transfers (seed 001).

Dates are the practitioner's local calendar dates; `today` is the practitioner's local date,
passed in. A subscription attends its session's dates from `start_date` up to, not including,
`end_date` (the contract's "first date the client no longer attends").

Billing is monthly and pro-rated. A calendar month's full price buys every <weekday> of that
month (its "slots": 4 or 5). A subscription is billed for the session dates it attends in the
month, so a line is `monthly_price * attended / slots`, computed exactly and rounded half-up
to the minor unit, one line per month ("Tuesday Yoga, June 2027 (3 of 4 sessions)",
quantity 1). A full month costs exactly the monthly price. Dates the session does not run
(before `starts_on`, after `ends_on`) are not attended, so they are not billed either.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.accounts.practice import Weekday
from domain.billing.billing import InvoiceLine
from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate
from domain.shared.money import Money, money_input, total
from domain.shared.validation import invalid, parse_hhmm, required_text

MAX_CAPACITY = 1000
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480
MAX_UPCOMING_DATES = 100
MAX_DESCRIPTION_LENGTH = 2000
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True, order=True)
class YearMonth:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{_MONTHS[self.month - 1]} {self.year}"

    def next(self) -> YearMonth:
        return YearMonth(self.year + self.month // 12, self.month % 12 + 1)

    def is_due(self, today: date) -> bool:
        """A month's invoice is due from its first day."""
        return self.first_day <= today


def weekday_dates(weekday: Weekday, start: date, end: date | None = None) -> Iterator[date]:
    """Every `weekday` from `start` to `end`, both inclusive (endless without `end`)."""
    day = start + timedelta(days=(weekday.value - start.weekday()) % 7)
    while end is None or day <= end:
        yield day
        day += timedelta(days=7)


def month_slots(weekday: Weekday, month: YearMonth) -> int:
    """How many `weekday`s the calendar month has (4 or 5): what its full price buys."""
    return sum(1 for _ in weekday_dates(weekday, month.first_day, month.last_day))


def prorate(monthly_price: Money, dates: int, slots: int) -> Money:
    """monthly_price * dates / slots, exact, then rounded half-up to the minor unit."""
    if not 0 <= dates <= slots:
        raise ValueError("dates must be between 0 and slots")
    return monthly_price.fraction(dates, slots)


def local_to_utc(day: date, at: time, timezone: str) -> datetime:
    """A wall-clock time on a local date, in UTC. In the spring-forward gap the time is read
    with the offset before the change (01:30 on a London change day is 02:30 BST); in the
    autumn overlap it is the first occurrence (01:30 BST)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


@dataclass(frozen=True)
class WeeklySchedule:
    """Dates from `starts_on` (a `weekday`) to `ends_on` (inclusive; open-ended if None)."""

    weekday: Weekday
    starts_on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.starts_on.weekday() != self.weekday.value:
            raise ValueError(f"{self.starts_on} is not a {self.weekday.name}")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")

    def is_group_session_date(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday.value
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )

    def dates(self, start: date, end: date | None = None) -> Iterator[date]:
        """Session dates from `start` to `end`, both inclusive."""
        last = end if self.ends_on is None else min(end or self.ends_on, self.ends_on)
        return weekday_dates(self.weekday, max(start, self.starts_on), last)

    def upcoming_dates(self, today: date, n: int) -> list[date]:
        """The next `n` (at most MAX_UPCOMING_DATES) session dates from `today`, inclusive."""
        wanted = max(0, min(n, MAX_UPCOMING_DATES))
        return [d for d, _ in zip(self.dates(today), range(wanted), strict=False)]

    def dates_in_month(self, year: int, month: int) -> list[date]:
        ym = YearMonth(year, month)
        return list(self.dates(ym.first_day, ym.last_day))


@dataclass(eq=False)
class Service(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime


def new_service(
    practice_id: uuid.UUID, name: str, description: str | None, now: datetime
) -> Service:
    problems = Problems()
    clean_name = problems.check(required_text, name, "name")
    clean_description = (description or "").strip() or None
    if clean_description and len(clean_description) > MAX_DESCRIPTION_LENGTH:
        problems.add(ErrorCode.INVALID,
                     f"description must be at most {MAX_DESCRIPTION_LENGTH} characters.",
                     "description")
    problems.raise_if_any()
    assert clean_name
    return Service(uuid.uuid4(), practice_id, clean_name, clean_description, now)


@dataclass(frozen=True)
class GroupSessionDetails:
    """A validated createGroupSession input."""

    name: str
    schedule: WeeklySchedule
    start_time: time
    duration_minutes: int
    capacity: int
    monthly_price: Money


def validate_group_session(
    *, name: str, weekday: Weekday, start_time: str, duration_minutes: int, capacity: int,
    monthly_price: Decimal, currency: str, starts_on: date, ends_on: date | None,
) -> GroupSessionDetails:
    """Every problem at once; fields as in CreateGroupSessionInput. A `startsOn` that is not
    the `weekday` is refused (naming the next one), never silently moved."""
    problems = Problems()
    clean_name = problems.check(required_text, name, "name")
    clean_time = problems.check(parse_hhmm, start_time, "startTime")
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        problems.add(ErrorCode.INVALID, f"durationMinutes must be {MIN_DURATION_MINUTES} to "
                     f"{MAX_DURATION_MINUTES}.", "durationMinutes")
    if not 1 <= capacity <= MAX_CAPACITY:
        problems.add(ErrorCode.INVALID, f"capacity must be 1 to {MAX_CAPACITY}.", "capacity")
    price = problems.check(money_input, monthly_price, currency, ("monthlyPrice",))
    if starts_on.weekday() != weekday.value:
        following = next(weekday_dates(weekday, starts_on))
        problems.add(ErrorCode.INVALID, f"startsOn {starts_on} is not a {weekday.name.title()}; "
                     f"the next one is {following}.", "startsOn")
    if ends_on is not None and ends_on < starts_on:
        problems.add(ErrorCode.INVALID, "endsOn must not be before startsOn.", "endsOn")
    problems.raise_if_any()
    assert clean_name and clean_time is not None and price is not None
    return GroupSessionDetails(clean_name, WeeklySchedule(weekday, starts_on, ends_on),
                               clean_time, duration_minutes, capacity, price)


@dataclass(eq=False)
class GroupSession(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    service_id: uuid.UUID
    practitioner_id: uuid.UUID
    name: str
    weekday: Weekday
    start_time: time
    duration_minutes: int
    capacity: int
    monthly_price: Decimal
    currency: str
    starts_on: date
    ends_on: date | None
    created_at: datetime

    @classmethod
    def create(
        cls, details: GroupSessionDetails, *, practice_id: uuid.UUID, service_id: uuid.UUID,
        practitioner_id: uuid.UUID, now: datetime,
    ) -> GroupSession:
        s = details.schedule
        return cls(uuid.uuid4(), practice_id, service_id, practitioner_id, details.name,
                   s.weekday, details.start_time, details.duration_minutes, details.capacity,
                   details.monthly_price.amount, details.monthly_price.currency, s.starts_on,
                   s.ends_on, now)

    @property
    def schedule(self) -> WeeklySchedule:
        return WeeklySchedule(self.weekday, self.starts_on, self.ends_on)

    @property
    def price(self) -> Money:
        return Money(self.monthly_price, self.currency)

    def is_group_session_date(self, day: date) -> bool:
        return self.schedule.is_group_session_date(day)

    def upcoming_dates(self, today: date, n: int) -> list[date]:
        return self.schedule.upcoming_dates(today, n)

    def dates_in_month(self, year: int, month: int) -> list[date]:
        return self.schedule.dates_in_month(year, month)

    def starts_at(self, day: date, timezone: str) -> datetime:
        """The UTC start of the session on `day`, in the practitioner's `timezone`."""
        if not self.is_group_session_date(day):
            raise ValueError(f"{day} is not a date of this session")
        return local_to_utc(day, self.start_time, timezone)

    def ends_at(self, day: date, timezone: str) -> datetime:
        return self.starts_at(day, timezone) + timedelta(minutes=self.duration_minutes)


class Span(Protocol):
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...


def attends(span: Span, day: date) -> bool:
    return span.start_date <= day and (span.end_date is None or day < span.end_date)


def enrolled_on(spans: Iterable[Span], day: date) -> int:
    """How many of the session's subscriptions attend on `day` (enrolledCount)."""
    return sum(1 for s in spans if attends(s, day))


def ensure_room(capacity: int, enrolled: int, field: tuple[str, ...]) -> None:
    """SESSION_FULL when `enrolled` (a count taken under the caller's lock) fills capacity."""
    if enrolled >= capacity:
        raise DomainError.one(ErrorCode.SESSION_FULL, "This session is full.", field)


def check_room(capacity: int, spans: Iterable[Span], first_date: date,
               field: tuple[str, ...]) -> None:
    """SESSION_FULL unless an open-ended subscription from `first_date` fits on every date
    from then on: it is checked on `first_date` and on each later start of `spans`."""
    live = [s for s in spans if s.end_date is None or s.end_date > first_date]
    points = {first_date, *(s.start_date for s in live if s.start_date > first_date)}
    ensure_room(capacity, max(enrolled_on(live, p) for p in points), field)


class SubscriptionStatus(Enum):
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


@dataclass(eq=False)
class GroupSubscription(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    group_session_id: uuid.UUID
    client_id: uuid.UUID
    payer_id: uuid.UUID
    status: SubscriptionStatus
    start_date: date
    end_date: date | None
    created_at: datetime
    transferred_from_id: uuid.UUID | None = None
    transferred_to_id: uuid.UUID | None = None

    def attends_on(self, day: date) -> bool:
        return attends(self, day)


def check_first_date(group_session: GroupSession, first_date: date, today: date) -> None:
    if not group_session.is_group_session_date(first_date):
        raise invalid(f"{first_date} is not a date of this session.", "firstDate")
    if first_date < today:
        raise invalid("firstDate must not be in the past.", "firstDate")


def enroll(
    group_session: GroupSession, *, client_id: uuid.UUID, payer_id: uuid.UUID, first_date: date,
    today: date, enrolled: Iterable[Span], now: datetime,
) -> GroupSubscription:
    """A new ACTIVE subscription; INVALID on firstDate, SESSION_FULL on sessionId."""
    check_first_date(group_session, first_date, today)
    check_room(group_session.capacity, enrolled, first_date, ("sessionId",))
    return GroupSubscription(uuid.uuid4(), group_session.practice_id, group_session.id, client_id,
                               payer_id, SubscriptionStatus.ACTIVE, first_date, None, now)


def billed_dates(group_session: GroupSession, month: YearMonth, start: date,
                 end: date | None = None) -> list[date]:
    """The session's dates in `month` a subscription from `start` to `end` (exclusive) attends."""
    return [d for d in group_session.dates_in_month(month.year, month.month)
            if d >= start and (end is None or d < end)]


def month_lines(group_session: GroupSession, month: YearMonth, start: date,
                end: date | None = None) -> list[InvoiceLine]:
    """The invoice lines for one month of a subscription; none if it attends no date."""
    dates = len(billed_dates(group_session, month, start, end))
    if not dates:
        return []
    slots = month_slots(group_session.weekday, month)
    count = f"{dates} sessions" if dates == slots else f"{dates} of {slots} sessions"
    amount = prorate(group_session.price, dates, slots)
    return [InvoiceLine(f"{group_session.name}, {month.label} ({count})", 1, amount, amount)]


def first_month_lines(group_session: GroupSession, first_date: date) -> list[InvoiceLine]:
    """The first invoice of a subscription starting on `first_date`: the rest of its month."""
    return month_lines(group_session, YearMonth.of(first_date), first_date)


def monthly_lines(group_session: GroupSession, subscription: Span,
                  month: YearMonth) -> list[InvoiceLine]:
    """A later month's invoice lines (see `due_months` for which months are due)."""
    return month_lines(group_session, month, subscription.start_date, subscription.end_date)


def ensure_active(subscription: GroupSubscription) -> None:
    if subscription.status is not SubscriptionStatus.ACTIVE:
        raise DomainError.one(ErrorCode.INVALID_STATE, "This subscription has already ended.",
                              ("subscriptionId",))


def check_end_date(subscription: GroupSubscription, current: GroupSession, day: date,
                   field: str) -> None:
    """The date a subscription ends on (it attends no date from it on): one of its session's
    dates that it attends."""
    if not current.is_group_session_date(day):
        raise DomainError.one(ErrorCode.INVALID, f"{day} is not a date of the current session.",
                              (field,))
    if not attends(subscription, day):
        raise DomainError.one(ErrorCode.INVALID, f"{field} must be on or after the "
                              f"subscription's start, {subscription.start_date}.", (field,))


def end_subscription(subscription: GroupSubscription, day: date) -> None:
    subscription.status = SubscriptionStatus.ENDED
    subscription.end_date = day


def check_transfer(subscription: GroupSubscription, current: GroupSession,
                   target: GroupSession, transfer_date: date, first_date: date) -> None:
    """Fields as in TransferSessionInput; every problem at once."""
    if subscription.group_session_id != current.id:
        raise ValueError("current must be the subscription's session")
    ensure_active(subscription)
    problems = Problems()
    problems.check(check_end_date, subscription, current, transfer_date, "transferDate")
    if target.id == current.id:
        problems.add(ErrorCode.INVALID, "Choose a session other than the current one.",
                     "toSessionId")
    elif not target.is_group_session_date(first_date):
        problems.add(ErrorCode.INVALID, f"{first_date} is not a date of the new session.",
                     "firstDate")
    problems.raise_if_any()


def transfer(
    subscription: GroupSubscription, current: GroupSession, target: GroupSession, *,
    transfer_date: date, first_date: date, target_enrolled: Iterable[Span], now: datetime,
) -> GroupSubscription:
    """End `subscription` on `transfer_date` and start a linked one on `target`; on refusal
    (INVALID, INVALID_STATE, SESSION_FULL on toSessionId) nothing is changed."""
    check_transfer(subscription, current, target, transfer_date, first_date)
    check_room(target.capacity, target_enrolled, first_date, ("toSessionId",))
    new = GroupSubscription(
        uuid.uuid4(), target.practice_id, target.id, subscription.client_id,
        subscription.payer_id, SubscriptionStatus.ACTIVE, first_date, None, now,
        transferred_from_id=subscription.id,
    )
    end_subscription(subscription, transfer_date)
    subscription.transferred_to_id = new.id
    return new


def leave(subscription: GroupSubscription, current: GroupSession, leave_date: date) -> None:
    """End `subscription` on `leave_date` with no new one (the seed's "unenrolled from this
    date"): it attends, and is billed for, no date from then on. INVALID_STATE when it has
    ended already, INVALID on leaveDate for a date it does not attend."""
    if subscription.group_session_id != current.id:
        raise ValueError("current must be the subscription's session")
    ensure_active(subscription)
    check_end_date(subscription, current, leave_date, "leaveDate")
    end_subscription(subscription, leave_date)


def suggested_credit(group_session: GroupSession, subscription: Span, transfer_date: date,
                     invoiced_months: Iterable[YearMonth]) -> Money:
    """What the invoiced dates from `transfer_date` on were billed at: for each invoiced month
    (pass the months of the subscription's invoices that are not VOID), the pro-rated price
    of its billed dates on or after `transfer_date`, by the rule they were billed with (the
    subscription was open-ended then, so its `end_date` is ignored)."""
    credits = []
    for month in sorted(set(invoiced_months)):
        dates = billed_dates(group_session, month, subscription.start_date)
        unused = sum(1 for d in dates if d >= transfer_date)
        credits.append(prorate(group_session.price, unused, month_slots(group_session.weekday,
                month)))
    return total(credits, group_session.currency)


@dataclass(frozen=True)
class TransferPreview:
    lines: list[InvoiceLine]
    suggested_credit: Money
    new_group_session_first_dates: list[date]


def preview_transfer(
    subscription: GroupSubscription, current: GroupSession, target: GroupSession, *,
    transfer_date: date, first_date: date, invoiced_months: Iterable[YearMonth], today: date,
    first_dates: int = 8,
) -> TransferPreview:
    """The new subscription's first invoice lines (before any discount), the suggested credit,
    and the target's next `first_dates` dates from `today`. Same refusals as `transfer`
    except capacity."""
    check_transfer(subscription, current, target, transfer_date, first_date)
    return TransferPreview(
        first_month_lines(target, first_date),
        suggested_credit(current, subscription, transfer_date, invoiced_months),
        target.upcoming_dates(today, first_dates),
    )
