"""Time off: a practitioner's days or part days away, and the practice's closures (bank
holidays), as plain data turned into instants.

A time off runs from `starts_on` (at `start_time`, or the start of that day) to `ends_on`
(until `end_time`, or the end of that day), in local wall-clock time: the practitioner's
timezone for their own time off, the practice's for a closure, which applies to every
practitioner. Local times become instants with `availability.to_utc`, one local date at a
time, so a day off is the whole local day even when the clocks change on it (23 or 25 hours).

The client side and guests never book inside time off (it is not availability); the practice
may, with an explicit override (`ensure_clear`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.appointments.availability import Interval, overlaps, to_utc
from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate

MAX_DAYS = 366
MAX_REASON = 200
_MIDNIGHT = time(0, 0)


@dataclass(eq=False)
class TimeOff(Aggregate):
    """One stretch away. `practitioner_id` None: a closure of the whole practice."""

    id: uuid.UUID
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID | None
    starts_on: date
    ends_on: date
    start_time: time | None
    end_time: time | None
    reason: str | None
    created_at: datetime

    @property
    def is_closure(self) -> bool:
        return self.practitioner_id is None

    def interval(self, timezone: str) -> Interval:
        """[start, end) in UTC, reading the local dates and times in `timezone`."""
        begins = to_utc(self.starts_on, self.start_time or _MIDNIGHT, timezone)
        if self.end_time is None:
            return begins, to_utc(self.ends_on + timedelta(days=1), _MIDNIGHT, timezone)
        return begins, to_utc(self.ends_on, self.end_time, timezone)

    def describe(self) -> str:
        what = self.reason or ("the practice is closed" if self.is_closure else "time off")
        return f"{what}, {self.starts_on.isoformat()}"


def new_time_off(
    *, practice_id: uuid.UUID, practitioner_id: uuid.UUID | None, starts_on: date,
    ends_on: date | None, start_time: time | None, end_time: time | None,
    reason: str | None, now: datetime,
) -> TimeOff:
    """A checked time off: INVALID on `endsOn` (before the start, or over a year long), on
    `endTime` (not after the start on a single day) and on `reason` (too long)."""
    last = ends_on or starts_on
    problems = Problems()
    if last < starts_on:
        problems.add(ErrorCode.INVALID, "endsOn must be on or after startsOn.", "endsOn")
    elif (last - starts_on).days >= MAX_DAYS:
        problems.add(ErrorCode.INVALID, f"Time off may span at most {MAX_DAYS} days.",
                     "endsOn")
    if (last == starts_on and start_time is not None and end_time is not None
            and end_time <= start_time):
        problems.add(ErrorCode.INVALID, "endTime must be after startTime.", "endTime")
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_REASON:
        problems.add(ErrorCode.INVALID, f"reason may be at most {MAX_REASON} characters.",
                     "reason")
    problems.raise_if_any()
    return TimeOff(
        id=uuid.uuid4(), practice_id=practice_id, practitioner_id=practitioner_id,
        starts_on=starts_on, ends_on=last, start_time=start_time, end_time=end_time,
        reason=text, created_at=now,
    )


@dataclass(frozen=True)
class Zones:
    """Where a practitioner's time off and their practice's closures are read."""

    practitioner: str
    practice: str

    def of(self, entry: TimeOff) -> str:
        return self.practice if entry.is_closure else self.practitioner


def intervals(entries: Iterable[TimeOff], zones: Zones) -> list[Interval]:
    """Every entry as UTC [start, end), sorted; empty ones (a part day inside a DST gap)
    are left out."""
    found = (entry.interval(zones.of(entry)) for entry in entries)
    return sorted(i for i in found if i[0] < i[1])


def covering(
    entries: Iterable[TimeOff], zones: Zones, start: datetime, end: datetime
) -> TimeOff | None:
    """The first time off (by start) that [start, end) runs into, if any."""
    hits = [(e.interval(zones.of(e)), e) for e in entries]
    inside = [(i, e) for i, e in hits if overlaps(start, end, *i)]
    return min(inside, key=lambda pair: pair[0])[1] if inside else None


def ensure_clear(
    entries: Iterable[TimeOff], zones: Zones, start: datetime, end: datetime, *,
    allowed: bool, field: str = "startsAt",
) -> None:
    """The practice side: TIME_OFF when the session runs into time off, unless `allowed`."""
    if allowed:
        return
    found = covering(entries, zones, start, end)
    if found is not None:
        raise DomainError.one(
            ErrorCode.TIME_OFF,
            f"That time falls in time off ({found.describe()}); set allowDuringTimeOff to "
            "book it anyway.",
            (field,),
        )
