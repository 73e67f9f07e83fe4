"""The contract's scalars: DateTime with an offset (answered in UTC), Date, Decimal, JSON.

Every input is bounded here, before any arithmetic: a Decimal is plain digits (no exponent,
NaN, infinity or negative zero) of a size money can have, and a date lies in a range a
practice can use, so nothing computed from either can overflow or run for long. A value out
of bounds raises InvalidScalar, which the error policy answers as BAD_USER_INPUT.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition, scalar

MAX_DECIMAL_INTEGER_DIGITS = 9
MAX_DECIMAL_FRACTION_DIGITS = 4
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
MAX_SCALAR_TEXT = 64  # longer than any ISO 8601 instant or bounded decimal

_DECIMAL = re.compile(
    rf"^(?P<sign>[+-]?)(?P<whole>\d{{1,{MAX_DECIMAL_INTEGER_DIGITS}}})"
    rf"(?:\.(?P<fraction>\d{{1,{MAX_DECIMAL_FRACTION_DIGITS}}}))?$"
)
_EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(LATEST_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)


class InvalidScalar(ValueError):
    """A value the caller sent that is not one of the scalar's values."""


def _text(value: Any, what: str, example: str) -> str:
    if not isinstance(value, str):
        raise InvalidScalar(f"{what} must be a string such as {example!r}")
    if len(value) > MAX_SCALAR_TEXT:
        raise InvalidScalar(f"{what} must be at most {MAX_SCALAR_TEXT} characters")
    return value


def _in_range(day: date, what: str) -> None:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise InvalidScalar(f"{what} must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")


def parse_datetime(value: Any) -> datetime:
    text = _text(value, "DateTime", "2026-01-31T09:00:00Z")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidScalar(f"{text!r} is not an ISO 8601 DateTime") from None
    if parsed.tzinfo is None:
        raise InvalidScalar(f"DateTime {text!r} needs an offset, e.g. 2026-01-31T09:00:00Z")
    _in_range(parsed.date(), "DateTime")  # before the shift to UTC, which could overflow
    instant = parsed.astimezone(UTC)
    if not _EARLIEST <= instant <= _LATEST:
        raise InvalidScalar(
            f"DateTime must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return instant


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_date(value: Any) -> date:
    text = _text(value, "Date", "2026-01-31")
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise InvalidScalar(f"{text!r} is not a date YYYY-MM-DD") from None
    _in_range(parsed, "Date")
    return parsed


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an Int literal; bounded like any other
    text = _text(value, "Decimal", "12.50")
    match = _DECIMAL.match(text)
    if match is None:
        raise InvalidScalar(
            f"{text!r} is not a plain decimal number: digits, an optional sign and point, at "
            f"most {MAX_DECIMAL_INTEGER_DIGITS} digits before the point and "
            f"{MAX_DECIMAL_FRACTION_DIGITS} after (no exponent, NaN or infinity)"
        )
    number = Decimal(text)
    if number.is_zero() and match["sign"] == "-":
        raise InvalidScalar("Decimal must not be negative zero")
    return number


RFC_3339 = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
XSD_DECIMAL = "https://www.w3.org/TR/xmlschema11-2/#decimal"

DateTimeScalar: ScalarDefinition = scalar(
    name="DateTime",
    description=(
        "An instant: an RFC 3339 date-time with an offset, e.g. 2026-01-31T09:00:00Z or "
        "2026-01-31T10:00:00+01:00 (one without an offset is refused). Answered in UTC, "
        f"ending in Z. Years {EARLIEST_YEAR} to {LATEST_YEAR}."
    ),
    specified_by_url=RFC_3339,
    serialize=_serialize_datetime,
    parse_value=parse_datetime,
)

DateScalar: ScalarDefinition = scalar(
    name="Date",
    description=(
        "A calendar date with no time of day or zone, YYYY-MM-DD (RFC 3339 full-date), "
        f"e.g. 2026-01-31. Years {EARLIEST_YEAR} to {LATEST_YEAR}."
    ),
    specified_by_url=RFC_3339,
    serialize=lambda v: v.isoformat(),
    parse_value=parse_date,
)

DecimalScalar: ScalarDefinition = scalar(
    name="Decimal",
    description=(
        'An exact decimal number as a string, e.g. "12.50" (an XML Schema decimal): an '
        f"optional sign, at most {MAX_DECIMAL_INTEGER_DIGITS} digits before the point and "
        f"{MAX_DECIMAL_FRACTION_DIGITS} after, no exponent. Inputs may also be an Int. "
        "Never read it into a float."
    ),
    specified_by_url=XSD_DECIMAL,
    serialize=lambda v: str(v),
    parse_value=parse_decimal,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    datetime: DateTimeScalar,
    date: DateScalar,
    Decimal: DecimalScalar,
}

JSON = strawberry.scalars.JSON
