"""The contract's scalars: DateTime with an offset (answered in UTC), Date, Decimal, JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition, scalar


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"DateTime {value!r} needs an offset, e.g. 2026-01-31T09:00:00Z")
    return parsed.astimezone(UTC)


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("Date must be a string YYYY-MM-DD")
    return date.fromisoformat(value)


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("Decimal must be a string such as \"12.50\"")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError("Decimal must be finite")
    return number


DateTimeScalar: ScalarDefinition = scalar(
    name="DateTime",
    description="An instant with an offset; answered in UTC.",
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)

DateScalar: ScalarDefinition = scalar(
    name="Date",
    description="A calendar date, YYYY-MM-DD.",
    serialize=lambda v: v.isoformat(),
    parse_value=_parse_date,
)

DecimalScalar: ScalarDefinition = scalar(
    name="Decimal",
    description="An exact decimal number, as a string.",
    serialize=lambda v: str(v),
    parse_value=_parse_decimal,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    datetime: DateTimeScalar,
    date: DateScalar,
    Decimal: DecimalScalar,
}

JSON = strawberry.scalars.JSON
