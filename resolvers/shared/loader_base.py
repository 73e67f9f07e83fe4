"""The loader every entity type shares: one batch of ids, one short read session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import BindParameter, Select, bindparam, select
from strawberry.dataloader import DataLoader

from persistence.database import Reads

T = TypeVar("T")


# The batch's keys, bound when a prebuilt statement runs: {"ids": keys}.
IDS: BindParameter[Any] = bindparam("ids", expanding=True)


@cache
def by_ids(model: Any) -> Select[Any]:
    """The rows of `model` with the given "ids", built once: building a statement and its cache
    key each batch costs more than the database takes to answer it."""
    return select(model).where(model.id.in_(IDS))


class ByIdLoader(DataLoader[uuid.UUID, T | None], Generic[T]):
    model: Any

    def __init__(self, db: Reads) -> None:
        super().__init__(load_fn=self._load)
        self.db = db

    async def _load(self, ids: Sequence[uuid.UUID]) -> list[T | None]:
        async with self.db.reading() as tx:
            result = await tx.execute(by_ids(self.model), {"ids": ids})
            found = {item.id: item for item in result.scalars()}
        return [found.get(item_id) for item_id in ids]
