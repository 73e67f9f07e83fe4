"""Invoices: lines, an optional discount, totals, checkout and status changes, numbering.

Rounding: every amount on an invoice is at the currency's minor unit. A percent discount is
`subtotal * percent / 100` computed exactly and rounded ROUND_HALF_UP once (15% of 33.33 is
4.9995, billed as 5.00; 50% of 0.05 is 0.025, billed as 0.03). Percent and amount discounts
alike may never exceed the subtotal, so a total is never negative.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.money import Money, money_input, total

MAX_REASON_LENGTH = 200
_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,11}$")


class InvoiceStatus(Enum):
    OPEN = "OPEN"
    PAID = "PAID"
    CLOSED = "CLOSED"
    VOID = "VOID"


class Checkout(Enum):
    PAY_NOW = "PAY_NOW"
    PAY_LATER = "PAY_LATER"
    CLOSE_NOW = "CLOSE_NOW"


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Money
    amount: Money

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError("quantity must be an int")
        if self.quantity < 1:
            raise ValueError("quantity must be at least 1")
        if self.unit_price.currency != self.amount.currency:
            raise ValueError("unit price and amount must share a currency")
        if not (self.unit_price.is_rounded and self.amount.is_rounded):
            raise ValueError("invoice amounts must be rounded to the minor unit")

    @classmethod
    def of(cls, description: str, quantity: int, unit_price: Money) -> InvoiceLine:
        """A line whose amount is quantity * unit price (exact; unit price already rounded)."""
        return cls(description, quantity, unit_price, unit_price * quantity)


@dataclass(frozen=True)
class Discount:
    """Exactly one of `percent` (0 < p <= 100) and `amount` (> 0)."""

    percent: Decimal | None = None
    amount: Money | None = None
    reason: str | None = None

    @property
    def field(self) -> tuple[str, ...]:
        return ("discount", "percent" if self.percent is not None else "amount")

    def value_on(self, subtotal: Money) -> Money:
        """What the discount takes off `subtotal`; INVALID if that is more than the subtotal."""
        if self.percent is not None:
            value = subtotal.percent(self.percent)
        else:
            assert self.amount is not None
            value = self.amount
        if value > subtotal:
            raise DomainError.one(
                ErrorCode.INVALID,
                f"The discount ({value}) must not be more than the subtotal ({subtotal}).",
                self.field,
            )
        return value


def parse_discount(
    percent: Decimal | None, amount: Decimal | None, reason: str | None, currency: str
) -> Discount:
    """Validate a DiscountInput; field paths start at ("discount", ...)."""
    if (percent is None) == (amount is None):
        which = "both were given" if percent is not None else "neither was given"
        raise DomainError.one(
            ErrorCode.INVALID, f"Give exactly one of percent and amount; {which}.", ("discount",)
        )
    problems = Problems()
    money = None
    if percent is not None:
        if isinstance(percent, bool) or not isinstance(percent, (Decimal, int)):
            raise TypeError(f"percent must be a Decimal, not {type(percent).__name__}")
        percent = Decimal(percent)
        if not (percent.is_finite() and 0 < percent <= 100):
            problems.add(ErrorCode.INVALID, "Percent must be more than 0 and at most 100.",
                         "discount", "percent")
    else:
        assert amount is not None
        money = problems.check(money_input, amount, currency, ("discount", "amount"),
                               positive=True)
    clean_reason = (reason or "").strip() or None
    if clean_reason and len(clean_reason) > MAX_REASON_LENGTH:
        problems.add(ErrorCode.INVALID, f"reason must be at most {MAX_REASON_LENGTH} characters.",
                     "discount", "reason")
    problems.raise_if_any()
    return Discount(percent, money, clean_reason)


@dataclass(frozen=True)
class InvoiceTotals:
    subtotal: Money
    discount: Money
    total: Money


def invoice_totals(
    lines: Sequence[InvoiceLine], discount: Discount | None, currency: str
) -> InvoiceTotals:
    """subtotal = sum of line amounts; total = subtotal - discount, never negative."""
    if any(line.amount.currency != currency for line in lines):
        raise ValueError(f"every line must be in {currency}")
    subtotal = total((line.amount for line in lines), currency)
    off = discount.value_on(subtotal) if discount else Money.zero(currency)
    return InvoiceTotals(subtotal, off, subtotal - off)


@dataclass(frozen=True)
class InvoiceState:
    status: InvoiceStatus
    paid_at: datetime | None = None


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _from_open(status: InvoiceStatus, doing: str) -> None:
    if status is not InvoiceStatus.OPEN:
        raise DomainError.one(
            ErrorCode.INVALID_STATE,
            f"This invoice is {status.value}; only an OPEN invoice can be {doing}.",
        )


def pay(status: InvoiceStatus, now: datetime) -> InvoiceState:
    """OPEN -> PAID, paid now. Anything else is INVALID_STATE."""
    _from_open(status, "paid")
    return InvoiceState(InvoiceStatus.PAID, _aware(now))


def close(status: InvoiceStatus) -> InvoiceState:
    """OPEN -> CLOSED (without payment being taken here). Anything else is INVALID_STATE."""
    _from_open(status, "closed")
    return InvoiceState(InvoiceStatus.CLOSED)


def needs_charge(checkout: Checkout, amount_due: Money) -> bool:
    """PAY_NOW charges the card only when something is owed; a zero total is simply PAID."""
    return checkout is Checkout.PAY_NOW and amount_due > Money.zero(amount_due.currency)


def after_checkout(checkout: Checkout, now: datetime) -> InvoiceState:
    """A new invoice's state once checked out. For PAY_NOW call it only after the charge
    succeeded (or `needs_charge` said none was needed): a failed charge refuses everything."""
    if checkout is Checkout.PAY_NOW:
        return pay(InvoiceStatus.OPEN, now)
    if checkout is Checkout.CLOSE_NOW:
        return close(InvoiceStatus.OPEN)
    return InvoiceState(InvoiceStatus.OPEN)


def invoice_number(sequence: int, prefix: str = "INV", width: int = 6) -> str:
    """The practice's `sequence`-th invoice: 42 -> "INV-000042" (wider numbers just grow)."""
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError("an invoice sequence starts at 1")
    if not _PREFIX.match(prefix):
        raise ValueError(f"invalid invoice number prefix {prefix!r}")
    return f"{prefix}-{sequence:0{width}d}"
