"""Invoices: discounts, totals, checkout and status changes, numbering."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing.billing import (
    Checkout,
    Discount,
    InvoiceLine,
    InvoiceState,
    InvoiceStatus,
    after_checkout,
    close,
    invoice_number,
    invoice_totals,
    needs_charge,
    parse_discount,
    pay,
)
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money

NOW = datetime(2027, 6, 15, 9, 30, tzinfo=UTC)


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def line(amount: str, quantity: int = 1, currency: str = "GBP") -> InvoiceLine:
    return InvoiceLine.of("Tuesday Yoga, June 2027", quantity, Money.of(amount, currency))


def refusal(error: pytest.ExceptionInfo[DomainError]) -> tuple[ErrorCode, tuple[str, ...] | None]:
    (problem,) = error.value.problems
    return problem.code, problem.field


# ------------------------------------------------------------------ lines

def test_a_line_is_quantity_times_unit_price() -> None:
    assert line("12.50", 3).amount == gbp("37.50")
    with pytest.raises(ValueError):
        line("12.50", 0)
    with pytest.raises(ValueError):
        InvoiceLine("x", 1, gbp("1.005"), gbp("1.005"))
    with pytest.raises(ValueError):
        InvoiceLine("x", 1, gbp("1"), Money.of("1", "USD"))


# ------------------------------------------------------------------ discount input

@pytest.mark.parametrize(("percent", "amount", "says"), [
    (None, None, "neither"), (Decimal(10), Decimal(5), "both"),
])
def test_a_discount_takes_exactly_one_of_percent_and_amount(
    percent: Decimal | None, amount: Decimal | None, says: str
) -> None:
    with pytest.raises(DomainError) as caught:
        parse_discount(percent, amount, "loyalty", "GBP")
    assert refusal(caught) == (ErrorCode.INVALID, ("discount",))
    assert "percent and amount" in str(caught.value) and says in str(caught.value)


@pytest.mark.parametrize("percent", ["0", "-5", "100.01", "NaN"])
def test_percent_is_more_than_0_and_at_most_100(percent: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_discount(Decimal(percent), None, None, "GBP")
    assert refusal(caught) == (ErrorCode.INVALID, ("discount", "percent"))


@pytest.mark.parametrize(("amount", "currency"), [("0", "GBP"), ("-1", "GBP"),
                                                  ("1.234", "GBP"), ("1.5", "JPY")])
def test_amount_is_positive_and_at_the_minor_unit(amount: str, currency: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_discount(None, Decimal(amount), None, currency)
    assert refusal(caught) == (ErrorCode.INVALID, ("discount", "amount"))


def test_a_valid_discount_keeps_a_trimmed_reason() -> None:
    assert parse_discount(Decimal(100), None, "  transfer credit ", "GBP") == Discount(
        Decimal(100), None, "transfer credit")
    assert parse_discount(None, Decimal("5.5"), "   ", "GBP") == Discount(None, gbp("5.50"))
    with pytest.raises(DomainError) as caught:
        parse_discount(Decimal(5), None, "x" * 201, "GBP")
    assert refusal(caught) == (ErrorCode.INVALID, ("discount", "reason"))


def test_float_discounts_are_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_discount(10.0, None, None, "GBP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_discount(None, 10.0, None, "GBP")  # type: ignore[arg-type]


# ------------------------------------------------------------------ totals

@pytest.mark.parametrize(("subtotal", "percent", "discount"), [
    ("33.33", "15", "5.00"),     # 4.9995 rounds half-up
    ("0.05", "50", "0.03"),      # 0.025
    ("0.20", "12.5", "0.03"),    # 0.025
    ("0.01", "33", "0.00"),      # 0.0033
    ("99.99", "33.333", "33.33"),
    ("10.00", "100", "10.00"),
])
def test_percent_discounts_are_rounded_half_up_on_the_subtotal(
    subtotal: str, percent: str, discount: str
) -> None:
    lines = [line(subtotal)]
    totals = invoice_totals(lines, parse_discount(Decimal(percent), None, None, "GBP"), "GBP")
    assert totals.subtotal == gbp(subtotal)
    assert totals.discount == gbp(discount)
    assert totals.total == gbp(subtotal) - gbp(discount)
    assert str(totals.discount.amount) == discount


def test_zero_decimal_currencies_round_to_whole_units() -> None:
    totals = invoice_totals([line("333", currency="JPY")],
                            parse_discount(Decimal(15), None, None, "JPY"), "JPY")
    assert (totals.discount, totals.total) == (Money.of("50", "JPY"), Money.of("283", "JPY"))


def test_totals_add_the_lines_and_subtract_the_discount() -> None:
    totals = invoice_totals([line("60.00"), line("12.50", 2)],
                            parse_discount(None, Decimal("5"), None, "GBP"), "GBP")
    assert (totals.subtotal, totals.discount, totals.total) == (
        gbp("85.00"), gbp("5.00"), gbp("80.00"))
    bare = invoice_totals([], None, "GBP")
    assert bare.subtotal == bare.discount == bare.total == Money.zero("GBP")
    with pytest.raises(ValueError):
        invoice_totals([line("1", currency="USD")], None, "GBP")


def test_an_amount_discount_may_equal_but_never_exceed_the_subtotal() -> None:
    assert invoice_totals([line("20.00")], parse_discount(None, Decimal(20), None, "GBP"),
                          "GBP").total == Money.zero("GBP")
    with pytest.raises(DomainError) as caught:
        invoice_totals([line("20.00")], parse_discount(None, Decimal("20.01"), None, "GBP"),
                       "GBP")
    assert refusal(caught) == (ErrorCode.INVALID, ("discount", "amount"))


prices = st.decimals(min_value=0, max_value=10_000, places=2)
percents = st.decimals(min_value=Decimal("0.01"), max_value=100, places=3)


@given(st.lists(st.tuples(prices, st.integers(1, 5)), max_size=6), percents)
def test_percent_discount_properties(items: list[tuple[Decimal, int]], percent: Decimal) -> None:
    lines = [InvoiceLine.of("x", q, Money(p, "GBP")) for p, q in items]
    totals = invoice_totals(lines, parse_discount(percent, None, None, "GBP"), "GBP")
    exact = totals.subtotal.amount * percent / 100
    oracle = exact.quantize(Decimal("0.01"), ROUND_HALF_UP, Context(prec=60))
    assert totals.discount.amount == oracle
    assert totals.discount <= totals.subtotal
    assert totals.total >= Money.zero("GBP")
    assert totals.total + totals.discount == totals.subtotal
    assert totals.total.is_rounded and totals.discount.is_rounded


@given(prices, st.decimals(min_value=Decimal("0.01"), max_value=20_000, places=2))
def test_amount_discount_properties(subtotal: Decimal, amount: Decimal) -> None:
    discount = parse_discount(None, amount, None, "GBP")
    lines = [InvoiceLine.of("x", 1, Money(subtotal, "GBP"))]
    if amount > subtotal:
        with pytest.raises(DomainError):
            invoice_totals(lines, discount, "GBP")
        return
    totals = invoice_totals(lines, discount, "GBP")
    assert totals.discount == Money(amount, "GBP") <= totals.subtotal
    assert totals.total + totals.discount == totals.subtotal


# ------------------------------------------------------------------ status and checkout

def test_paying_an_open_invoice_records_when() -> None:
    assert pay(InvoiceStatus.OPEN, NOW) == InvoiceState(InvoiceStatus.PAID, NOW)
    assert close(InvoiceStatus.OPEN) == InvoiceState(InvoiceStatus.CLOSED, None)
    with pytest.raises(ValueError):
        pay(InvoiceStatus.OPEN, datetime(2027, 6, 15, 9, 30))


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.CLOSED, InvoiceStatus.VOID])
def test_only_an_open_invoice_can_be_paid_or_closed(status: InvoiceStatus) -> None:
    for change in (lambda: pay(status, NOW), lambda: close(status)):
        with pytest.raises(DomainError) as caught:
            change()
        assert refusal(caught)[0] is ErrorCode.INVALID_STATE
        assert status.value in str(caught.value)


def test_checkout_decides_the_new_invoices_state() -> None:
    assert after_checkout(Checkout.PAY_NOW, NOW) == InvoiceState(InvoiceStatus.PAID, NOW)
    assert after_checkout(Checkout.PAY_LATER, NOW) == InvoiceState(InvoiceStatus.OPEN)
    assert after_checkout(Checkout.CLOSE_NOW, NOW) == InvoiceState(InvoiceStatus.CLOSED)
    assert needs_charge(Checkout.PAY_NOW, gbp("0.01"))
    assert not needs_charge(Checkout.PAY_NOW, Money.zero("GBP"))
    assert not needs_charge(Checkout.PAY_LATER, gbp("10"))
    assert not needs_charge(Checkout.CLOSE_NOW, gbp("10"))


def test_invoice_numbers() -> None:
    assert invoice_number(42) == "INV-000042"
    assert invoice_number(1, prefix="HC") == "HC-000001"
    assert invoice_number(1_234_567) == "INV-1234567"
    for bad in (0, -1):
        with pytest.raises(ValueError):
            invoice_number(bad)
    with pytest.raises(ValueError):
        invoice_number(1, prefix="inv ")
