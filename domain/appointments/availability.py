"""Availability: working hours, minus booked sessions, minus other relationships' reserved slots.

Times in and out are timezone-aware datetimes (answers are in UTC). Working hours and reserved
slots are wall-clock times in the practitioner's timezone, so they are turned into instants one
local date at a time, which keeps them right across daylight-saving changes.

Reading a wall-clock time `t` on a local date (`to_utc`): the first instant at which the
practitioner's clock shows `t` or later on that date. So an ambiguous time in the autumn
overlap is its first occurrence (fold=0), and a time that does not exist in the spring gap is
skipped forward to the instant the clocks jump (01:30 on London's March change day is 02:00
BST). A working stretch lasts the real time between its two ends: 00:00-04:00 is 3 hours on
London's March change day and 5 hours on the October one.

Intervals are half-open, [start, end): back-to-back sessions do not overlap.

A slot starts on a local quarter hour (:00, :15, :30, :45 on the practitioner's clock), lies
wholly inside one working stretch, and overlaps no busy interval and no reserved-slot
occurrence of another relationship. Every real instant counts: in the autumn overlap both
01:15 BST and 01:15 GMT can be offered, each once. `available_slots` answers the slots that
*start* in [from, to), so consecutive ranges page through availability without gaps or
repeats; a slot may end after `to`.
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from domain.accounts.practice import Weekday, WorkingHours
from domain.shared.errors import DomainError, ErrorCode, Problems

MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480
MAX_RANGE = timedelta(days=31)
QUARTER = timedelta(minutes=15)
_ONE_DAY = timedelta(days=1)


class TimeSlot(NamedTuple):
    """A bookable (starts_at, ends_at) in UTC; also usable as a plain 2-tuple."""

    starts_at: datetime
    ends_at: datetime


Interval = tuple[datetime, datetime]


class WeeklyTime(Protocol):
    """A reserved weekly time of one relationship, as the ReservedSlot aggregate holds it."""

    @property
    def relationship_id(self) -> uuid.UUID: ...
    @property
    def weekday(self) -> Weekday: ...
    @property
    def start_time(self) -> time: ...
    @property
    def duration_minutes(self) -> int: ...


@dataclass(frozen=True)
class Reservation:
    """A plain WeeklyTime: `start_time` is local wall-clock time in the practitioner's zone."""

    relationship_id: uuid.UUID
    weekday: Weekday
    start_time: time
    duration_minutes: int


# ---------------------------------------------------------------- validation


def check_duration(minutes: int, field: str = "durationMinutes") -> int:
    if isinstance(minutes, bool) or not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise DomainError.one(
            ErrorCode.INVALID,
            f"{field} must be between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES}.",
            (field,),
        )
    return minutes


def check_range(start: datetime, end: datetime) -> None:
    """INVALID on "from" for a naive start; on "to" for a naive, early or too distant end."""
    problems = Problems()
    if start.tzinfo is None:
        problems.add(ErrorCode.INVALID, "from needs a UTC offset.", "from")
    if end.tzinfo is None:
        problems.add(ErrorCode.INVALID, "to needs a UTC offset.", "to")
    problems.raise_if_any()
    if end <= start:
        problems.add(ErrorCode.INVALID, "to must be after from.", "to")
    elif end - start > MAX_RANGE:
        problems.add(ErrorCode.INVALID, f"A range may span at most {MAX_RANGE.days} days.", "to")
    problems.raise_if_any()


# ---------------------------------------------------------------- local time


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def to_utc(day: date, at: time, tz: str | ZoneInfo) -> datetime:
    """The first instant at which the local clock shows `at` or later on `day` (see above)."""
    zone = _zone(tz)
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    after = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the offset before any change
    if _wall(after, zone) == wall:
        return after
    # In a gap: the clocks jump past `wall` somewhere in (before, after]. Find the jump.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(before + timedelta(seconds=middle), zone) < wall:
            low = middle
        else:
            high = middle
    return before + timedelta(seconds=high)


