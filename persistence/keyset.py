"""Keyset conditions and ordering for a Slice over columns sorted one way (the id last)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, literal, tuple_

from domain.shared.paging import Key, Slice


@dataclass(frozen=True)
class Ordering:
    """The list's order: its columns, all ascending or all descending, the id last."""

    columns: tuple[Any, ...]
    descending: bool = False

    def reading(self, window: Slice) -> list[Any]:
        """ORDER BY for the direction read: a backward page reads the list from its end."""
        down = self.descending != window.backward
        return [c.desc() if down else c.asc() for c in self.columns]

    def where(self, window: Slice) -> list[ColumnElement[bool]]:
        """Row-value comparisons after `after` and before `before`, in list order."""
        conditions = []
        if window.after is not None:
            conditions.append(self._beyond(window.after, forward=True))
        if window.before is not None:
            conditions.append(self._beyond(window.before, forward=False))
        return conditions

    def _beyond(self, key: Key, *, forward: bool) -> ColumnElement[bool]:
        if len(key) != len(self.columns):
            raise ValueError("a key of another list")
        row = tuple_(*self.columns)
        bound = tuple_(*(literal(v, type_=c.type) for c, v in zip(self.columns, key, strict=True)))
        later = forward != self.descending
        return row > bound if later else row < bound

    def key_of(self, item: Any) -> Key:
        """An entity's key: mapped attributes carry the column names."""
        return tuple(getattr(item, c.name) for c in self.columns)

    def keyed(self, items: Sequence[Any]) -> list[tuple[Any, Key]]:
        return [(item, self.key_of(item)) for item in items]
