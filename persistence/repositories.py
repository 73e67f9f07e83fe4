"""Repositories: load and add aggregates inside a unit of work's session."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.clients import Client, ClientInvite
from domain.payments import PaymentMethod
from domain.practice import Account, Practice, Practitioner
from domain.relationships import Relationship
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

    async def of_client(self, client_id: uuid.UUID) -> Account | None:
        return await self.first(tables.accounts.c.client_id == client_id)

    async def email_taken(self, email: str) -> bool:
        result = await self.session.execute(
            select(func.count()).select_from(tables.accounts).where(
                tables.accounts.c.email == email
            )
        )
        return bool(result.scalar_one())


class Clients(Repository[Client]):
    model = Client

    async def email_taken(
        self, practice_id: uuid.UUID, email: str, *, other_than: uuid.UUID | None = None
    ) -> bool:
        """Emails are unique per practice; `other_than` is the client being edited."""
        where = [tables.clients.c.practice_id == practice_id, tables.clients.c.email == email]
        if other_than is not None:
            where.append(tables.clients.c.id != other_than)
        return await self.first(*where) is not None


class Relationships(Repository[Relationship]):
    model = Relationship


class ClientInvites(Repository[ClientInvite]):
    model = ClientInvite

    async def by_token_hash(self, token_hash: str) -> ClientInvite | None:
        result = await self.session.execute(
            select(ClientInvite)
            .where(tables.client_invites.c.token_hash == token_hash)
            .with_for_update()
        )
        return result.scalars().first()

    async def open_for(self, client_id: uuid.UUID) -> list[ClientInvite]:
        result = await self.session.execute(
            select(ClientInvite).where(
                tables.client_invites.c.client_id == client_id,
                tables.client_invites.c.used_at.is_(None),
            )
        )
        return list(result.scalars())


class PaymentMethods(Repository[PaymentMethod]):
    model = PaymentMethod

    async def of_client(self, client_id: uuid.UUID) -> PaymentMethod | None:
        return await self.first(tables.payment_methods.c.client_id == client_id)

    async def remove(self, method: PaymentMethod) -> None:
        await self.session.delete(method)
