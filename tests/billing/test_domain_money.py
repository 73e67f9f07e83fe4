"""Money: exact Decimal arithmetic, half-up rounding to the minor unit, and no floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import (
    Money,
    is_practice_currency,
    minor_unit,
    money_input,
    round_half_up,
    total,
)

CURRENCIES = ["GBP", "USD", "EUR", "JPY", "KRW", "KWD", "BHD"]
amounts = st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False,
                      allow_infinity=False, places=6)


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


@pytest.mark.parametrize("bad", [1.5, 0.0, float("nan")])
def test_floats_are_refused_wherever_money_takes_a_number(bad: float) -> None:
    with pytest.raises(TypeError):
        Money(bad, "GBP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(bad, "GBP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gbp("1.00") * bad
    with pytest.raises(TypeError):
        bad * gbp("1.00")
    with pytest.raises(TypeError):
        gbp("1.00").percent(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money_input(bad, "GBP", ("price",))  # type: ignore[arg-type]


def test_other_non_decimals_are_refused_too() -> None:
    with pytest.raises(TypeError):
        Money("1.00", "GBP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "GBP")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(Decimal("NaN"), "GBP")
    with pytest.raises(ValueError):
        Money(Decimal("Infinity"), "GBP")
    with pytest.raises(ValueError):
        Money.of("twelve", "GBP")
    with pytest.raises(ValueError):
        Money(Decimal(1), "gbp")
    with pytest.raises(TypeError):
        gbp("1.00") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        assert gbp("1.00") < 2  # type: ignore[operator]


def test_ints_are_exact_and_equal_amounts_are_equal_whatever_their_places() -> None:
    assert Money(3, "GBP") == gbp("3.00") == gbp("3")  # type: ignore[arg-type]
    assert hash(gbp("3.0")) == hash(gbp("3.00"))
    assert gbp("3.00") != Money.of("3.00", "USD")


@pytest.mark.parametrize(("currency", "places"), [
    ("GBP", 2), ("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0),
    ("KWD", 3), ("BHD", 3), ("OMR", 3), ("JOD", 3), ("TND", 3), ("IQD", 3), ("LYD", 3),
    # where the old hand-kept table was wrong
    ("BIF", 0), ("DJF", 0), ("GNF", 0), ("KMF", 0), ("RWF", 0), ("UYI", 0), ("VUV", 0),
    ("XPF", 0), ("CLF", 4), ("UYW", 4),
])
def test_minor_units(currency: str, places: int) -> None:
    assert minor_unit(currency) == places
    assert Money.zero(currency).amount.as_tuple().exponent == -places


@pytest.mark.parametrize("currency", ["XYZ", "XXX", "XAU", "XDR"])
def test_a_code_without_a_minor_unit_prices_nothing(currency: str) -> None:
    with pytest.raises(ValueError, match="no minor unit"):
        minor_unit(currency)


@pytest.mark.parametrize(("currency", "allowed"), [
    ("GBP", True), ("RWF", True), ("XAF", True), ("XPF", True), ("UYW", True),
    ("XXX", False), ("XTS", False), ("XAU", False), ("XAG", False), ("XDR", False),
    ("BOV", False), ("CLF", False), ("USN", False), ("XYZ", False),
])
def test_practice_currencies_are_money(currency: str, allowed: bool) -> None:
    assert is_practice_currency(currency) is allowed


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    ("0.125", "GBP", "0.13"),
    ("0.124999", "GBP", "0.12"),
    ("-0.125", "GBP", "-0.13"),
    ("0.005", "GBP", "0.01"),
    ("2.5", "JPY", "3"),
    ("-2.5", "JPY", "-3"),
    ("1.0005", "KWD", "1.001"),
    ("1.0004", "KWD", "1.000"),
    ("7", "GBP", "7.00"),
])
def test_rounding_is_half_up_to_the_minor_unit(amount: str, currency: str, expected: str) -> None:
    rounded = Money.of(amount, currency).rounded()
    assert str(rounded.amount) == expected
    assert rounded.is_rounded
    assert Money.of(amount, currency).is_rounded == (Decimal(amount) == Decimal(expected))


def test_arithmetic_is_exact() -> None:
    assert gbp("0.1") + gbp("0.2") == gbp("0.3")
    assert gbp("0.1") * 3 == gbp("0.3")
    assert gbp("10.00") * Decimal("0.333") == gbp("3.33")
    assert gbp("1") - gbp("1.01") == gbp("-0.01")
    assert -gbp("2.50") == gbp("-2.50")
    big = Money.of("12345678901234567890.123456789", "GBP")
    product = (big * 7 * Decimal("1.1")).amount   # 31 digits: beyond the default precision
    assert Fraction(product) == Fraction(big.amount) * 7 * Fraction("1.1")
    assert total([gbp("1.10"), gbp("2.20"), gbp("3.30")], "GBP") == gbp("6.60")
    assert total([], "JPY") == Money.zero("JPY")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError):
        gbp("1") + Money.of("1", "USD")
    with pytest.raises(ValueError):
        assert gbp("1") < Money.of("2", "USD")
    with pytest.raises(ValueError):
        total([Money.of("1", "USD")], "GBP")


def test_fraction_and_percent_round_once_half_up() -> None:
    assert gbp("100").fraction(1, 3) == gbp("33.33")
    assert gbp("100").fraction(2, 3) == gbp("66.67")
    assert gbp("0.10").fraction(1, 4) == gbp("0.03")   # 0.025
    assert gbp("33.33").percent(Decimal(15)) == gbp("5.00")   # 4.9995
    assert gbp("0.05").percent(50) == gbp("0.03")   # 0.025
    assert Money.of("333", "JPY").percent(Decimal(15)) == Money.of("50", "JPY")   # 49.95
    with pytest.raises(ZeroDivisionError):
        gbp("1").fraction(1, 0)


def test_money_input_refuses_negative_or_over_precise_amounts_naming_the_field() -> None:
    assert str(money_input(Decimal("12.5"), "GBP", ("monthlyPrice",)).amount) == "12.50"
    assert money_input(Decimal(0), "GBP", ("monthlyPrice",)).is_zero()
    for value, currency, positive in [("-0.01", "GBP", False), ("12.345", "GBP", False),
                                      ("0.5", "JPY", False), ("0", "GBP", True)]:
        with pytest.raises(DomainError) as caught:
            money_input(Decimal(value), currency, ("discount", "amount"), positive=positive)
        (problem,) = caught.value.problems
        assert (problem.code, problem.field) == (ErrorCode.INVALID, ("discount", "amount"))


@given(amounts, st.sampled_from(CURRENCIES))
def test_rounded_agrees_with_decimal_round_half_up(amount: Decimal, currency: str) -> None:
    places = minor_unit(currency)
    oracle = amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, Context(prec=60))
    rounded = Money(amount, currency).rounded().amount
    assert rounded == oracle
    assert rounded.as_tuple().exponent == -places
    assert abs(rounded - amount) <= Decimal(1).scaleb(-places) / 2


@given(st.fractions(max_denominator=10**6), st.integers(0, 4))
@example(Fraction(10**28 + 1), 0)   # more digits than Decimal's default context keeps
def test_round_half_up_is_nearest_with_ties_away_from_zero(value: Fraction, places: int) -> None:
    rounded = Fraction(round_half_up(value, places))
    step = Fraction(1, 10**places)
    assert abs(rounded - value) <= step / 2
    if abs(rounded - value) == step / 2:
        assert abs(rounded) > abs(value)


@given(amounts, amounts, st.integers(-1000, 1000))
def test_sums_and_products_are_exact(a: Decimal, b: Decimal, k: int) -> None:
    assert (Money(a, "GBP") + Money(b, "GBP")).amount == Fraction(a) + Fraction(b)
    assert Fraction((Money(a, "GBP") * k).amount) == Fraction(a) * k
