"""Unit of work: one transaction per mutation; events become outbox rows in it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from domain.shared.events import Aggregate
from persistence import outbox
from persistence.database import Database
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

AfterCommit = Callable[[list[uuid.UUID]], Awaitable[None]]


class UnitOfWork:
    """`async with UnitOfWork(db, now) as uow: ...; await uow.commit()`.

    Leaving the block without commit rolls everything back, outbox rows included,
    so a refused operation changes nothing and sends nothing.
    """

    tx: AsyncSession

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
        new_tx = self.db.new_read_tx if self.read_only else self.db.new_write_tx
        self.tx = new_tx()
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
        # close() rolls back anything uncommitted and detaches objects without expiring
        # them, so what a read-only use case loaded stays readable afterwards.
        await self.tx.close()

    def _see(self, _tx: Session, item: object) -> None:
        if isinstance(item, Aggregate) and id(item) not in self._seen_ids:
            self._seen_ids.add(id(item))
            self.seen.append(item)

    async def flush(self) -> None:
        await self.tx.flush()

    async def commit(self) -> None:
        assert not self.read_only, "a read-only unit of work cannot commit"
        events = [event for item in self.seen for event in item.pop_events()]
        rows = outbox.outbox_rows(events, self.now)
        await self.tx.flush()
        await outbox.write(self.tx, rows)
        await self.tx.commit()
        ids = [row["id"] for row in rows]
        self.outbox_ids.extend(ids)
        if ids and self.after_commit is not None:
            await self.after_commit(ids)
