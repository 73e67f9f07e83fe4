"""The loader every entity type shares: one batch of ids, one short read session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from persistence.database import Reads

T = TypeVar("T")


class ByIdLoader(DataLoader[uuid.UUID, T | None], Generic[T]):
    model: Any

    def __init__(self, db: Reads) -> None:
        super().__init__(load_fn=self._load)
        self.db = db

    async def _load(self, ids: Sequence[uuid.UUID]) -> list[T | None]:
        async with self.db.reading() as tx:
            result = await tx.execute(select(self.model).where(self.model.id.in_(ids)))
            found = {item.id: item for item in result.scalars()}
        return [found.get(item_id) for item_id in ids]
