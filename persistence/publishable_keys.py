"""Publishable keys in the database, with Core statements: a key and its origins are read in
one statement, and a CORS preflight asks only whether any live key names an origin."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.widgets.publishable_keys import PublishableKey
from persistence.tables import publishable_key_origins, publishable_keys

_keys = publishable_keys
_origins = publishable_key_origins


class PublishableKeys:
    def __init__(self, tx: AsyncSession) -> None:
        self.tx = tx

    async def add(self, key: PublishableKey) -> None:
        await self.tx.execute(insert(_keys).values(
            id=key.id, practice_id=key.practice_id, name=key.name, prefix=key.prefix,
            secret_hash=key.secret_hash, created_at=key.created_at, revoked_at=key.revoked_at,
        ))
        await self.tx.execute(
            insert(_origins), [{"key_id": key.id, "origin": o} for o in key.allowed_origins]
        )

    async def by_prefix(self, prefix: str) -> PublishableKey | None:
        found = await self._with_origins(_keys.c.prefix == prefix)
        return found[0] if found else None

    async def get_in_practice(
        self, key_id: uuid.UUID, practice_id: uuid.UUID
    ) -> PublishableKey | None:
        found = await self._with_origins(_keys.c.id == key_id, _keys.c.practice_id == practice_id)
        return found[0] if found else None

    async def of_practice(self, practice_id: uuid.UUID) -> list[PublishableKey]:
        return await self._with_origins(_keys.c.practice_id == practice_id)

    async def save_revocation(self, key: PublishableKey) -> None:
        await self.tx.execute(
            update(_keys).where(_keys.c.id == key.id).values(revoked_at=key.revoked_at)
        )

    async def origin_allowed(self, origin: str) -> bool:
        """Does any key that is not revoked allow this origin?"""
        query = select(exists().where(
            _origins.c.origin == origin, _origins.c.key_id == _keys.c.id,
            _keys.c.revoked_at.is_(None),
        ))
        return bool((await self.tx.execute(query)).scalar_one())

    async def _with_origins(self, *where: Any) -> list[PublishableKey]:
        rows = await self.tx.execute(
            select(_keys, _origins.c.origin)
            .join(_origins, _origins.c.key_id == _keys.c.id)
            .where(*where).order_by(_keys.c.created_at, _keys.c.id, _origins.c.origin)
        )
        return _keys_from(rows.all())


def _keys_from(rows: Sequence[Any]) -> list[PublishableKey]:
    found: dict[uuid.UUID, PublishableKey] = {}
    for row in rows:
        key = found.get(row.id)
        if key is None:
            key = found[row.id] = PublishableKey(
                id=row.id, practice_id=row.practice_id, name=row.name, prefix=row.prefix,
                secret_hash=row.secret_hash, allowed_origins=(), created_at=row.created_at,
                revoked_at=row.revoked_at,
            )
        key.allowed_origins = (*key.allowed_origins, row.origin)
    return list(found.values())
