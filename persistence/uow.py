"""Unit of work: one transaction per mutation; events become outbox rows in it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession

from domain.shared.events import Aggregate
from persistence import outbox
from persistence.database import Database
from persistence.publishable_keys import PublishableKeys
from persistence.repositories import (
    Accounts,
    Appointments,
    Charges,
    ClientInvites,
    ClientLinks,
    Clients,
    GroupSessions,
    IdempotencyKeys,
    IntakeForms,
    InvoicePayments,
    Invoices,
    Packages,
    PaymentMethods,
    Practices,
    Practitioners,
    Relationships,
    ReservedSlots,
    Services,
    Subscriptions,
)

AfterCommit = Callable[[list[uuid.UUID]], Awaitable[None]]


class UnitOfWork:
    """`async with UnitOfWork(db, now) as uow: ...; await uow.commit()`.

    Leaving the block without commit rolls everything back, outbox rows included,
    so a refused operation changes nothing and sends nothing.
    """

    session: AsyncSession

    def __init__(
        self, db: Database, now: datetime, *, after_commit: AfterCommit | None = None,
        read_only: bool = False,
    ) -> None:
        self.db = db
        self.now = now
        self.after_commit = after_commit
        self.read_only = read_only
        self.outbox_ids: list[uuid.UUID] = []

    async def __aenter__(self) -> UnitOfWork:
        # Read-only work uses the read engine: on SQLite it never queues for the write lock.
        sessions = self.db.read_sessions if self.read_only else self.db.write_sessions
        self.session = sessions()
        self.practices = Practices(self.session)
        self.practitioners = Practitioners(self.session)
        self.accounts = Accounts(self.session)
        self.clients = Clients(self.session)
        self.relationships = Relationships(self.session)
        self.client_invites = ClientInvites(self.session)
        self.payment_methods = PaymentMethods(self.session)
        self.appointments = Appointments(self.session)
        self.charges = Charges(self.session)
        self.reserved_slots = ReservedSlots(self.session)
        self.idempotency_keys = IdempotencyKeys(self.session)
        self.services = Services(self.session)
        self.group_sessions = GroupSessions(self.session)
        self.subscriptions = Subscriptions(self.session)
        self.invoices = Invoices(self.session)
        self.invoice_payments = InvoicePayments(self.session)
        self.client_links = ClientLinks(self.session)
        self.intake_forms = IntakeForms(self.session)
        self.packages = Packages(self.session)
        self.publishable_keys = PublishableKeys(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted and detaches objects without expiring
        # them, so what a read-only use case loaded stays readable afterwards.
        await self.session.close()

    def _aggregates(self) -> list[Aggregate]:
        seen = list(self.session.new) + list(self.session.identity_map.values())
        return [item for item in seen if isinstance(item, Aggregate)]

    async def flush(self) -> None:
        await self.session.flush()

    async def commit(self) -> None:
        assert not self.read_only, "a read-only unit of work cannot commit"
        events = [event for item in self._aggregates() for event in item.pop_events()]
        rows = outbox.outbox_rows(events, self.now)
        await self.session.flush()
        await outbox.write(self.session, rows)
        await self.session.commit()
        ids = [row["id"] for row in rows]
        self.outbox_ids.extend(ids)
        if ids and self.after_commit is not None:
            await self.after_commit(ids)
