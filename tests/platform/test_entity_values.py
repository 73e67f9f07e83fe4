"""Types built from rows read an entity's values from its __dict__ when it holds them all."""

from __future__ import annotations

from typing import Any

from schema.shared.entity_values import values_of

NAMES = frozenset(("id", "name"))


class Row:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class Expired(Row):
    """As an ORM instance whose attribute was expired: not in __dict__, loaded on access."""

    @property
    def name(self) -> str:
        return "loaded on access"


def test_a_row_holding_every_value_is_read_as_it_is() -> None:
    row = Row(id=1, name="Pat")
    assert values_of(row, NAMES) == {"id": 1, "name": "Pat"}


def test_a_value_missing_from_the_row_is_read_through_the_attribute() -> None:
    row = Expired(id=1)
    assert values_of(row, NAMES) == {"id": 1, "name": "loaded on access"}