def local_weekday_and_time(start_utc: datetime, tz: str | ZoneInfo) -> tuple[Weekday, time]:
    """The practitioner-local weekday and wall-clock time of an instant (to reserve it weekly)."""
    local = _wall(start_utc, _zone(tz))
    return Weekday(local.weekday()), local.time()


def same_local_time_next_week(start_utc: datetime, tz: str | ZoneInfo) -> datetime:
    """One week later at the same local wall-clock time, in UTC: 168 hours, give or take DST."""
    local = _wall(start_utc, _zone(tz))
    return to_utc(local.date() + timedelta(days=7), local.time(), tz)


def is_quarter_hour(instant: datetime, tz: str | ZoneInfo) -> bool:
    local = instant.astimezone(_zone(tz))
    return local.minute % 15 == 0 and local.second == 0 and local.microsecond == 0


def _next_quarter(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at or after `instant` that falls on a local quarter hour."""
    while not is_quarter_hour(instant, zone):
        local = instant.astimezone(zone)
        past = timedelta(minutes=local.minute % 15, seconds=local.second,
                         microseconds=local.microsecond)
        instant = instant + (QUARTER - past)
    return instant


def _local_dates(start: datetime, end: datetime, zone: ZoneInfo, margin: int) -> Iterator[date]:
    """Local dates from `margin` days before `start` to `margin` days after `end`."""
    day = _wall(start, zone).date() - timedelta(days=margin)
    last = _wall(end, zone).date() + timedelta(days=margin)
    while day <= last:
        yield day
        day += _ONE_DAY


# ---------------------------------------------------------------- intervals


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals overlap; touching ends do not."""
    return a_start < b_end and b_start < a_end


def working_stretches(
    working_hours: Iterable[WorkingHours], tz: str | ZoneInfo, start: datetime, end: datetime
) -> list[Interval]:
    """Working stretches in UTC, sorted, that overlap [start, end)."""
    zone = _zone(tz)
    stretches: list[Interval] = []
    hours = tuple(working_hours)
    for day in _local_dates(start, end, zone, margin=1):
        for stretch in hours:
            if stretch.weekday.value != day.weekday():
                continue
            opens, closes = to_utc(day, stretch.start, zone), to_utc(day, stretch.end, zone)
            if opens < closes and overlaps(opens, closes, start, end):
                stretches.append((opens, closes))
    return sorted(stretches)


def weekly_occurrences(
    weekday: Weekday, local_start: time, duration_min: int, tz: str | ZoneInfo,
    range_start: datetime, range_end: datetime,
) -> Iterator[Interval]:
    """UTC intervals of a weekly local time that overlap [range_start, range_end), in order.
    Each occurrence lasts `duration_min` real minutes from `to_utc(date, local_start)`."""
    zone = _zone(tz)
    length = timedelta(minutes=duration_min)
    margin = length.days + 1
    for day in _local_dates(range_start, range_end, zone, margin):
        if day.weekday() == weekday.value:
            begins = to_utc(day, local_start, zone)
            if overlaps(begins, begins + length, range_start, range_end):
                yield begins, begins + length


def reserved_intervals(
    reserved: Iterable[WeeklyTime], tz: str | ZoneInfo, start: datetime, end: datetime,
    for_relationship: uuid.UUID | None = None,
) -> list[Interval]:
    """Occurrences in [start, end) of reserved slots of relationships other than
    `for_relationship` (None: every reserved slot blocks)."""
    return [
        interval
        for slot in reserved
        if slot.relationship_id != for_relationship
        for interval in weekly_occurrences(
            slot.weekday, slot.start_time, slot.duration_minutes, tz, start, end)
    ]


class _Blocked:
    """Merged busy intervals, for a logarithmic 'is this free?'."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        merged: list[list[datetime]] = []
        for begins, ends in sorted(i for i in intervals if i[0] < i[1]):
            if merged and begins <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], ends)
            else:
                merged.append([begins, ends])
        self._starts = [m[0] for m in merged]
        self._ends = [m[1] for m in merged]

    def is_free(self, start: datetime, end: datetime) -> bool:
        index = bisect_right(self._ends, start)  # first interval ending after `start`
        return index == len(self._starts) or self._starts[index] >= end


def is_free(start: datetime, end: datetime, busy: Iterable[Interval]) -> bool:
    """True when [start, end) overlaps none of `busy` (the practice side's only check)."""
    return not any(overlaps(start, end, b_start, b_end) for b_start, b_end in busy)


# ---------------------------------------------------------------- availability


def _slots_in(stretch: Interval, length: timedelta, zone: ZoneInfo, earliest: datetime,
              latest: datetime, blocked: _Blocked) -> Iterator[TimeSlot]:
    """Free quarter-hour slots of `length` inside `stretch` starting in [earliest, latest)."""
    opens, closes = stretch
    begins = _next_quarter(max(opens, earliest), zone)
    while begins < latest and begins + length <= closes:
        if blocked.is_free(begins, begins + length):
            yield TimeSlot(begins.astimezone(UTC), (begins + length).astimezone(UTC))
        begins = _next_quarter(begins + QUARTER, zone)


def available_slots(
    *,
    working_hours: Sequence[WorkingHours],
    timezone: str,
    start: datetime,
    end: datetime,
    duration_minutes: int,
    busy: Iterable[Interval] = (),
    reserved: Iterable[WeeklyTime] = (),
    for_relationship: uuid.UUID | None = None,
    not_before: datetime | None = None,
    time_off: Iterable[Interval] = (),
) -> list[TimeSlot]:
    """Bookable slots starting in [start, end) (GraphQL `from`/`to`), sorted, in UTC.

    `busy`: booked sessions' (start, end). `time_off`: the practitioner's time off and the
    practice's closures (domain.appointments.time_off.intervals). `reserved`: the
    practitioner's reserved slots; those
    of `for_relationship` (the relationship the booking is for, if any) do not block.
    `not_before`: client side, pass `now`; slots starting before it are left out.
    Raises INVALID on "from"/"to" (range) and "durationMinutes"."""
    problems = Problems()
    problems.check(check_range, start, end)
    problems.check(check_duration, duration_minutes)
    problems.raise_if_any()
    zone = ZoneInfo(timezone)
    length = timedelta(minutes=duration_minutes)
    earliest = start if not_before is None else max(start, not_before)
    if earliest >= end:
        return []
    blocked = _Blocked([*busy, *time_off, *reserved_intervals(
        reserved, zone, start, end + length, for_relationship)])
    stretches = working_stretches(working_hours, zone, start, end + length)
    found = (slot for stretch in stretches
             for slot in _slots_in(stretch, length, zone, earliest, end, blocked))
    return sorted(dict.fromkeys(found))  # stretches never overlap when validated; be safe


def is_bookable(
    start: datetime,
    duration_minutes: int,
    *,
    working_hours: Sequence[WorkingHours],
    timezone: str,
    busy: Iterable[Interval] = (),
    reserved: Iterable[WeeklyTime] = (),
    for_relationship: uuid.UUID | None = None,
    not_before: datetime | None = None,
    time_off: Iterable[Interval] = (),
) -> bool:
    """True exactly when `available_slots` over a range holding `start` would offer it:
    on a local quarter hour, not before `not_before`, wholly inside one working stretch,
    clear of `busy`, of `time_off` and of other relationships' reserved slots. A bad duration
    raises INVALID."""
    check_duration(duration_minutes)
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    zone = ZoneInfo(timezone)
    end = start + timedelta(minutes=duration_minutes)
    if (not_before is not None and start < not_before) or not is_quarter_hour(start, zone):
        return False
    stretches = working_stretches(working_hours, zone, start, end)
    if not any(opens <= start and end <= closes for opens, closes in stretches):
        return False
    blocking = [*busy, *time_off,
                *reserved_intervals(reserved, zone, start, end, for_relationship)]
    return is_free(start, end, blocking)


def slot_unavailable(field: str = "startsAt") -> DomainError:
    """The refusal for a start `is_bookable` (client side) or `is_free` (practice side) denies."""
    return DomainError.one(ErrorCode.SLOT_UNAVAILABLE, "That time is not available.", (field,))
