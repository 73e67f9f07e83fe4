"""Keyset paging: a page starts after (or ends before) the sort key and id of an item, so a
list that changes between pages never makes one skip or repeat an item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

KeyPart = datetime | uuid.UUID | str
Key = tuple[KeyPart, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Slice:
    """`first` items after `after`, or (backward) the `last` items before `before`."""

    limit: int
    after: Key | None = None
    before: Key | None = None
    backward: bool = False


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page in list order, each item's key, whether the list goes on past the page in
    the direction read, and how many items the whole list holds."""

    items: list[T] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    more: bool = False
    total: int = 0


def trimmed(rows: list[tuple[T, Key]], window: Slice, total: int) -> Paged[T]:
    """Rows fetched one beyond the limit, in reading order: the extra says there is more;
    read backward, the page is turned round into list order."""
    more = len(rows) > window.limit
    kept = rows[: window.limit]
    if window.backward:
        kept.reverse()
    return Paged([item for item, _ in kept], [key for _, key in kept], more, total)
