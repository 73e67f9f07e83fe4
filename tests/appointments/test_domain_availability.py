"""Availability: working hours minus sessions minus other relationships' reserved slots, in the
practitioner's timezone across daylight-saving changes (pure, no server)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts.practice import DEFAULT_WORKING_HOURS, Weekday, WorkingHours
from domain.appointments.availability import (
    Interval,
    Reservation,
    TimeSlot,
    available_slots,
    is_bookable,
    is_free,
    is_quarter_hour,
    local_weekday_and_time,
    overlaps,
    reserved_intervals,
    same_local_time_next_week,
    slot_unavailable,
    to_utc,
    weekly_occurrences,
    working_stretches,
)
from domain.shared.errors import DomainError, ErrorCode

LONDON, NEW_YORK, KATHMANDU = "Europe/London", "America/New_York", "Asia/Kathmandu"
# Last Sundays of March and October 2024 in London; second Sunday of March, first of November
# in New York.
LONDON_SPRING, LONDON_AUTUMN = date(2024, 3, 31), date(2024, 10, 27)
NY_SPRING, NY_AUTUMN = date(2024, 3, 10), date(2024, 11, 3)
MINE, OTHER = uuid.uuid4(), uuid.uuid4()
M = timedelta(minutes=1)
H = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(weekday: Weekday, start: str, end: str) -> WorkingHours:
    return WorkingHours(weekday, time.fromisoformat(start), time.fromisoformat(end))


def slots(start: datetime, end: datetime, *, tz: str = LONDON, duration: int = 50,
          working: tuple[WorkingHours, ...] = DEFAULT_WORKING_HOURS, **more: object
          ) -> list[TimeSlot]:
    return available_slots(working_hours=working, timezone=tz, start=start, end=end,
                           duration_minutes=duration, **more)  # type: ignore[arg-type]


def local(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%a %H:%M %Z")


def field_of(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, ...] | None]:
    assert all(p.code is ErrorCode.INVALID for p in error.value.problems)
    return [p.field for p in error.value.problems]


# ---------------------------------------------------------------- the input


def test_to_must_be_after_from() -> None:
    for end in (utc(2027, 1, 4), utc(2027, 1, 3)):
        with pytest.raises(DomainError) as caught:
            slots(utc(2027, 1, 4), end)
        assert field_of(caught) == [("to",)]


def test_ranges_are_capped_at_31_days() -> None:
    start = utc(2027, 1, 4)
    assert slots(start, start + timedelta(days=31))
    with pytest.raises(DomainError) as caught:
        slots(start, start + timedelta(days=31, microseconds=1))
    assert field_of(caught) == [("to",)]


def test_naive_times_and_bad_durations_are_named_all_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        slots(datetime(2027, 1, 4), datetime(2027, 1, 5), duration=0)
    assert field_of(caught) == [("from",), ("to",), ("durationMinutes",)]


@pytest.mark.parametrize("duration", [-50, 0, 4, 481, 10_000])
def test_durations_must_be_sensible(duration: int) -> None:
    with pytest.raises(DomainError) as caught:
        slots(utc(2027, 1, 4), utc(2027, 1, 5), duration=duration)
    assert field_of(caught) == [("durationMinutes",)]
    with pytest.raises(DomainError):
        is_bookable(utc(2027, 1, 4, 9), duration, working_hours=DEFAULT_WORKING_HOURS,
                    timezone=LONDON)


@pytest.mark.parametrize("duration", [5, 480])
def test_duration_bounds_are_allowed(duration: int) -> None:
    slots(utc(2027, 1, 4), utc(2027, 1, 5), duration=duration)


# ---------------------------------------------------------------- an ordinary day


def test_a_winter_monday_in_london() -> None:
    found = slots(utc(2027, 1, 4), utc(2027, 1, 5))  # a Monday, GMT
    assert found[0] == TimeSlot(utc(2027, 1, 4, 9), utc(2027, 1, 4, 9, 50))
    assert found[-1] == TimeSlot(utc(2027, 1, 4, 16), utc(2027, 1, 4, 16, 50))
    assert len(found) == 29  # 09:00 to 16:00 by quarter hours
    assert all(s.starts_at.tzinfo is UTC and s.ends_at.tzinfo is UTC for s in found)
    assert slots(utc(2027, 1, 9), utc(2027, 1, 11)) == []  # the weekend


def test_slots_start_on_the_local_quarter_hour() -> None:
    working = (hours(Weekday.MONDAY, "09:10", "10:40"),)
    found = slots(utc(2027, 1, 4), utc(2027, 1, 5), duration=30, working=working)
    assert [s.starts_at.strftime("%H:%M") for s in found] == ["09:15", "09:30", "09:45", "10:00"]


def test_quarter_hours_are_local_not_utc() -> None:
    # Kathmandu is UTC+05:45: 09:00 there is 03:15 UTC.
    found = slots(utc(2027, 1, 3, 18), utc(2027, 1, 4, 18), tz=KATHMANDU)
    assert found[0].starts_at == utc(2027, 1, 4, 3, 15)
    assert {s.starts_at.astimezone(ZoneInfo(KATHMANDU)).minute for s in found} == {0, 15, 30, 45}
    assert {s.starts_at.minute for s in found} == {0, 15, 30, 45}
    assert all(is_quarter_hour(s.starts_at, KATHMANDU) for s in found)
    assert not any(s.starts_at.minute % 15 for s in slots(
        utc(2027, 1, 4, 9, 7), utc(2027, 1, 5)))


def test_slots_start_inside_the_range_and_may_end_after_it() -> None:
    found = slots(utc(2027, 1, 4, 10, 5), utc(2027, 1, 4, 11))
    assert [s.starts_at for s in found] == [utc(2027, 1, 4, 10, 15), utc(2027, 1, 4, 10, 30),
                                            utc(2027, 1, 4, 10, 45)]
    assert found[-1].ends_at == utc(2027, 1, 4, 11, 35)


def test_consecutive_ranges_page_without_gaps_or_repeats() -> None:
    start, middle, end = utc(2027, 1, 4), utc(2027, 1, 6, 12, 7), utc(2027, 1, 9)
    assert slots(start, middle) + slots(middle, end) == slots(start, end)


def test_a_slot_must_fit_inside_one_stretch() -> None:
    working = (hours(Weekday.MONDAY, "09:00", "12:00"), hours(Weekday.MONDAY, "13:00", "17:00"))
    found = slots(utc(2027, 1, 4), utc(2027, 1, 5), duration=60, working=working)
    starts = {s.starts_at for s in found}
    assert utc(2027, 1, 4, 11) in starts and utc(2027, 1, 4, 13) in starts
    assert not any(utc(2027, 1, 4, 11) < s < utc(2027, 1, 4, 13) for s in starts)


# ---------------------------------------------------------------- busy, reserved, now


def test_booked_appointments_block_and_back_to_back_is_fine() -> None:
    busy = [(utc(2027, 1, 4, 10), utc(2027, 1, 4, 11))]
    found = slots(utc(2027, 1, 4), utc(2027, 1, 5), duration=60, busy=busy)
    starts = [s.starts_at.strftime("%H:%M") for s in found if s.starts_at.hour < 12]
    assert starts == ["09:00", "11:00", "11:15", "11:30", "11:45"]


def test_reserved_slots_block_only_other_relationships() -> None:
    mine = Reservation(MINE, Weekday.MONDAY, time(10), 50)
    other = Reservation(OTHER, Weekday.MONDAY, time(14), 50)
    day = (utc(2027, 1, 4), utc(2027, 1, 5))
    for_me = {s.starts_at for s in slots(*day, reserved=[mine, other], for_relationship=MINE)}
    for_them = {s.starts_at for s in slots(*day, reserved=[mine, other], for_relationship=OTHER)}
    for_nobody = {s.starts_at for s in slots(*day, reserved=[mine, other])}
    assert utc(2027, 1, 4, 10) in for_me and utc(2027, 1, 4, 14) not in for_me
    assert utc(2027, 1, 4, 14) in for_them and utc(2027, 1, 4, 10) not in for_them
    assert not {utc(2027, 1, 4, 10), utc(2027, 1, 4, 14)} & for_nobody
    assert utc(2027, 1, 4, 13) in for_me and utc(2027, 1, 4, 13, 15) not in for_me
    assert utc(2027, 1, 4, 14, 45) not in for_me and utc(2027, 1, 4, 15) in for_me


def test_reserved_slots_recur_weekly() -> None:
    other = Reservation(OTHER, Weekday.WEDNESDAY, time(9), 60)
    found = {s.starts_at for s in slots(utc(2027, 1, 4), utc(2027, 1, 25), reserved=[other])}
    for wednesday in (6, 13, 20):
        assert utc(2027, 1, wednesday, 9) not in found
        assert utc(2027, 1, wednesday, 10) in found


def test_a_client_sees_only_future_starts() -> None:
    now = utc(2027, 1, 4, 11, 3)
    found = slots(utc(2027, 1, 4), utc(2027, 1, 5), not_before=now)
    assert found[0].starts_at == utc(2027, 1, 4, 11, 15)
    assert slots(utc(2027, 1, 4), utc(2027, 1, 5), not_before=utc(2027, 1, 4, 11))[0] \
        .starts_at == utc(2027, 1, 4, 11)
    assert slots(utc(2027, 1, 4), utc(2027, 1, 5), not_before=utc(2027, 2, 1)) == []


# ---------------------------------------------------------------- daylight saving


def test_london_spring_forward_week() -> None:
    # Friday 29 March is GMT, Monday 1 April is BST: 09:00 local moves from 09:00 to 08:00 UTC.
    found = slots(utc(2024, 3, 29), utc(2024, 4, 2))
    days = {s.starts_at.date(): s.starts_at for s in reversed(found)}
    assert days[date(2024, 3, 29)] == utc(2024, 3, 29, 9)
    assert days[date(2024, 4, 1)] == utc(2024, 4, 1, 8)
    assert len(found) == 2 * 29


def test_london_autumn_back_week() -> None:
    found = slots(utc(2024, 10, 25), utc(2024, 10, 29))
    firsts = sorted({s.starts_at.date(): s.starts_at for s in reversed(found)}.values())
    assert firsts == [utc(2024, 10, 25, 8), utc(2024, 10, 28, 9)]


def test_a_working_stretch_on_a_change_day_has_its_real_length() -> None:
    night = (hours(Weekday.SUNDAY, "00:00", "04:00"),)
    for day, length in ((LONDON_SPRING, 3 * H), (LONDON_AUTUMN, 5 * H)):
        start = datetime.combine(day, time(), UTC) - 2 * H
        ((opens, closes),) = working_stretches(night, LONDON, start, start + 8 * H)
        assert closes - opens == length
        found = slots(start, start + 8 * H, working=night, duration=60)
        assert len(found) == (length - H) // timedelta(minutes=15) + 1


def test_no_slot_starts_in_the_spring_gap() -> None:
    night = (hours(Weekday.SUNDAY, "00:00", "04:00"),)
    found = slots(utc(2024, 3, 30, 22), utc(2024, 3, 31, 6), working=night, duration=30)
    labels = [local(s.starts_at, LONDON) for s in found]
    assert "Sun 00:45 GMT" in labels and "Sun 02:00 BST" in labels
    assert not any(" 01:" in label for label in labels)
    assert found[labels.index("Sun 00:45 GMT")].ends_at == utc(2024, 3, 31, 1, 15)


def test_the_repeated_autumn_hour_is_offered_once_per_real_instant() -> None:
    night = (hours(Weekday.SUNDAY, "00:00", "04:00"),)
    found = slots(utc(2024, 10, 26, 22), utc(2024, 10, 27, 6), working=night, duration=30)
    labels = [local(s.starts_at, LONDON) for s in found]
    assert labels.count("Sun 01:15 BST") == labels.count("Sun 01:15 GMT") == 1
    assert len(set(found)) == len(found) == 19  # 5 hours less the last half hour, + 1


def test_stretch_bounds_in_the_gap_move_to_the_jump() -> None:
    working = (hours(Weekday.SUNDAY, "01:30", "03:00"),)
    ((opens, closes),) = working_stretches(working, LONDON, utc(2024, 3, 30), utc(2024, 4, 1))
    assert (opens, closes) == (utc(2024, 3, 31, 1), utc(2024, 3, 31, 2))
    inside_gap = (hours(Weekday.SUNDAY, "01:15", "01:45"),)
    assert working_stretches(inside_gap, LONDON, utc(2024, 3, 30), utc(2024, 4, 1)) == []


def test_new_york_changes() -> None:
    spring = slots(utc(2024, 3, 8), utc(2024, 3, 12), tz=NEW_YORK)
    assert spring[0].starts_at == utc(2024, 3, 8, 14)  # 09:00 EST
    assert next(s for s in spring if s.starts_at.date() == date(2024, 3, 11)).starts_at == \
        utc(2024, 3, 11, 13)  # 09:00 EDT
    autumn = slots(utc(2024, 11, 1), utc(2024, 11, 5), tz=NEW_YORK)
    assert autumn[0].starts_at == utc(2024, 11, 1, 13)
    assert next(s for s in autumn if s.starts_at.date() == date(2024, 11, 4)).starts_at == \
        utc(2024, 11, 4, 14)
    night = (hours(Weekday.SUNDAY, "00:00", "04:00"),)
    for day, length in ((NY_SPRING, 3 * H), (NY_AUTUMN, 5 * H)):
        start = datetime.combine(day, time(), UTC)
        ((opens, closes),) = working_stretches(night, NEW_YORK, start, start + 12 * H)
        assert closes - opens == length


def test_reserved_slots_keep_their_local_time_across_the_change() -> None:
    monday_ten = list(weekly_occurrences(Weekday.MONDAY, time(10), 50, LONDON,
                                         utc(2024, 3, 20), utc(2024, 4, 5)))
    assert monday_ten == [(utc(2024, 3, 25, 10), utc(2024, 3, 25, 10, 50)),
                          (utc(2024, 4, 1, 9), utc(2024, 4, 1, 9, 50))]
    other = Reservation(OTHER, Weekday.MONDAY, time(10), 50)
    found = {s.starts_at for s in slots(utc(2024, 3, 25), utc(2024, 4, 2), reserved=[other])}
    assert utc(2024, 3, 25, 10) not in found and utc(2024, 4, 1, 9) not in found
    assert utc(2024, 4, 1, 10) in found


def test_weekly_occurrences_overlapping_the_range_edges() -> None:
    got = list(weekly_occurrences(Weekday.MONDAY, time(23, 30), 60, LONDON,
                                  utc(2027, 1, 5, 0, 15), utc(2027, 1, 5, 0, 20)))
    assert got == [(utc(2027, 1, 4, 23, 30), utc(2027, 1, 5, 0, 30))]
    assert list(weekly_occurrences(Weekday.MONDAY, time(10), 60, LONDON,
                                   utc(2027, 1, 4, 11), utc(2027, 1, 5))) == []


def test_reserved_intervals_skip_the_booking_relationship() -> None:
    both = [Reservation(MINE, Weekday.MONDAY, time(10), 50),
            Reservation(OTHER, Weekday.MONDAY, time(12), 50)]
    span = (utc(2027, 1, 4), utc(2027, 1, 5))
    assert reserved_intervals(both, LONDON, *span, for_relationship=MINE) == [
        (utc(2027, 1, 4, 12), utc(2027, 1, 4, 12, 50))]
    assert len(reserved_intervals(both, LONDON, *span)) == 2


# ---------------------------------------------------------------- wall-clock helpers


def test_reading_wall_clock_times() -> None:
    assert to_utc(LONDON_SPRING, time(1, 30), LONDON) == utc(2024, 3, 31, 1)  # gap: the jump
    assert to_utc(LONDON_AUTUMN, time(1, 30), LONDON) == utc(2024, 10, 27, 0, 30)  # fold=0
    assert to_utc(NY_SPRING, time(2, 30), NEW_YORK) == utc(2024, 3, 10, 7)
    assert to_utc(NY_AUTUMN, time(1, 30), NEW_YORK) == utc(2024, 11, 3, 5, 30)
    assert to_utc(date(2011, 12, 30), time(12), "Pacific/Apia") == utc(2011, 12, 30, 10)


def test_same_local_time_next_week() -> None:
    spring = same_local_time_next_week(utc(2024, 3, 25, 10), LONDON)
    assert spring == utc(2024, 4, 1, 9)  # 10:00 GMT to 10:00 BST: 167 hours
    autumn = same_local_time_next_week(utc(2024, 10, 21, 9), LONDON)
    assert autumn == utc(2024, 10, 28, 10)  # 10:00 BST to 10:00 GMT: 169 hours
    assert same_local_time_next_week(utc(2024, 3, 4, 14), NEW_YORK) == utc(2024, 3, 11, 13)
    assert same_local_time_next_week(utc(2027, 1, 4, 9), LONDON) == utc(2027, 1, 11, 9)
    # 02:30 does not exist on New York's spring day: it moves to 03:00 EDT.
    assert same_local_time_next_week(utc(2024, 3, 3, 7, 30), NEW_YORK) == utc(2024, 3, 10, 7)
    # Any offset in: the answer is UTC.
    paris = utc(2027, 1, 4, 9).astimezone(timezone(timedelta(hours=1)))
    assert same_local_time_next_week(paris, LONDON).tzinfo is UTC


def test_local_weekday_and_time() -> None:
    assert local_weekday_and_time(utc(2024, 3, 31, 23, 30), LONDON) == (Weekday.MONDAY,
                                                                         time(0, 30))
    assert local_weekday_and_time(utc(2024, 11, 4, 3), NEW_YORK) == (Weekday.SUNDAY, time(22))
    weekday, at = local_weekday_and_time(utc(2024, 10, 27, 1, 15), LONDON)  # second 01:15
    assert (weekday, at, at.fold) == (Weekday.SUNDAY, time(1, 15), 0)


def test_overlaps_is_half_open() -> None:
    a, b, c = utc(2027, 1, 4, 9), utc(2027, 1, 4, 10), utc(2027, 1, 4, 11)
    assert not overlaps(a, b, b, c) and not overlaps(b, c, a, b)
    assert overlaps(a, c, b, b + M) and overlaps(a, b + M, b, c)
    assert is_free(a, b, [(b, c)]) and not is_free(a, b + M, [(b, c)])


def test_slot_unavailable_names_the_start() -> None:
    problem = slot_unavailable().problems[0]
    assert (problem.code, problem.field) == (ErrorCode.SLOT_UNAVAILABLE, ("startsAt",))


def test_a_full_31_day_range_matches_brute_force() -> None:
    everyday = tuple(hours(day, "07:00", "21:00") for day in Weekday)
    busy = [(utc(2027, 1, 1, 9) + k * 3 * H, utc(2027, 1, 1, 9, 50) + k * 3 * H)
            for k in range(250)]
    found = slots(utc(2027, 1, 1), utc(2027, 2, 1), working=everyday, busy=busy, duration=15)
    every_quarter = (utc(2027, 1, 1) + k * 15 * M for k in range(31 * 96))
    expected = [TimeSlot(s, s + 15 * M) for s in every_quarter
                if 7 <= s.hour < 21 and is_free(s, s + 15 * M, busy)]
    assert found == expected
    assert 31 * 30 < len(found) < 31 * 56


# ---------------------------------------------------------------- properties

ZONES = st.sampled_from([LONDON, NEW_YORK, KATHMANDU, "Australia/Lord_Howe"])
WEEK_STARTS = st.sampled_from([utc(2024, 3, 27), utc(2024, 10, 24), utc(2024, 3, 7),
                               utc(2024, 10, 31), utc(2024, 10, 3), utc(2027, 1, 4)])
minutes_into_week = st.integers(0, 7 * 24 * 60 - 1)
WORKING = tuple(hours(day, start, end) for day in Weekday
                for start, end in (("00:00", "03:30"), ("08:50", "12:00"), ("13:00", "18:05")))


@st.composite
def schedules(draw: st.DrawFn) -> tuple[str, datetime, list[Interval], list[Reservation], int]:
    tz = draw(ZONES)
    week = draw(WEEK_STARTS)
    busy = []
    for offset in draw(st.lists(minutes_into_week, max_size=12)):
        begins = week + offset * M
        busy.append((begins, begins + draw(st.integers(5, 180)) * M))
    reserved = [Reservation(draw(st.sampled_from([MINE, OTHER])), draw(st.sampled_from(Weekday)),
                            time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 20]))),
                            draw(st.integers(5, 120)))
                for _ in range(draw(st.integers(0, 4)))]
    return tz, week, busy, reserved, draw(st.integers(5, 240))


@settings(max_examples=60, deadline=None)
@given(schedules(), st.lists(minutes_into_week, min_size=1, max_size=20))
def test_is_bookable_agrees_with_available_slots(
    schedule: tuple[str, datetime, list[Interval], list[Reservation], int], probes: list[int]
) -> None:
    tz, week, busy, reserved, duration = schedule
    common = dict(working_hours=WORKING, timezone=tz, busy=busy, reserved=reserved,
                  for_relationship=MINE)
    found = available_slots(start=week, end=week + timedelta(days=7),
                            duration_minutes=duration, **common)  # type: ignore[arg-type]
    starts = {s.starts_at for s in found}
    for slot in found[:: max(1, len(found) // 25)]:
        assert is_bookable(slot.starts_at, duration, **common)  # type: ignore[arg-type]
    for probe in probes:
        start = week + probe * M
        assert is_bookable(start, duration, **common) is (  # type: ignore[arg-type]
            start in starts)


@settings(max_examples=60, deadline=None)
@given(schedules())
def test_every_slot_keeps_every_rule(
    schedule: tuple[str, datetime, list[Interval], list[Reservation], int],
) -> None:
    tz, week, busy, reserved, duration = schedule
    end = week + timedelta(days=7)
    found = available_slots(working_hours=WORKING, timezone=tz, start=week, end=end,
                            duration_minutes=duration, busy=busy, reserved=reserved,
                            for_relationship=MINE)
    assert found == sorted(set(found))
    blocking = busy + [i for r in reserved if r.relationship_id != MINE
                       for i in weekly_occurrences(r.weekday, r.start_time, r.duration_minutes,
                                                   tz, week, end + timedelta(days=1))]
    stretches = working_stretches(WORKING, tz, week, end + timedelta(days=1))
    for starts_at, ends_at in found:
        assert week <= starts_at < end and ends_at - starts_at == duration * M
        assert is_quarter_hour(starts_at, tz)
        assert any(o <= starts_at and ends_at <= c for o, c in stretches)
        assert is_free(starts_at, ends_at, blocking)


@given(ZONES, st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                           timezones=st.just(UTC)))
def test_next_week_is_the_same_local_weekday_and_time(tz: str, start: datetime) -> None:
    weekday, at = local_weekday_and_time(start, tz)
    following = same_local_time_next_week(start, tz)
    assert following.tzinfo is UTC
    assert timedelta(days=7) - 3 * H <= following - start <= timedelta(days=7) + 3 * H
    later_weekday, later_at = local_weekday_and_time(following, tz)
    assert later_weekday is weekday
    if later_at != at:  # `at` does not exist that day: the clocks jumped past it
        zone = ZoneInfo(tz)
        assert later_at > at
        assert (following - timedelta(seconds=1)).astimezone(zone).time() < at
        assert following.astimezone(zone).utcoffset() != (following - H).astimezone(
            zone).utcoffset()


@given(ZONES, st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                           timezones=st.just(UTC)))
def test_to_utc_is_the_first_instant_the_clock_shows_the_time(tz: str, instant: datetime) -> None:
    zone = ZoneInfo(tz)
    wall = instant.astimezone(zone)
    first = to_utc(wall.date(), wall.time(), tz)
    assert first <= instant
    assert first.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)
    if first != instant:  # an instant in the repeated autumn hour
        assert instant.astimezone(zone).fold == 1
