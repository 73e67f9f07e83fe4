"""DataLoaders for services, group sessions, subscriptions and invoices; each batch reads in
its own short session, so a list of clients or sessions costs the same whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from domain.billing.billing import InvoiceStatus
from domain.billing.credit_notes import CreditNote
from domain.billing.invoices import Invoice
from domain.groups.group_sessions import GroupSession, GroupSubscription, Service
from persistence import credit_notes, tables
from persistence.database import Reads
from persistence.read_rows import entities_of, rows_of
from resolvers.shared.loader_base import BatchLoader, ByIdLoader

S = tables.group_subscriptions
I = tables.invoices  # noqa: E741


class ServiceByIdLoader(ByIdLoader[Service]):
    model = Service


class GroupSessionByIdLoader(ByIdLoader[GroupSession]):
    model = GroupSession


class SubscriptionByIdLoader(ByIdLoader[GroupSubscription]):
    model = GroupSubscription


class InvoiceByIdLoader(ByIdLoader[Invoice]):
    model = Invoice


class _GroupedLoader(BatchLoader[Any, list[Any]]):
    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, keys: Sequence[Any]) -> list[list[Any]]:
        raise NotImplementedError


class GroupSessionsByServiceIdLoader(_GroupedLoader):
    """A service's sessions, by weekday, start time and name."""

    async def _load(self, service_ids: Sequence[uuid.UUID]) -> list[list[GroupSession]]:
        g = tables.group_sessions
        async with self.db.reading() as tx:
            found = await rows_of(tx, GroupSession, entities_of(GroupSession)
                                  .where(g.c.service_id.in_(service_ids))
                                  .order_by(g.c.created_at, g.c.id))
            grouped: dict[uuid.UUID, list[GroupSession]] = defaultdict(list)
            for item in found:
                grouped[item.service_id].append(item)
        return [sorted(grouped[sid], key=lambda s: (s.weekday.value, s.start_time, s.name))
                for sid in service_ids]


class CreditNotesBySubscriptionIdLoader(_GroupedLoader):
    """The credit notes issued when a subscription was left, oldest first."""

    async def _load(self, subscription_ids: Sequence[uuid.UUID]) -> list[list[CreditNote]]:
        async with self.db.reading() as tx:
            notes = await credit_notes.of_subscriptions(tx, subscription_ids)
        grouped: dict[uuid.UUID, list[CreditNote]] = defaultdict(list)
        for note in sorted(notes, key=lambda n: (n.created_at, str(n.id))):
            assert note.subscription_id is not None
            grouped[note.subscription_id].append(note)
        return [grouped[sid] for sid in subscription_ids]


@dataclass(frozen=True)
class Span:
    start_date: date
    end_date: date | None


class EnrolmentSpansByGroupSessionIdLoader(_GroupedLoader):
    """The date spans of a session's subscriptions that may still attend a date from today
    (any timezone's today) on: what enrolledCount counts."""

    def __init__(self, db: Reads, now: datetime) -> None:
        super().__init__(db)
        self.cutoff = now.date() - timedelta(days=2)

    async def _load(self, group_session_ids: Sequence[uuid.UUID]) -> list[list[Span]]:
        async with self.db.reading() as tx:
            rows = await tx.execute(
                select(S.c.group_session_id, S.c.start_date, S.c.end_date).where(
                    S.c.group_session_id.in_(group_session_ids),
                    or_(S.c.end_date.is_(None), S.c.end_date > self.cutoff),
                )
            )
            grouped: dict[uuid.UUID, list[Span]] = defaultdict(list)
            for row in rows:
                grouped[row.group_session_id].append(Span(row.start_date, row.end_date))
        return [grouped[sid] for sid in group_session_ids]


class SubscriptionsByClientIdLoader(_GroupedLoader):
    """Subscriptions a client attends or pays for, by start date."""

    async def _load(self, client_ids: Sequence[uuid.UUID]) -> list[list[GroupSubscription]]:
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, GroupSubscription, entities_of(GroupSubscription)
                .where(or_(S.c.client_id.in_(client_ids), S.c.payer_id.in_(client_ids)))
                .order_by(S.c.start_date, S.c.created_at, S.c.id))
        wanted = set(client_ids)
        grouped: dict[uuid.UUID, list[GroupSubscription]] = defaultdict(list)
        for item in found:
            for client_id in {item.client_id, item.payer_id} & wanted:
                grouped[client_id].append(item)
        return [grouped[cid] for cid in client_ids]


class InvoicesBySubscriptionIdLoader(_GroupedLoader):
    """A subscription's invoices, oldest first."""

    async def _load(self, subscription_ids: Sequence[uuid.UUID]) -> list[list[Invoice]]:
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, Invoice, entities_of(Invoice)
                .where(I.c.subscription_id.in_(subscription_ids))
                .order_by(I.c.issued_at, I.c.sequence))
            grouped: dict[uuid.UUID, list[Invoice]] = defaultdict(list)
            for item in found:
                assert item.subscription_id is not None
                grouped[item.subscription_id].append(item)
        return [grouped[sid] for sid in subscription_ids]


@dataclass(frozen=True)
class PayerInvoicesKey:
    payer_id: uuid.UUID
    status: InvoiceStatus | None


class InvoicesByPayerIdLoader(_GroupedLoader):
    """The invoices a client pays, newest first; one query per status asked for."""

    async def _load(self, keys: Sequence[PayerInvoicesKey]) -> list[list[Invoice]]:
        by_status: dict[InvoiceStatus | None, set[uuid.UUID]] = defaultdict(set)
        for key in keys:
            by_status[key.status].add(key.payer_id)
        grouped: dict[PayerInvoicesKey, list[Invoice]] = defaultdict(list)
        async with self.db.reading() as tx:
            for status, payer_ids in by_status.items():
                query = entities_of(Invoice).where(I.c.payer_id.in_(payer_ids))
                if status is not None:
                    query = query.where(I.c.status == status.name)
                found = await rows_of(
                    tx, Invoice, query.order_by(I.c.issued_at.desc(), I.c.sequence.desc()))
                for item in found:
                    grouped[PayerInvoicesKey(item.payer_id, status)].append(item)
        return [grouped[key] for key in keys]


class GroupSessionLoaders:
    def __init__(self, db: Reads, now: datetime) -> None:
        self.service_by_id = ServiceByIdLoader(db)
        self.group_session_by_id = GroupSessionByIdLoader(db)
        self.subscription_by_id = SubscriptionByIdLoader(db)
        self.invoice_by_id = InvoiceByIdLoader(db)
        self.group_sessions_by_service_id = GroupSessionsByServiceIdLoader(db)
        self.enrolment_spans_by_group_session_id = EnrolmentSpansByGroupSessionIdLoader(db, now)
        self.subscriptions_by_client_id = SubscriptionsByClientIdLoader(db)
        self.invoices_by_subscription_id = InvoicesBySubscriptionIdLoader(db)
        self.credit_notes_by_subscription_id = CreditNotesBySubscriptionIdLoader(db)
        self.invoices_by_payer_id = InvoicesByPayerIdLoader(db)
