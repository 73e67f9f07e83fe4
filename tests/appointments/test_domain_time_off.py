"""Time off as data: local dates and times become instants in the right timezone, across
daylight-saving changes, and availability and the practice-side rule respect them (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import pytest

from domain.accounts.practice import Weekday, WorkingHours
from domain.appointments.availability import available_slots, is_bookable
from domain.appointments.time_off import TimeOff, Zones, ensure_clear, intervals, new_time_off
from domain.shared.errors import DomainError, ErrorCode

LONDON, NEW_YORK = "Europe/London", "America/New_York"
ZONES = Zones(practitioner=NEW_YORK, practice=LONDON)
NOW = datetime(2027, 1, 4, tzinfo=UTC)
EVERY_DAY = tuple(WorkingHours(day, time(9), time(17)) for day in Weekday)
PRACTICE, ME = uuid.uuid4(), uuid.uuid4()


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def away(starts_on: date, ends_on: date | None = None, start: time | None = None,
         end: time | None = None, *, closure: bool = False) -> TimeOff:
    return new_time_off(practice_id=PRACTICE, practitioner_id=None if closure else ME,
                        starts_on=starts_on, ends_on=ends_on, start_time=start, end_time=end,
                        reason=None, now=NOW)


def test_a_day_off_on_the_spring_change_is_23_hours_of_london_time() -> None:
    # given a closure (London) on the day London's clocks go forward, 28 March 2027
    closure = away(date(2027, 3, 28), closure=True)
    # when it becomes instants
    [(start, end)] = intervals([closure], ZONES)
    # then it runs from midnight GMT to midnight BST: 23 hours
    assert (start, end) == (utc(3, 28), utc(3, 28, 23))


def test_a_day_off_on_the_autumn_change_is_25_hours_of_london_time() -> None:
    closure = away(date(2027, 10, 31), closure=True)
    [(start, end)] = intervals([closure], ZONES)
    assert (start, end) == (utc(10, 30, 23), utc(11, 1))


def test_a_practitioners_own_time_off_is_read_in_their_timezone_a_closure_in_the_practices(
) -> None:
    # given a New York practitioner's day off and a London closure on the same date
    mine, closure = away(date(2027, 1, 5)), away(date(2027, 1, 5), closure=True)
    # then each is that local day where it is read
    assert intervals([mine], ZONES) == [(utc(1, 5, 5), utc(1, 6, 5))]
    assert intervals([closure], ZONES) == [(utc(1, 5), utc(1, 6))]


def test_a_part_day_and_a_range_with_times() -> None:
    afternoon = away(date(2027, 1, 5), start=time(13), end=time(15, 30))
    stretch = away(date(2027, 1, 5), date(2027, 1, 7), start=time(12))
    assert intervals([afternoon, stretch], Zones(LONDON, LONDON)) == [
        (utc(1, 5, 12), utc(1, 8)), (utc(1, 5, 13), utc(1, 5, 15, 30))]


def test_availability_across_the_spring_change_leaves_out_a_range_off_and_keeps_the_rest(
) -> None:
    # given a London practitioner who works every day 09:00-17:00 and is off from Saturday
    # 27 to Sunday 28 March 2027 (the clocks go forward on the Sunday)
    zones = Zones(LONDON, LONDON)
    off = intervals([away(date(2027, 3, 27), date(2027, 3, 28))], zones)
    # when availability is read from Friday to Monday
    found = available_slots(working_hours=EVERY_DAY, timezone=LONDON, start=utc(3, 26),
                            end=utc(3, 30), duration_minutes=60, time_off=off)
    days = sorted({slot.starts_at.date() for slot in found})
    # then Friday (GMT) and Monday (BST) are offered, at 09:00 local each, and not the weekend
    assert days == [date(2027, 3, 26), date(2027, 3, 29)]
    firsts = [min(s.starts_at for s in found if s.starts_at.date() == d) for d in days]
    assert firsts == [utc(3, 26, 9), utc(3, 29, 8)]


def test_is_bookable_refuses_a_time_inside_or_running_into_a_part_day() -> None:
    # given Monday 29 March 2027 (BST) off from 10:00 to 12:00 local
    off = intervals([away(date(2027, 3, 29), start=time(10), end=time(12))],
                    Zones(LONDON, LONDON))
    common = {"working_hours": EVERY_DAY, "timezone": LONDON, "time_off": off}
    # then 09:00 BST (ends 09:50) and 12:00 BST are bookable; 11:00 and 09:15 BST are not
    assert is_bookable(utc(3, 29, 8), 50, **common)
    assert is_bookable(utc(3, 29, 11), 50, **common)
    assert not is_bookable(utc(3, 29, 10), 50, **common)
    assert not is_bookable(utc(3, 29, 8, 15), 50, **common)


def test_the_practice_side_needs_the_override_inside_time_off() -> None:
    entries = [away(date(2027, 1, 5), closure=True)]
    with pytest.raises(DomainError) as refused:
        ensure_clear(entries, ZONES, utc(1, 5, 10), utc(1, 5, 11), allowed=False)
    [problem] = refused.value.problems
    assert (problem.code, problem.field) == (ErrorCode.TIME_OFF, ("startsAt",))
    ensure_clear(entries, ZONES, utc(1, 5, 10), utc(1, 5, 11), allowed=True)
    ensure_clear(entries, ZONES, utc(1, 6, 10), utc(1, 6, 11), allowed=False)


def test_bad_time_off_is_refused_with_every_problem() -> None:
    with pytest.raises(DomainError) as refused:
        new_time_off(practice_id=PRACTICE, practitioner_id=ME, starts_on=date(2027, 1, 5),
                     ends_on=date(2027, 1, 4), start_time=None, end_time=None,
                     reason="x" * 201, now=NOW)
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.INVALID, ("endsOn",)), (ErrorCode.INVALID, ("reason",))]
    with pytest.raises(DomainError) as backwards:
        away(date(2027, 1, 5), start=time(13), end=time(12))
    assert [p.field for p in backwards.value.problems] == [("endTime",)]
    assert away(date(2027, 1, 5)).ends_on == date(2027, 1, 5)  # a single day by default
