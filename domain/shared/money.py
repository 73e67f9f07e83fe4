"""Money: an exact Decimal amount in an ISO 4217 currency. Floats are refused everywhere.

Arithmetic (+, -, * by an int or a Decimal) is exact. Rounding happens only when asked for
(`rounded`, `fraction`, `percent`), always to the currency's minor unit and always
ROUND_HALF_UP: a tie goes away from zero (0.125 -> 0.13, -0.125 -> -0.13).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction

import iso4217
from iso4217 import Currency

from domain.shared.errors import DomainError, ErrorCode

ROUNDING = ROUND_HALF_UP
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Precise enough that + - * never round; Inexact is trapped to prove it.
_EXACT = Context(
    prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUNDING,
    traps=[InvalidOperation, Inexact, Overflow],
)


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's smallest unit, from ISO 4217's own table (the
    `iso4217` package). A code ISO 4217 does not list, or lists with no minor unit (gold,
    the SDR, XXX), has none: such a currency cannot price anything."""
    places = _iso_minor_unit(currency)
    if places is None:
        raise ValueError(f"{currency} has no minor unit in ISO 4217")
    return places


def _iso_minor_unit(currency: str) -> int | None:
    try:
        return Currency(currency).exponent
    except ValueError:
        return None


@functools.cache
def _funds() -> frozenset[str]:
    """Codes ISO 4217 marks as funds (BOV, CLF, USN, ...): units of account, not money."""
    return frozenset(
        entry.findtext("Ccy", "").strip()
        for entry in iso4217.raw_xml.findall("CcyTbl/CcyNtry")
        if (entry.find("CcyNm") is not None
            and entry.find("CcyNm").get("IsFund", "").lower() == "true")  # type: ignore[union-attr]
    )


def is_practice_currency(currency: str) -> bool:
    """A currency a practice can bill in: listed by ISO 4217 with a minor unit (so not XXX,
    XTS, the SDR or a precious metal), and not a fund."""
    return _iso_minor_unit(currency) is not None and currency not in _funds()


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal or an int, never a float")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} must be finite, not {number}")
    return number


def round_half_up(value: Fraction, places: int) -> Decimal:
    """An exact rational rounded half-up (ties away from zero) to `places` decimal places."""
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-places, _EXACT)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _decimal(self.amount, "Money amount"))
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            raise ValueError(f"currency must be a 3-letter ISO code, not {self.currency!r}")

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Like the constructor, but also reads a decimal string such as "12.50"."""
        if isinstance(amount, str):
            try:
                amount = Decimal(amount)
            except InvalidOperation:
                raise ValueError(f"not a decimal amount: {amount!r}") from None
        return cls(_decimal(amount, "Money amount"), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency).rounded()

    @property
    def minor_unit(self) -> int:
        return minor_unit(self.currency)

    @property
    def is_rounded(self) -> bool:
        """True when the amount has no more places than the currency's minor unit."""
        return round_half_up(Fraction(self.amount), self.minor_unit) == self.amount

    def rounded(self) -> Money:
        """The amount rounded half-up to the minor unit, with exactly that many places."""
        return Money(round_half_up(Fraction(self.amount), self.minor_unit), self.currency)

    def fraction(self, numerator: int, denominator: int) -> Money:
        """self * numerator / denominator, computed exactly, then rounded half-up."""
        if isinstance(numerator, bool) or not isinstance(numerator, int):
            raise TypeError("numerator must be an int")
        if isinstance(denominator, bool) or not isinstance(denominator, int):
            raise TypeError("denominator must be an int")
        if denominator == 0:
            raise ZeroDivisionError("denominator must not be 0")
        exact = Fraction(self.amount) * numerator / denominator
        return Money(round_half_up(exact, self.minor_unit), self.currency)

    def percent(self, percent: Decimal | int) -> Money:
        """percent% of self, computed exactly, then rounded half-up to the minor unit."""
        exact = Fraction(self.amount) * Fraction(_decimal(percent, "percent")) / 100
        return Money(round_half_up(exact, self.minor_unit), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(_EXACT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(_EXACT.subtract(self.amount, other.amount), self.currency)

    def __neg__(self) -> Money:
        return Money(_EXACT.minus(self.amount), self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, float):
            raise TypeError("cannot multiply Money by a float; use a Decimal")
        if isinstance(factor, bool) or not isinstance(factor, (int, Decimal)):
            return NotImplemented
        return Money(_EXACT.multiply(self.amount, _decimal(factor, "factor")), self.currency)

    __rmul__ = __mul__

    def _compare(self, other: object) -> int:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._same(other)
        return (self.amount > other.amount) - (self.amount < other.amount)

    def __lt__(self, other: object) -> bool:
        return self._compare(other) < 0

    def __le__(self, other: object) -> bool:
        return self._compare(other) <= 0

    def __gt__(self, other: object) -> bool:
        return self._compare(other) > 0

    def __ge__(self, other: object) -> bool:
        return self._compare(other) >= 0

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


def total(items: Iterable[Money], currency: str) -> Money:
    """The exact sum of `items` (all in `currency`); zero for none."""
    result = Money.zero(currency)
    for item in items:
        result = result + item
    return result


def money_input(
    value: Decimal, currency: str, field: tuple[str, ...], *, positive: bool = False
) -> Money:
    """A typed-in amount: not negative (or > 0 when `positive`), at most the minor unit's
    places (12.345 GBP is refused rather than rounded). INVALID on `field` otherwise."""
    amount = _decimal(value, "amount")
    places = minor_unit(currency)
    if positive and amount <= 0:
        raise DomainError.one(ErrorCode.INVALID, "Amount must be more than 0.", field)
    if amount < 0:
        raise DomainError.one(ErrorCode.INVALID, "Amount must not be negative.", field)
    money = Money(amount, currency)
    if not money.is_rounded:
        raise DomainError.one(
            ErrorCode.INVALID, f"{currency} amounts have at most {places} decimal places.", field
        )
    return money.rounded()
