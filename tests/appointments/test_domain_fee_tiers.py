"""Cancellation fee tiers at each boundary, their rounding, and what a policy may be (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appointments.fee_tiers import FeePolicy, FeeTier, fee_policy
from domain.appointments.policy import (
    AppointmentStatus,
    CancelledBy,
    Fee,
    fee_for,
    tiered_cancellation,
)
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money

START = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
TICK = timedelta(microseconds=1)
# The example: more than 48 h free, 24 to 48 h half, 24 h or less all.
TIERED = fee_policy([(48, Decimal(50)), (24, Decimal(100))])
PRICE = Money.of("80.00", "GBP")
offsets = st.one_of(
    st.integers(-180, 180).map(lambda m: timedelta(minutes=m)),
    st.integers(-3600, 3600).map(lambda s: timedelta(seconds=s)),
    st.sampled_from([-TICK, timedelta(0), TICK]),
)


def percent_at(fee_policy_: FeePolicy, notice: timedelta) -> Decimal:
    return fee_for(PRICE, fee_policy_, START, START - notice).percent


# ---------------------------------------------------------------- each tier at its boundary


@given(offsets)
def test_the_48_hour_boundary_parts_free_from_half(offset: timedelta) -> None:
    # given a cancellation `offset` beyond 48 hours' notice (negative: inside)
    percent = percent_at(TIERED, 48 * H + offset)
    # then more than 48 hours is free, 48 hours exactly or less (down to 24) is half
    assert percent == (Decimal(0) if offset > timedelta(0) else Decimal(50))


@given(offsets)
def test_the_24_hour_boundary_parts_half_from_all(offset: timedelta) -> None:
    percent = percent_at(TIERED, 24 * H + offset)
    assert percent == (Decimal(50) if offset > timedelta(0) else Decimal(100))


@given(st.integers(0, 24 * 3600 * 4).map(lambda s: timedelta(seconds=s)))
def test_any_notice_falls_in_exactly_the_tier_its_hours_say(notice: timedelta) -> None:
    expected = (Decimal(100) if notice <= 24 * H else Decimal(50) if notice <= 48 * H
                else Decimal(0))
    assert percent_at(TIERED, notice) == expected


def test_a_session_already_started_costs_the_innermost_tier() -> None:
    assert percent_at(TIERED, -H) == Decimal(100)


@given(st.integers(2, 720), offsets)
def test_the_default_policy_is_the_window_at_100_percent(hours: int, offset: timedelta) -> None:
    percent = percent_at(FeePolicy.default(hours), hours * H + offset)
    assert percent == (Decimal(0) if offset > timedelta(0) else Decimal(100))


def test_the_default_is_48_hours_at_100_percent() -> None:
    assert FeePolicy.default() == FeePolicy((FeeTier(48, Decimal(100)),))
    assert FeePolicy.default().notice_hours == 48


# ---------------------------------------------------------------- money: exact, rounded half-up


@pytest.mark.parametrize(("price", "currency", "percent", "fee"), [
    ("80.00", "GBP", "50", "40.00"),
    ("75.25", "GBP", "50", "37.63"),     # 37.625: a tie goes up
    ("75.23", "GBP", "50", "37.62"),     # 37.615 -> 37.62
    ("10.00", "GBP", "33.33", "3.33"),   # 3.333 -> 3.33
    ("0.01", "GBP", "50", "0.01"),       # 0.005: a tie goes up
    ("1500", "RWF", "50", "750"),        # no minor unit
    ("1501", "RWF", "50", "751"),        # 750.5 -> 751
    ("12.345", "KWD", "25", "3.086"),    # three places: 3.08625 -> 3.086
    ("99.99", "GBP", "100", "99.99"),
])
def test_a_fee_is_the_percent_of_the_price_rounded_half_up_to_the_minor_unit(
    price: str, currency: str, percent: str, fee: str
) -> None:
    tiers = fee_policy([(48, Decimal(percent))])
    quote = fee_for(Money.of(price, currency), tiers, START, START - 30 * H)
    assert quote.amount == Money.of(fee, currency)
    assert str(quote.amount.amount) == fee  # exactly the minor unit's places


@given(st.integers(1, 10**9).map(lambda c: Decimal(c).scaleb(-2)),
       st.integers(1, 10000).map(lambda p: Decimal(p).scaleb(-2)))
def test_a_fee_never_exceeds_the_price_and_is_within_half_a_penny_of_exact(
    price: Decimal, percent: Decimal
) -> None:
    tiers = fee_policy([(48, percent)])
    fee = fee_for(Money(price, "GBP"), tiers, START, START - H).amount.amount
    exact = price * percent / 100
    assert Decimal(0) <= fee <= price
    assert abs(fee - exact) <= Decimal("0.005")


# ---------------------------------------------------------------- who cancels


def test_a_client_inside_a_tier_cancels_late_and_the_fee_stands() -> None:
    outcome = tiered_cancellation(CancelledBy.CLIENT, PRICE, TIERED, START, START - 30 * H)
    assert outcome.status is AppointmentStatus.LATE_CANCELLED
    assert outcome.fee is Fee.STANDS and outcome.late
    assert outcome.quote is not None
    assert (outcome.quote.percent, outcome.quote.amount, outcome.quote.within_hours) == (
        Decimal(50), Money.of("40.00", "GBP"), 48)


def test_a_client_beyond_every_tier_cancels_free() -> None:
    outcome = tiered_cancellation(CancelledBy.CLIENT, PRICE, TIERED, START, START - 49 * H)
    assert (outcome.status, outcome.fee) == (AppointmentStatus.CANCELLED, Fee.WAIVED)
    assert outcome.quote is not None and outcome.quote.amount == Money.of("0.00", "GBP")


def test_the_practice_cancelling_never_charges_whatever_the_tier() -> None:
    outcome = tiered_cancellation(CancelledBy.PRACTICE, PRICE, TIERED, START, START - H)
    assert (outcome.status, outcome.fee) == (AppointmentStatus.CANCELLED, Fee.WAIVED)


def test_a_package_session_keeps_its_credit_and_owes_no_money() -> None:
    outcome = tiered_cancellation(CancelledBy.CLIENT, PRICE, TIERED, START, START - 30 * H,
                                  package_credit=True)
    assert outcome.late and outcome.quote is not None
    assert outcome.quote.package_credit_kept
    assert outcome.quote.amount == Money.of("0.00", "GBP")


# ---------------------------------------------------------------- what a policy may be


def test_tiers_in_any_order_are_kept_most_notice_first() -> None:
    assert fee_policy([(24, Decimal(100)), (48, Decimal(50))]) == TIERED
    assert TIERED.notice_hours == 48


def problems(tiers: list[tuple[int, Decimal]]) -> list[tuple[tuple[str, ...] | None, ErrorCode]]:
    with pytest.raises(DomainError) as refused:
        fee_policy(tiers)
    return [(p.field, p.code) for p in refused.value.problems]


def test_a_policy_needs_one_to_six_tiers() -> None:
    assert problems([]) == [(("tiers",), ErrorCode.INVALID)]
    assert problems([(h, Decimal(h)) for h in range(2, 9)]) == [(("tiers",), ErrorCode.INVALID)]


def test_each_bad_tier_is_named() -> None:
    assert problems([(0, Decimal(50)), (48, Decimal(0)), (900, Decimal("100.5")),
                     (12, Decimal("12.345"))]) == [
        (("tiers", "0", "withinHours"), ErrorCode.INVALID),
        (("tiers", "1", "percent"), ErrorCode.INVALID),
        (("tiers", "2", "withinHours"), ErrorCode.INVALID),
        (("tiers", "2", "percent"), ErrorCode.INVALID),
        (("tiers", "3", "percent"), ErrorCode.INVALID),
    ]


def test_hours_are_each_given_once() -> None:
    assert problems([(24, Decimal(50)), (24, Decimal(100))]) == [
        (("tiers", "0", "withinHours"), ErrorCode.INVALID),
        (("tiers", "1", "withinHours"), ErrorCode.INVALID),
    ]


def test_less_notice_must_cost_more() -> None:
    assert problems([(48, Decimal(100)), (24, Decimal(50))]) == [
        (("tiers", "1", "percent"), ErrorCode.INVALID)]
    assert problems([(48, Decimal(50)), (24, Decimal(50))]) == [
        (("tiers", "1", "percent"), ErrorCode.INVALID)]


def test_the_window_opens_before_the_last_hour() -> None:
    assert problems([(1, Decimal(100))]) == [(("tiers", "0", "withinHours"), ErrorCode.INVALID)]
    assert fee_policy([(2, Decimal(50)), (1, Decimal(100))]).notice_hours == 2
