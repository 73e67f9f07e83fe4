"""Repositories: load and add aggregates inside a unit of work's session."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.practice import Account, Practice, Practitioner
from persistence import tables

T = TypeVar("T")


class Repository(Generic[T]):
    model: type[T]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, item: T) -> None:
        self.session.add(item)

    async def get(self, item_id: uuid.UUID, *, for_update: bool = False) -> T | None:
        return await self.session.get(self.model, item_id, with_for_update=for_update)

    async def get_in_practice(
        self, item_id: uuid.UUID, practice_id: uuid.UUID, *, for_update: bool = False
    ) -> T | None:
        """Only rows of the viewer's practice: anything else reads as missing."""
        item = await self.get(item_id, for_update=for_update)
        if item is None or getattr(item, "practice_id", None) != practice_id:
            return None
        return item

    async def first(self, *where: Any) -> T | None:
        result = await self.session.execute(select(self.model).where(*where).limit(1))
        return result.scalars().first()


class Practices(Repository[Practice]):
    model = Practice


class Practitioners(Repository[Practitioner]):
    model = Practitioner


class Accounts(Repository[Account]):
    model = Account

    async def by_email(self, email: str) -> Account | None:
        return await self.first(tables.accounts.c.email == email)

    async def email_taken(self, email: str) -> bool:
        result = await self.session.execute(
            select(func.count()).select_from(tables.accounts).where(
                tables.accounts.c.email == email
            )
        )
        return bool(result.scalar_one())
