"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.accounts.practice import Weekday, WorkingHours
from domain.appointments.fee_tiers import FeePolicy, FeeTier
from domain.clients.profile import Address


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; SQLite keeps naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Amount(TypeDecorator[Decimal]):
    """Exact money amounts: NUMERIC on PostgreSQL, text on SQLite (which has no decimal).
    Unconstrained NUMERIC keeps the scale the domain hands it (the currency's minor unit:
    0 for RWF, 3 for KWD, 4 for CLF), where NUMERIC(14, 2) would round; migration 0010
    widened the columns made before."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return str(Decimal(value)) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


class WorkingHoursJSON(TypeDecorator[tuple[WorkingHours, ...]]):
    """A week of working hours kept as a JSON list on the practitioner's row."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [
            {"weekday": h.weekday.name, "start": h.start.strftime("%H:%M"),
             "end": h.end.strftime("%H:%M")}
            for h in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return ()
        return tuple(
            WorkingHours(Weekday[item["weekday"]], time.fromisoformat(item["start"]),
                         time.fromisoformat(item["end"]))
            for item in value
        )


class AddressJSON(TypeDecorator[Address]):
    """A client's postal address kept as one JSON object (or NULL) on their row."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def process_bind_param(self, value: Address | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return {"line1": value.line1, "line2": value.line2, "city": value.city,
                "postal_code": value.postal_code, "country": value.country}

    def process_result_value(self, value: Any, dialect: Dialect) -> Address | None:
        return None if value is None else Address(**value)


class FeePolicyJSON(TypeDecorator[FeePolicy]):
    """Cancellation fee tiers as a JSON list, percents as strings so they stay exact."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def process_bind_param(self, value: FeePolicy | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [{"within_hours": t.within_hours, "percent": str(t.percent)} for t in value.tiers]

    def process_result_value(self, value: Any, dialect: Dialect) -> FeePolicy | None:
        if value is None:
            return None
        return FeePolicy(tuple(FeeTier(int(t["within_hours"]), Decimal(t["percent"]))
                               for t in value))
