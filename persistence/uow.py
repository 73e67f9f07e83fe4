"""Unit of work: one transaction per mutation; events become outbox rows in it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from domain.shared.events import Aggregate
from persistence import outbox
from persistence.database import Database, ReadScope
from persistence.outbox import RetryPolicy
from persistence.publishable_keys import PublishableKeys
from persistence.repositories import (
    Accounts,
    Appointments,
    BookingConfirmations,
    Charges,
    ClientInvites,
    ClientLinks,
    Clients,
    GroupSessions,
    IdempotencyKeys,
    IntakeForms,
    InvoicePayments,
    Invoices,
    Memberships,
    Packages,
    PasswordResets,
    PaymentMethods,
    Practices,
    PractitionerInvites,
    Practitioners,
    Registrations,
    Relationships,
    ReservedSlots,
    Services,
    Subscriptions,
    TimeOffs,
)
from persistence.waitlist import WaitlistEntries, WaitlistOffers


class AfterCommit(Protocol):
    """Hands a commit's outbox rows to the broker."""

    def claims(self) -> RetryPolicy | None:
        """The policy under which the rows are written already claimed by this hand-over;
        None: they are written unclaimed, for the relay."""

    async def __call__(self, outbox_ids: list[uuid.UUID]) -> None: ...


class UnitOfWork:
    """`async with UnitOfWork(db, now) as uow: ...; await uow.commit()`.

    Leaving the block without commit rolls everything back, outbox rows included,
    so a refused operation changes nothing and sends nothing.
    """

    tx: AsyncSession

    def __init__(
        self, db: Database, now: datetime, *, after_commit: AfterCommit | None = None,
        read_only: bool = False, read_scope: ReadScope | None = None,
        committed: Callable[[list[Aggregate]], None] | None = None,
    ) -> None:
        self.db = db
        # The request's shared read transaction: read-only work reads in it, a write ends it
        # before and after (see ReadScope).
        self.read_scope = read_scope
        self._borrowed: AbstractAsyncContextManager[AsyncSession] | None = None
        self.committed = committed  # told what the commit saved (the request's loaders)
        self.now = now
        self.after_commit = after_commit
        self.read_only = read_only
        self.outbox_ids: list[uuid.UUID] = []

    async def __aenter__(self) -> UnitOfWork:
        self.tx = await self._open()
        # Every aggregate the transaction is given or loads, held strongly until commit: the
        # identity map holds clean objects weakly, and their events must not go with them.
        self.seen: list[Aggregate] = []
        self._seen_ids: set[int] = set()
        for moment in ("transient_to_pending", "loaded_as_persistent"):
            event.listen(self.tx.sync_session, moment, self._see)
        self.practices = Practices(self.tx)
        self.practitioners = Practitioners(self.tx)
        self.accounts = Accounts(self.tx)
        self.memberships = Memberships(self.tx)
        self.registrations = Registrations(self.tx)
        self.password_resets = PasswordResets(self.tx)
        self.practitioner_invites = PractitionerInvites(self.tx)
        self.clients = Clients(self.tx)
        self.relationships = Relationships(self.tx)
        self.client_invites = ClientInvites(self.tx)
        self.booking_confirmations = BookingConfirmations(self.tx)
        self.payment_methods = PaymentMethods(self.tx)
        self.appointments = Appointments(self.tx)
        self.charges = Charges(self.tx)
        self.reserved_slots = ReservedSlots(self.tx)
        self.time_off = TimeOffs(self.tx)
        self.idempotency_keys = IdempotencyKeys(self.tx)
        self.services = Services(self.tx)
        self.group_sessions = GroupSessions(self.tx)
        self.subscriptions = Subscriptions(self.tx)
        self.invoices = Invoices(self.tx)
        self.invoice_payments = InvoicePayments(self.tx)
        self.client_links = ClientLinks(self.tx)
        self.intake_forms = IntakeForms(self.tx)
        self.packages = Packages(self.tx)
        self.publishable_keys = PublishableKeys(self.tx)
        self.waitlist = WaitlistEntries(self.tx)
        self.waitlist_offers = WaitlistOffers(self.tx)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._borrowed is not None:
            await self._borrowed.__aexit__(exc_type, exc, tb)
            return
        # close() rolls back anything uncommitted and detaches objects without expiring
        # them, so what a read-only use case loaded stays readable afterwards.
        await self.tx.close()
        await self._end_reads()

    async def _open(self) -> AsyncSession:
        # Read-only work uses the read engine: on SQLite it never queues for the write lock.
        if not self.read_only:
            await self._end_reads()
            return self.db.new_write_tx()
        if self.read_scope is None:
            return self.db.new_read_tx()
        self._borrowed = self.read_scope.reading()
        return await self._borrowed.__aenter__()

    async def _end_reads(self) -> None:
        if self.read_scope is not None and not self.read_only:
            await self.read_scope.release()

    def _see(self, _tx: Session, item: object) -> None:
        if isinstance(item, Aggregate) and id(item) not in self._seen_ids:
            self._seen_ids.add(id(item))
            self.seen.append(item)

    async def flush(self) -> None:
        await self.tx.flush()

    async def commit(self) -> None:
        assert not self.read_only, "a read-only unit of work cannot commit"
        events = [event for item in self.seen for event in item.pop_events()]
        claimed = self.after_commit.claims() if self.after_commit is not None else None
        rows = outbox.outbox_rows(events, self.now, claimed=claimed)
        await self.tx.flush()
        await outbox.write(self.tx, rows)
        await self.tx.commit()
        await self._end_reads()
        if self.committed is not None:
            self.committed(self.seen)
        ids = [row["id"] for row in rows]
        self.outbox_ids.extend(ids)
        if ids and self.after_commit is not None:
            await self.after_commit(ids)
