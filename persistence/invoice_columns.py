"""Column types for group sessions and invoices, exact for every currency's minor unit.

ExactDecimal keeps whatever scale the domain hands it (the domain always hands amounts
rounded to the currency's minor unit): an unconstrained NUMERIC on PostgreSQL, which stores
and answers the given scale ("85.00", "10.125"), and text on SQLite. persistence.types.Amount,
used by the other tables, is the same since migration 0010 (only its SQLite text is shorter).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.billing.billing import InvoiceLine
from domain.shared.money import Money


class ExactDecimal(TypeDecorator[Decimal]):
    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money is never a float")
        return str(Decimal(value)) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


class InvoiceLinesJSON(TypeDecorator[list[InvoiceLine]]):
    """An invoice's lines (fixed once issued) as one JSON list; amounts as decimal strings."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [
            {"description": line.description, "quantity": line.quantity,
             "unit_price": str(line.unit_price.amount), "amount": str(line.amount.amount),
             "currency": line.amount.currency}
            for line in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return []
        return [
            InvoiceLine(item["description"], int(item["quantity"]),
                        Money.of(item["unit_price"], item["currency"]),
                        Money.of(item["amount"], item["currency"]))
            for item in value
        ]
