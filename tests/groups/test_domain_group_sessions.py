"""Weekly group sessions, subscriptions, monthly pro-rated billing and transfers (seed 001)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts.practice import Weekday
from domain.groups.group_sessions import (
    MAX_UPCOMING_DATES,
    GroupSession,
    GroupSubscription,
    SubscriptionStatus,
    WeeklySchedule,
    YearMonth,
    check_room,
    enroll,
    enrolled_on,
    ensure_room,
    first_month_lines,
    local_to_utc,
    month_slots,
    monthly_lines,
    new_service,
    preview_transfer,
    prorate,
    suggested_credit,
    transfer,
    validate_group_session,
)
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
PRACTICE = uuid.uuid4()
CLIENT, PAYER = uuid.uuid4(), uuid.uuid4()
LONDON = "Europe/London"


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def a_group_session(name: str = "Tuesday Yoga", weekday: Weekday = Weekday.TUESDAY,
            starts_on: date = date(2027, 1, 5), ends_on: date | None = None,
            price: str = "100.00", capacity: int = 10, start_time: time = time(18, 0)
            ) -> GroupSession:
    details = validate_group_session(
        name=name, weekday=weekday, start_time=start_time.strftime("%H:%M"),
        duration_minutes=60, capacity=capacity, monthly_price=Decimal(price), currency="GBP",
        starts_on=starts_on, ends_on=ends_on)
    return GroupSession.create(details, practice_id=PRACTICE, service_id=uuid.uuid4(),
                               practitioner_id=uuid.uuid4(), now=NOW)


def subscribe(to: GroupSession, start: date, end: date | None = None) -> GroupSubscription:
    status = SubscriptionStatus.ACTIVE if end is None else SubscriptionStatus.ENDED
    return GroupSubscription(uuid.uuid4(), PRACTICE, to.id, CLIENT, PAYER, status, start, end,
                               NOW)


@dataclass(frozen=True)
class Span:
    start_date: date
    end_date: date | None = None


def fields(error: pytest.ExceptionInfo[DomainError]) -> dict[tuple[str, ...] | None, ErrorCode]:
    return {p.field: p.code for p in error.value.problems}


# ------------------------------------------------------------------ calendar

def test_year_months() -> None:
    assert YearMonth(2027, 12).next() == YearMonth(2028, 1)
    assert YearMonth(2028, 2).last_day == date(2028, 2, 29)
    assert YearMonth(2027, 6).label == "June 2027"
    assert YearMonth.of(date(2027, 6, 15)) == YearMonth(2027, 6)
    assert not YearMonth(2027, 6).is_due(date(2027, 5, 31))
    assert YearMonth(2027, 6).is_due(date(2027, 6, 1))
    assert YearMonth(2027, 12).is_due(date(2028, 1, 2))
    with pytest.raises(ValueError):
        YearMonth(2027, 13)


def test_weekly_dates_from_starts_on_to_ends_on_inclusive() -> None:
    schedule = WeeklySchedule(Weekday.TUESDAY, date(2027, 6, 1), date(2027, 6, 22))
    assert schedule.is_group_session_date(date(2027, 6, 1))
    assert schedule.is_group_session_date(date(2027, 6, 22))
    assert not schedule.is_group_session_date(date(2027, 5, 25))   # before it starts
    assert not schedule.is_group_session_date(date(2027, 6, 29))   # after it ends
    assert not schedule.is_group_session_date(date(2027, 6, 2))    # a Wednesday
    assert schedule.upcoming_dates(date(2027, 6, 9), 8) == [date(2027, 6, 15), date(2027, 6, 22)]
    assert schedule.upcoming_dates(date(2027, 5, 1), 2) == [date(2027, 6, 1), date(2027, 6, 8)]
    assert schedule.dates_in_month(2027, 6) == [date(2027, 6, d) for d in (1, 8, 15, 22)]
    assert schedule.dates_in_month(2027, 7) == []
    endless = WeeklySchedule(Weekday.TUESDAY, date(2027, 6, 1))
    assert endless.dates_in_month(2027, 7) == [date(2027, 7, d) for d in (6, 13, 20, 27)]
    assert len(endless.upcoming_dates(date(2027, 6, 1), 10_000)) == MAX_UPCOMING_DATES
    assert endless.upcoming_dates(date(2027, 6, 1), 0) == []
    with pytest.raises(ValueError):
        WeeklySchedule(Weekday.MONDAY, date(2027, 6, 1))


@given(st.sampled_from(list(Weekday)), st.dates(date(2020, 1, 1), date(2035, 1, 1)),
       st.dates(date(2020, 1, 1), date(2035, 1, 1)), st.integers(0, 30))
def test_upcoming_dates_are_consecutive_group_session_dates_from_today(
    weekday: Weekday, around: date, today: date, n: int
) -> None:
    starts_on = around + timedelta(days=(weekday.value - around.weekday()) % 7)
    schedule = WeeklySchedule(weekday, starts_on)
    dates = schedule.upcoming_dates(today, n)
    assert len(dates) == n
    assert all(schedule.is_group_session_date(d) and d >= today for d in dates)
    assert all(b - a == timedelta(days=7) for a, b in pairwise(dates))
    if dates:   # none skipped: the week before the first is before today or the start
        assert dates[0] - timedelta(days=7) < max(today, starts_on)


# ------------------------------------------------------------------ time zones

def test_a_weekly_time_keeps_its_wall_clock_across_london_dst() -> None:
    sunday = a_group_session("Sunday Stretch", Weekday.SUNDAY, date(2027, 3, 14), start_time=time(
            10))
    # spring forward on Sunday 28 March 2027, back on Sunday 31 October 2027
    assert sunday.starts_at(date(2027, 3, 21), LONDON) == datetime(2027, 3, 21, 10, tzinfo=UTC)
    assert sunday.starts_at(date(2027, 3, 28), LONDON) == datetime(2027, 3, 28, 9, tzinfo=UTC)
    assert sunday.starts_at(date(2027, 10, 24), LONDON) == datetime(2027, 10, 24, 9, tzinfo=UTC)
    assert sunday.starts_at(date(2027, 10, 31), LONDON) == datetime(2027, 10, 31, 10, tzinfo=UTC)
    assert sunday.ends_at(date(2027, 3, 28), LONDON) == datetime(2027, 3, 28, 10, tzinfo=UTC)
    assert sunday.starts_at(date(2027, 3, 28), "America/New_York") == datetime(
        2027, 3, 28, 14, tzinfo=UTC)
    with pytest.raises(ValueError):
        sunday.starts_at(date(2027, 3, 29), LONDON)


def test_times_that_dst_skips_or_repeats() -> None:
    # 01:30 does not exist on 28 March: read with GMT, so it is 02:30 BST
    assert local_to_utc(date(2027, 3, 28), time(1, 30), LONDON) == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC)
    # 01:30 happens twice on 31 October: the first, BST, one
    assert local_to_utc(date(2027, 10, 31), time(1, 30), LONDON) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC)


@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)))
def test_every_london_group_session_starts_at_its_local_time(day: date) -> None:
    start = local_to_utc(day, time(18, 15), LONDON)
    assert start.tzinfo is UTC
    local = start.astimezone(ZoneInfo(LONDON))
    assert (local.date(), local.time()) == (day, time(18, 15))


# ------------------------------------------------------------------ creating

def test_create_group_session_reports_every_problem_with_its_field() -> None:
    with pytest.raises(DomainError) as caught:
        validate_group_session(
            name="  ", weekday=Weekday.TUESDAY, start_time="25:00", duration_minutes=4,
            capacity=0, monthly_price=Decimal("-1"), currency="GBP",
            starts_on=date(2027, 6, 2), ends_on=date(2027, 6, 1))
    assert fields(caught) == dict.fromkeys(
        [("name",), ("startTime",), ("durationMinutes",), ("capacity",), ("monthlyPrice",),
         ("startsOn",), ("endsOn",)], ErrorCode.INVALID)
    assert "2027-06-08" in str(caught.value)   # the next Tuesday, named, not silently chosen


@pytest.mark.parametrize(("change", "field"), [
    ({"duration_minutes": 481}, "durationMinutes"), ({"capacity": 1001}, "capacity"),
    ({"monthly_price": Decimal("10.001")}, "monthlyPrice"), ({"start_time": "7:00"}, "startTime"),
])
def test_create_group_session_bounds(change: dict[str, object], field: str) -> None:
    values: dict[str, object] = dict(
        name="Yoga", weekday=Weekday.TUESDAY, start_time="07:00", duration_minutes=480,
        capacity=1000, monthly_price=Decimal(0), currency="GBP", starts_on=date(2027, 6, 1),
        ends_on=date(2027, 6, 1))
    assert validate_group_session(**values).capacity == 1000  # type: ignore[arg-type]
    with pytest.raises(DomainError) as caught:
        validate_group_session(**(values | change))  # type: ignore[arg-type]
    assert fields(caught) == {(field,): ErrorCode.INVALID}


def test_group_session_keeps_the_validated_values() -> None:
    yoga = a_group_session(price="85.5", ends_on=date(2027, 12, 28))
    assert (yoga.name, yoga.weekday, yoga.start_time) == ("Tuesday Yoga", Weekday.TUESDAY,
                                                         time(18))
    assert yoga.price == gbp("85.50") and str(yoga.monthly_price) == "85.50"
    assert yoga.schedule == WeeklySchedule(Weekday.TUESDAY, date(2027, 1, 5), date(2027, 12, 28))


def test_new_service() -> None:
    service = new_service(PRACTICE, " Yoga ", "  ", NOW)
    assert (service.name, service.description) == ("Yoga", None)
    with pytest.raises(DomainError) as caught:
        new_service(PRACTICE, "", "x" * 2001, NOW)
    assert set(fields(caught)) == {("name",), ("description",)}


# ------------------------------------------------------------------ enrolling and capacity

def test_enrolment_starts_on_a_group_session_date_that_is_not_past() -> None:
    yoga = a_group_session()
    sub = enroll(yoga, client_id=CLIENT, payer_id=PAYER, first_date=date(2027, 6, 15),
                 today=date(2027, 6, 15), enrolled=[], now=NOW)
    assert (sub.status, sub.start_date, sub.end_date) == (SubscriptionStatus.ACTIVE,
                                                         date(2027, 6, 15), None)
    assert (sub.group_session_id, sub.client_id, sub.payer_id) == (yoga.id, CLIENT, PAYER)
    for first_date in (date(2027, 6, 16), date(2027, 6, 8)):
        with pytest.raises(DomainError) as caught:
            enroll(yoga, client_id=CLIENT, payer_id=PAYER, first_date=first_date,
                   today=date(2027, 6, 15), enrolled=[], now=NOW)
        assert fields(caught) == {("firstDate",): ErrorCode.INVALID}


def test_a_full_group_session_refuses_with_group_session_full() -> None:
    yoga = a_group_session(capacity=2)
    taken = [Span(date(2027, 6, 1)), Span(date(2027, 6, 8))]
    with pytest.raises(DomainError) as caught:
        enroll(yoga, client_id=CLIENT, payer_id=PAYER, first_date=date(2027, 6, 15),
               today=date(2027, 6, 1), enrolled=taken, now=NOW)
    assert fields(caught) == {("sessionId",): ErrorCode.SESSION_FULL}


def test_capacity_counts_later_starts_and_frees_ended_places() -> None:
    # a place that ends on 15 June is free from then on
    check_room(1, [Span(date(2027, 6, 1), date(2027, 6, 15))], date(2027, 6, 15), ("sessionId",))
    # 22 June is free now, but someone already starts on 29 June: an open-ended place won't fit
    with pytest.raises(DomainError):
        check_room(1, [Span(date(2027, 6, 29))], date(2027, 6, 22), ("sessionId",))
    spans = [Span(date(2027, 6, 1), date(2027, 6, 15)), Span(date(2027, 6, 8))]
    assert [enrolled_on(spans, date(2027, 6, d)) for d in (1, 8, 15)] == [1, 2, 1]
    ensure_room(2, 1, ("sessionId",))
    with pytest.raises(DomainError) as caught:
        ensure_room(2, 2, ("toSessionId",))
    assert fields(caught) == {("toSessionId",): ErrorCode.SESSION_FULL}


# ------------------------------------------------------------------ monthly billing

def test_first_month_is_pro_rated_over_the_months_weekdays() -> None:
    yoga = a_group_session()   # Tuesdays; June 2027 has five (1, 8, 15, 22, 29)
    (line,) = first_month_lines(yoga, date(2027, 6, 15))
    assert line.description == "Tuesday Yoga, June 2027 (3 of 5 sessions)"
    assert (line.quantity, line.unit_price, line.amount) == (1, gbp("60.00"), gbp("60.00"))
    (july,) = first_month_lines(yoga, date(2027, 7, 6))
    assert july.description == "Tuesday Yoga, July 2027 (4 sessions)"
    assert july.amount == gbp("100.00")


@pytest.mark.parametrize(("price", "first_day", "amount"), [
    ("99.99", 13, "74.99"),   # 3 of 4: 74.9925
    ("10.01", 27, "2.50"),    # 1 of 4: 2.5025
    ("0.10", 27, "0.03"),     # 1 of 4: 0.025, half-up
    ("100.00", 20, "50.00"),
])
def test_pro_rating_rounds_half_up(price: str, first_day: int, amount: str) -> None:
    (line,) = first_month_lines(a_group_session(price=price), date(2027, 7, first_day))
    assert line.amount == gbp(amount) and str(line.amount.amount) == amount


def test_a_group_session_that_starts_or_ends_mid_month_bills_only_its_dates() -> None:
    late = a_group_session(starts_on=date(2027, 6, 15))
    (line,) = first_month_lines(late, date(2027, 6, 15))
    assert line.description.endswith("(3 of 5 sessions)")
    ending = a_group_session(ends_on=date(2027, 7, 13))
    sub = Span(date(2027, 6, 1))
    (july,) = monthly_lines(ending, sub, YearMonth(2027, 7))
    assert (july.description, july.amount) == ("Tuesday Yoga, July 2027 (2 of 4 sessions)",
                                               gbp("50.00"))
    assert monthly_lines(ending, sub, YearMonth(2027, 8)) == []
    assert monthly_lines(a_group_session(), Span(date(2027, 6, 1), date(2027, 7, 6)),
                         YearMonth(2027, 7)) == []


@given(st.decimals(min_value=0, max_value=100_000, places=2), st.sampled_from(list(Weekday)),
       st.integers(2020, 2035), st.integers(1, 12))
def test_a_full_month_costs_exactly_the_monthly_price(
    price: Decimal, weekday: Weekday, year: int, month: int
) -> None:
    ym = YearMonth(year, month)
    slots = month_slots(weekday, ym)
    assert slots in (4, 5)
    assert prorate(Money(price, "GBP"), slots, slots) == Money(price, "GBP")
    starts_on = date(2019, 12, 30) + timedelta(days=weekday.value)   # a Monday + weekday
    group = a_group_session(weekday=weekday, starts_on=starts_on, price=str(price))
    (line,) = monthly_lines(group, Span(starts_on), ym)
    assert line.amount == Money(price, "GBP")


@given(st.decimals(min_value=0, max_value=100_000, places=2), st.integers(0, 5),
       st.integers(0, 5))
def test_pro_rating_is_monotone_and_bounded(price: Decimal, a: int, b: int) -> None:
    low, high = sorted((a, b))
    money = Money(price, "GBP")
    assert Money.zero("GBP") <= prorate(money, low, 5) <= prorate(money, high, 5) <= money


# ------------------------------------------------------------------ transfers

def transfer_setup() -> tuple[GroupSession, GroupSession, GroupSubscription]:
    tuesday = a_group_session()
    thursday = a_group_session("Thursday Pilates", Weekday.THURSDAY, date(2027, 1, 7),
            price="80.00")
    return tuesday, thursday, subscribe(tuesday, date(2027, 6, 1))


def test_the_seeds_transfer_ends_one_subscription_and_starts_a_linked_one() -> None:
    tuesday, thursday, current = transfer_setup()
    new = transfer(current, tuesday, thursday, transfer_date=date(2027, 7, 13),
                   first_date=date(2027, 7, 15), target_enrolled=[], now=NOW)
    assert (current.status, current.end_date) == (SubscriptionStatus.ENDED, date(2027, 7, 13))
    assert not current.attends_on(date(2027, 7, 13)) and current.attends_on(date(2027, 7, 6))
    assert (new.status, new.group_session_id, new.start_date) == (
        SubscriptionStatus.ACTIVE, thursday.id, date(2027, 7, 15))
    assert (new.client_id, new.payer_id) == (current.client_id, current.payer_id)
    assert (current.transferred_to_id, new.transferred_from_id) == (new.id, current.id)


@pytest.mark.parametrize(("transfer_date", "to", "first_date", "expected"), [
    (date(2027, 7, 14), "other", date(2027, 7, 15), {("transferDate",)}),   # a Wednesday
    (date(2027, 5, 25), "other", date(2027, 7, 15), {("transferDate",)}),   # before the start
    (date(2027, 7, 13), "same", date(2027, 7, 20), {("toSessionId",)}),
    (date(2027, 7, 13), "other", date(2027, 7, 13), {("firstDate",)}),      # not a Thursday
    (date(2027, 7, 14), "other", date(2027, 7, 14), {("transferDate",), ("firstDate",)}),
])
def test_transfer_refusals_name_their_field_and_change_nothing(
    transfer_date: date, to: str, first_date: date, expected: set[tuple[str, ...]]
) -> None:
    tuesday, thursday, current = transfer_setup()
    target = tuesday if to == "same" else thursday
    with pytest.raises(DomainError) as caught:
        transfer(current, tuesday, target, transfer_date=transfer_date, first_date=first_date,
                 target_enrolled=[], now=NOW)
    assert fields(caught) == dict.fromkeys(expected, ErrorCode.INVALID)
    assert (current.status, current.end_date, current.transferred_to_id) == (
        SubscriptionStatus.ACTIVE, None, None)


def test_transfer_into_a_full_group_session_or_from_an_ended_one_is_refused() -> None:
    tuesday, thursday, current = transfer_setup()
    thursday.capacity = 1
    with pytest.raises(DomainError) as caught:
        transfer(current, tuesday, thursday, transfer_date=date(2027, 7, 13),
                 first_date=date(2027, 7, 15), target_enrolled=[Span(date(2027, 6, 3))], now=NOW)
    assert fields(caught) == {("toSessionId",): ErrorCode.SESSION_FULL}
    assert current.status is SubscriptionStatus.ACTIVE and current.end_date is None
    ended = subscribe(tuesday, date(2027, 6, 1), date(2027, 6, 29))
    with pytest.raises(DomainError) as caught:
        transfer(ended, tuesday, thursday, transfer_date=date(2027, 6, 15),
                 first_date=date(2027, 7, 15), target_enrolled=[], now=NOW)
    assert fields(caught) == {("subscriptionId",): ErrorCode.INVALID_STATE}


def test_transfer_preview_lines_credit_and_first_dates() -> None:
    tuesday, thursday, current = transfer_setup()
    preview = preview_transfer(
        current, tuesday, thursday, transfer_date=date(2027, 7, 13), first_date=date(2027, 7, 15),
        invoiced_months=[YearMonth(2027, 6), YearMonth(2027, 7)], today=date(2027, 7, 12),
        first_dates=3)
    # July's Tuesdays 13, 20, 27 were invoiced and will not be attended: 3 of 4 of 100.00
    assert preview.suggested_credit == gbp("75.00")
    (line,) = preview.lines   # Thursdays 15, 22, 29 of July's five (1, 8, 15, 22, 29)
    assert (line.description, line.amount) == ("Thursday Pilates, July 2027 (3 of 5 sessions)",
                                               gbp("48.00"))
    assert preview.new_group_session_first_dates == [date(2027, 7, 15), date(2027, 7, 22),
                                               date(2027, 7, 29)]
    assert current.status is SubscriptionStatus.ACTIVE   # a preview changes nothing
    with pytest.raises(DomainError):
        preview_transfer(current, tuesday, tuesday, transfer_date=date(2027, 7, 13),
                         first_date=date(2027, 7, 20), invoiced_months=[], today=NOW.date())


def test_suggested_credit_counts_only_invoiced_months_and_the_first_months_own_dates() -> None:
    yoga = a_group_session(price="99.99")
    sub = subscribe(yoga, date(2027, 6, 15))   # June billed 3 of 5: 15, 22, 29
    assert suggested_credit(yoga, sub, date(2027, 6, 22), [YearMonth(2027, 6)]) == gbp("40.00")
    assert suggested_credit(yoga, sub, date(2027, 6, 1), [YearMonth(2027, 6)]) == gbp("59.99")
    assert suggested_credit(yoga, sub, date(2027, 6, 22), []) == Money.zero("GBP")
    # July not invoiced yet: nothing to credit for it
    assert suggested_credit(yoga, sub, date(2027, 7, 6), [YearMonth(2027, 6)]) == Money.zero(
        "GBP")


@given(st.decimals(min_value=0, max_value=10_000, places=2),
       st.integers(0, 20), st.integers(0, 30), st.integers(1, 6))
def test_suggested_credit_never_exceeds_what_was_invoiced(
    price: Decimal, start_week: int, transfer_week: int, months: int
) -> None:
    yoga = a_group_session(price=str(price))
    sub = Span(date(2027, 1, 5) + timedelta(weeks=start_week))
    invoiced = [YearMonth.of(sub.start_date)]
    for _ in range(months - 1):
        invoiced.append(invoiced[-1].next())
    billed = [*first_month_lines(yoga, sub.start_date),
              *(line for m in invoiced[1:] for line in monthly_lines(yoga, sub, m))]
    invoiced_total = sum((line.amount for line in billed), Money.zero("GBP"))
    transfer_date = date(2027, 1, 5) + timedelta(weeks=transfer_week)
    credit = suggested_credit(yoga, sub, transfer_date, invoiced)
    assert Money.zero("GBP") <= credit <= invoiced_total
    if transfer_date <= sub.start_date:
        assert credit == invoiced_total
