"""The loader every entity type shares: one batch of ids, one short read session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Hashable, Iterable, Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, inspect
from strawberry.dataloader import DataLoader, DefaultCache, LoaderTask, get_current_batch

from persistence.database import Reads
from persistence.read_rows import IDS, entities_of, rows_of

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@cache
def by_ids(model: Any) -> Select[Any]:
    """The rows of `model` with the given "ids", built once: building a statement and its cache
    key each batch costs more than the database takes to answer it."""
    return entities_of(model).where(inspect(model).local_table.c.id.in_(IDS))


class BatchLoader(DataLoader[K, V]):
    """Strawberry's DataLoader with two event-loop callbacks fewer per key. A page loads
    hundreds of keys at once: `load` does not watch each future to cancel a batch nobody
    awaits any more (a batch whose callers all left before it ran is still skipped), and
    `load_many` awaits the futures in turn, where `gather` would add a callback to each;
    once the first is done, the rest of its batch is too. Subclasses answer a batch in
    `_load`."""

    def __init__(self) -> None:
        # DataLoader's own would keep `load_fn=self._load`, a bound method: a cycle that leaves
        # the loader, its cache and every row it read to the garbage collector.
        self.max_batch_size = None
        self._loop = None
        self.cache = True
        self.cache_map = DefaultCache()

    def load_fn(self, keys: Any) -> Awaitable[Sequence[V]]:  # type: ignore[override]
        return self._load(keys)

    async def _load(self, keys: Any) -> Sequence[V]:
        raise NotImplementedError

    def load(self, key: K) -> Awaitable[V]:
        future = self.cache_map.get(key) if self.cache else None
        if future is not None and not future.cancelled():
            return future
        future = self.loop.create_future()
        if self.cache:
            self.cache_map.set(key, future)
        get_current_batch(self).tasks.append(LoaderTask(key, future))
        return future

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        return _in_turn([self.load(key) for key in keys])


async def _in_turn(pending: list[Awaitable[V]]) -> list[V]:
    try:
        return [await item for item in pending]
    except BaseException:
        # The first failure is the answer; the rest of a failed batch is seen, not logged.
        for item in pending:
            if isinstance(item, asyncio.Future) and item.done() and not item.cancelled():
                item.exception()
        raise


class ByIdLoader(BatchLoader[uuid.UUID, T | None], Generic[T]):
    model: Any

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, ids: Sequence[uuid.UUID]) -> list[T | None]:
        async with self.db.reading() as tx:
            found = {item.id: item
                     for item in await rows_of(tx, self.model, by_ids(self.model), {"ids": ids})}
        return [found.get(item_id) for item_id in ids]
