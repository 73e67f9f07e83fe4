"""Repositories: load and add aggregates inside a unit of work's session."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.payments import PaymentMethod
from domain.accounts.practice import Account, Membership, Practice, Practitioner
from domain.accounts.recovery import PasswordReset
from domain.accounts.registration import Registration
from domain.accounts.staff_invites import PractitionerInvite
from domain.appointments.appointments import BLOCKING, Appointment, Charge, ReservedSlot
from domain.appointments.policy import AppointmentStatus
from domain.appointments.time_off import TimeOff
from domain.billing.invoices import Invoice, InvoicePayment, PaymentStatus
from domain.billing.packages import Package
from domain.clients.clients import Client, ClientInvite
from domain.clients.intake_forms import IntakeForm
from domain.clients.links import ClientLink
from domain.clients.relationships import Relationship
from domain.groups.group_sessions import GroupSession, GroupSubscription, Service
from domain.shared.paging import Key, Slice
from domain.widgets.guest_booking import BookingConfirmation
from persistence import tables
from persistence.database import Database
from persistence.keyset import Ordering
from persistence.read_rows import entities_of, rows_of

T = TypeVar("T")
OLDEST_FIRST = Ordering((tables.appointments.c.starts_at, tables.appointments.c.id))


# Statements every request sends are built once: building one and its cache key costs more
# than SQLite takes to answer it.
_TOKEN_VERSION = (
    select(tables.accounts.c.token_version)
    .join(tables.memberships, tables.memberships.c.account_id == tables.accounts.c.id)
    .where(tables.accounts.c.id == bindparam("account_id"),
           tables.memberships.c.id == bindparam("membership_id"),
           tables.memberships.c.practice_id == bindparam("practice_id")))


_A = tables.appointments
_BUSY = select(_A.c.starts_at, _A.c.ends_at).where(
    _A.c.practitioner_id == bindparam("practitioner_id"), _A.c.status.in_(BLOCKING),
    _A.c.starts_at < bindparam("end"), _A.c.ends_at > bindparam("start"))
_BUSY_EXCLUDING = _BUSY.where(_A.c.id != bindparam("excluding"))


@cache
def _time_off_touching(practice_only: bool) -> Select[TimeOff]:
    """The practice's closures, and unless `practice_only` the practitioner's own time off,
    whose dates come within [first, last] (built once mapped)."""
    t = tables.time_off
    whose = (t.c.practitioner_id.is_(None) if practice_only else or_(
        t.c.practitioner_id.is_(None), t.c.practitioner_id == bindparam("practitioner_id")))
    return select(TimeOff).where(
        t.c.practice_id == bindparam("practice_id"), whose,
        t.c.starts_on <= bindparam("last"), t.c.ends_on >= bindparam("first"),
    ).order_by(t.c.starts_on, t.c.id)


@cache
def _card_of_client() -> Select[PaymentMethod]:
    t = tables.payment_methods
    return select(PaymentMethod).where(t.c.client_id == bindparam("client_id")).limit(1)


class Repository(Generic[T]):
    model: type[T]

    def __init__(self, tx: AsyncSession) -> None:
        self.tx = tx

    def add(self, item: T) -> None:
        self.tx.add(item)

    async def get(self, item_id: uuid.UUID, *, for_update: bool = False) -> T | None:
        return await self.tx.get(self.model, item_id, with_for_update=for_update)

    async def get_in_practice(
        self, item_id: uuid.UUID, practice_id: uuid.UUID, *, for_update: bool = False
    ) -> T | None:
        """Only rows of the viewer's practice: anything else reads as missing."""
        item = await self.get(item_id, for_update=for_update)
        if item is None or getattr(item, "practice_id", None) != practice_id:
            return None
        return item

    async def first(self, *where: Any) -> T | None:
        result = await self.tx.execute(select(self.model).where(*where).limit(1))
        return result.scalars().first()


class Practices(Repository[Practice]):
    model = Practice


class Practitioners(Repository[Practitioner]):
    model = Practitioner

    async def by_email_in_practice(
        self, practice_id: uuid.UUID, email: str
    ) -> Practitioner | None:
        return await self.first(tables.practitioners.c.practice_id == practice_id,
                                tables.practitioners.c.email == email)

    async def by_calendar_token_hash(self, token_hash: str) -> Practitioner | None:
        return await self.first(tables.practitioners.c.calendar_token_hash == token_hash)


class Accounts(Repository[Account]):
    model = Account

    async def by_email(self, email: str) -> Account | None:
        return await self.first(tables.accounts.c.email == email)

    async def email_taken(self, email: str) -> bool:
        result = await self.tx.execute(
            select(func.count()).select_from(tables.accounts).where(
                tables.accounts.c.email == email
            )
        )
        return bool(result.scalar_one())


    async def token_version(
        self, account_id: uuid.UUID, membership_id: uuid.UUID, practice_id: uuid.UUID
    ) -> int | None:
        """The version an access token of this membership must carry, or None when the
        account or the membership is gone."""
        result = await self.tx.execute(_TOKEN_VERSION, {
            "account_id": account_id, "membership_id": membership_id,
            "practice_id": practice_id})
        return result.scalar_one_or_none()


class Memberships(Repository[Membership]):
    model = Membership

    async def of_account(self, account_id: uuid.UUID) -> list[Membership]:
        """Oldest first: the first is where signing in leads."""
        result = await self.tx.execute(
            select(Membership).where(tables.memberships.c.account_id == account_id)
            .order_by(tables.memberships.c.created_at, tables.memberships.c.id))
        return list(result.scalars())

    async def of_client(self, client_id: uuid.UUID) -> Membership | None:
        return await self.first(tables.memberships.c.client_id == client_id)

    async def of_practitioner(self, practitioner_id: uuid.UUID) -> Membership | None:
        return await self.first(tables.memberships.c.practitioner_id == practitioner_id)

    async def in_practice(self, account_id: uuid.UUID, practice_id: uuid.UUID) -> bool:
        return await self.first(tables.memberships.c.account_id == account_id,
                                tables.memberships.c.practice_id == practice_id) is not None


class PasswordResets(Repository[PasswordReset]):
    model = PasswordReset

    async def by_token_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordReset | None:
        query = select(PasswordReset).where(tables.password_resets.c.token_hash == token_hash)
        result = await self.tx.execute(query.with_for_update() if for_update else query)
        return result.scalars().first()

    async def open_for(self, account_id: uuid.UUID) -> list[PasswordReset]:
        result = await self.tx.execute(
            select(PasswordReset).where(
                tables.password_resets.c.account_id == account_id,
                tables.password_resets.c.used_at.is_(None),
            )
        )
        return list(result.scalars())


class PractitionerInvites(Repository[PractitionerInvite]):
    model = PractitionerInvite

    async def by_token_hash(self, token_hash: str) -> PractitionerInvite | None:
        result = await self.tx.execute(
            select(PractitionerInvite)
            .where(tables.practitioner_invites.c.token_hash == token_hash)
            .with_for_update()
        )
        return result.scalars().first()

    async def open_for(self, practitioner_id: uuid.UUID) -> list[PractitionerInvite]:
        """Not used and not withdrawn: expired ones too, so a revocation covers them."""
        invites = tables.practitioner_invites
        result = await self.tx.execute(
            select(PractitionerInvite).where(
                invites.c.practitioner_id == practitioner_id,
                invites.c.used_at.is_(None), invites.c.revoked_at.is_(None),
            ).with_for_update()
        )
        return list(result.scalars())


class Clients(Repository[Client]):
    model = Client

    async def many(self, client_ids: set[uuid.UUID]) -> dict[uuid.UUID, Client]:
        if not client_ids:
            return {}
        result = await self.tx.execute(
            select(Client).where(tables.clients.c.id.in_(client_ids)))
        return {c.id: c for c in result.scalars()}

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

    async def of_practitioner_and_client(
        self, practitioner_id: uuid.UUID, client_id: uuid.UUID, *, for_update: bool = False
    ) -> list[Relationship]:
        """The practitioner's relationships the client attends."""
        attending = select(tables.relationship_clients.c.relationship_id).where(
            tables.relationship_clients.c.client_id == client_id
        )
        query = select(Relationship).where(
            tables.relationships.c.practitioner_id == practitioner_id,
            tables.relationships.c.id.in_(attending),
        )
        result = await self.tx.execute(query.with_for_update() if for_update else query)
        return list(result.scalars())


class Registrations(Repository[Registration]):
    model = Registration

    async def by_token_hash(self, token_hash: str, *, for_update: bool) -> Registration | None:
        query = select(Registration).where(tables.registrations.c.token_hash == token_hash)
        result = await self.tx.execute(query.with_for_update() if for_update else query)
        return result.scalars().first()


class ClientInvites(Repository[ClientInvite]):
    model = ClientInvite

    async def by_token_hash(self, token_hash: str) -> ClientInvite | None:
        result = await self.tx.execute(
            select(ClientInvite)
            .where(tables.client_invites.c.token_hash == token_hash)
            .with_for_update()
        )
        return result.scalars().first()

    async def open_for(self, client_id: uuid.UUID) -> list[ClientInvite]:
        result = await self.tx.execute(
            select(ClientInvite).where(
                tables.client_invites.c.client_id == client_id,
                tables.client_invites.c.used_at.is_(None),
            )
        )
        return list(result.scalars())


class BookingConfirmations(Repository[BookingConfirmation]):
    model = BookingConfirmation

    async def by_token_hash(self, token_hash: str) -> BookingConfirmation | None:
        result = await self.tx.execute(
            select(BookingConfirmation)
            .where(tables.booking_confirmations.c.token_hash == token_hash)
            .with_for_update()
        )
        return result.scalars().first()


class PaymentMethods(Repository[PaymentMethod]):
    model = PaymentMethod

    async def of_client(self, client_id: uuid.UUID) -> PaymentMethod | None:
        result = await self.tx.execute(_card_of_client(), {"client_id": client_id})
        return result.scalars().first()

    async def remove(self, method: PaymentMethod) -> None:
        await self.tx.delete(method)


class Appointments(Repository[Appointment]):
    model = Appointment

    async def busy(
        self, practitioner_id: uuid.UUID, start: datetime, end: datetime,
        *, excluding: uuid.UUID | None = None,
    ) -> list[tuple[datetime, datetime]]:
        """Times the practitioner's sessions keep taken that overlap [start, end)."""
        params = {"practitioner_id": practitioner_id, "start": start, "end": end}
        query = _BUSY
        if excluding is not None:
            query, params["excluding"] = _BUSY_EXCLUDING, excluding
        return [(row.starts_at, row.ends_at) for row in await self.tx.execute(query, params)]

    async def of_practitioner_between(
        self, practitioner_id: uuid.UUID, start: datetime, end: datetime, limit: int
    ) -> list[Appointment]:
        """The practitioner's sessions that keep time taken and start in [start, end)."""
        t = tables.appointments
        result = await self.tx.execute(
            select(Appointment).where(
                t.c.practitioner_id == practitioner_id, t.c.status.in_(BLOCKING),
                t.c.starts_at >= start, t.c.starts_at < end,
            ).order_by(t.c.starts_at, t.c.id).limit(limit)
        )
        return list(result.scalars())

    async def by_reference(self, practice_id: uuid.UUID, reference: str) -> Appointment | None:
        t = tables.appointments
        return await self.first(t.c.practice_id == practice_id, t.c.reference == reference)

    async def upcoming_of_relationship(
        self, relationship_id: uuid.UUID, now: datetime
    ) -> list[Appointment]:
        t = tables.appointments
        result = await self.tx.execute(
            select(Appointment).where(
                t.c.relationship_id == relationship_id,
                t.c.status == AppointmentStatus.SCHEDULED.name, t.c.starts_at > now,
            ).order_by(t.c.starts_at).with_for_update()
        )
        return list(result.scalars())

    async def locked_where(self, *where: Any, limit: int | None = None) -> list[Appointment]:
        """Sessions matching `where`, locked in id order (so two sweeps never deadlock);
        PostgreSQL skips a row a concurrent writer changed so that it no longer matches."""
        t = tables.appointments
        query = select(Appointment).where(*where).order_by(t.c.id).with_for_update()
        if limit is not None:
            query = query.limit(limit)
        return list((await self.tx.execute(query)).scalars())

    async def awaiting_update(
        self, practitioner_id: uuid.UUID, now: datetime, window: Slice
    ) -> list[tuple[Appointment, Key]]:
        """The practitioner's started, still-SCHEDULED sessions, oldest first (one page,
        one row beyond it: see domain.shared.paging.trimmed), read-only (read_rows): for the
        page, not for a unit of work to change."""
        found = await rows_of(self.tx, Appointment, entities_of(Appointment)
                              .where(*_awaiting(practitioner_id, now), *OLDEST_FIRST.where(window))
                              .order_by(*OLDEST_FIRST.reading(window)).limit(window.limit + 1))
        return OLDEST_FIRST.keyed(found)

    async def count_awaiting_update(self, practitioner_id: uuid.UUID, now: datetime) -> int:
        result = await self.tx.execute(
            select(func.count()).select_from(tables.appointments)
            .where(*_awaiting(practitioner_id, now))
        )
        return int(result.scalar_one())


def _awaiting(practitioner_id: uuid.UUID, now: datetime) -> tuple[Any, ...]:
    """domain.appointments.policy.awaiting_update as SQL: SCHEDULED and started
    (starts_at <= now)."""
    t = tables.appointments
    return (t.c.practitioner_id == practitioner_id,
            t.c.status == AppointmentStatus.SCHEDULED.name, t.c.starts_at <= now)


class Charges(Repository[Charge]):
    model = Charge

    async def by_key(self, idempotency_key: str) -> Charge | None:
        return await self.first(tables.charges.c.idempotency_key == idempotency_key)

    async def by_keys(self, idempotency_keys: list[str]) -> dict[str, Charge]:
        if not idempotency_keys:
            return {}
        result = await self.tx.execute(
            select(Charge).where(tables.charges.c.idempotency_key.in_(idempotency_keys))
        )
        return {charge.idempotency_key: charge for charge in result.scalars()}


class ReservedSlots(Repository[ReservedSlot]):
    model = ReservedSlot

    async def of_practitioner(self, practitioner_id: uuid.UUID) -> list[ReservedSlot]:
        result = await self.tx.execute(
            select(ReservedSlot).where(
                tables.reserved_slots.c.practitioner_id == practitioner_id
            )
        )
        return list(result.scalars())

    async def of_relationship(self, relationship_id: uuid.UUID) -> list[ReservedSlot]:
        result = await self.tx.execute(
            select(ReservedSlot).where(
                tables.reserved_slots.c.relationship_id == relationship_id
            )
        )
        return list(result.scalars())

    async def remove(self, slot: ReservedSlot) -> None:
        await self.tx.delete(slot)


class TimeOffs(Repository[TimeOff]):
    model = TimeOff

    async def touching(
        self, practice_id: uuid.UUID, practitioner_id: uuid.UUID | None, start: datetime,
        end: datetime,
    ) -> list[TimeOff]:
        """The practitioner's time off and the practice's closures whose local dates come
        within a day of [start, end) (local dates and UTC differ by under a day)."""
        result = await self.tx.execute(
            _time_off_touching(practice_only=practitioner_id is None), {
                "practice_id": practice_id, "practitioner_id": practitioner_id,
                "last": (end + timedelta(days=1)).date(),
                "first": (start - timedelta(days=1)).date()})
        return list(result.scalars())

    async def remove(self, entry: TimeOff) -> None:
        await self.tx.delete(entry)


class IdempotencyKeys:
    """The first answer to a money-moving mutation, kept under the caller's key."""

    def __init__(self, tx: AsyncSession) -> None:
        self.tx = tx

    async def find(self, account_id: uuid.UUID, operation: str, key: str) -> Any:
        t = tables.idempotency_keys
        result = await self.tx.execute(
            select(t.c.request_hash, t.c.result_id).where(
                t.c.account_id == account_id, t.c.operation == operation, t.c.key == key
            )
        )
        return result.one_or_none()

    async def remember(
        self, account_id: uuid.UUID, operation: str, key: str, request_hash: str,
        result_id: uuid.UUID, now: datetime,
    ) -> None:
        await self.tx.execute(insert(tables.idempotency_keys).values(
            id=uuid.uuid4(), account_id=account_id, operation=operation, key=key,
            request_hash=request_hash, result_id=result_id, created_at=now,
        ))


class Services(Repository[Service]):
    model = Service

    async def of_practice(self, practice_id: uuid.UUID) -> list[Service]:
        t = tables.services
        result = await self.tx.execute(
            select(Service).where(t.c.practice_id == practice_id).order_by(t.c.created_at, t.c.id)
        )
        return list(result.scalars())


class GroupSessions(Repository[GroupSession]):
    model = GroupSession


class Subscriptions(Repository[GroupSubscription]):
    model = GroupSubscription

    async def attending_from(
        self, group_session_id: uuid.UUID, day: date
    ) -> list[GroupSubscription]:
        """The session's subscriptions that attend `day` or a later date (call it with the
        session row locked, so that what it counts cannot change before commit)."""
        t = tables.group_subscriptions
        result = await self.tx.execute(
            select(GroupSubscription).where(
                t.c.group_session_id == group_session_id, or_(t.c.end_date.is_(None),
                        t.c.end_date > day)
            )
        )
        return list(result.scalars())

    async def next_bill_month(self, subscription_id: uuid.UUID) -> date | None:
        t = tables.group_subscriptions
        return await self.tx.scalar(  # type: ignore[no-any-return]
            select(t.c.next_bill_month).where(t.c.id == subscription_id)
        )

    async def set_next_bill_month(self, subscription_id: uuid.UUID, month: date | None) -> None:
        t = tables.group_subscriptions
        await self.tx.execute(
            update(t).where(t.c.id == subscription_id).values(next_bill_month=month)
        )

    async def due_for_billing(self, bound: date, limit: int) -> list[Any]:
        """Subscriptions whose next month to bill starts on or before `bound` and that still
        attend then, with their session's practitioner's timezone; oldest cursor first."""
        s, g, p = tables.group_subscriptions, tables.group_sessions, tables.practitioners
        result = await self.tx.execute(
            select(s.c.id, s.c.next_bill_month, p.c.timezone)
            .join(g, g.c.id == s.c.group_session_id).join(p, p.c.id == g.c.practitioner_id)
            .where(s.c.next_bill_month.is_not(None), s.c.next_bill_month <= bound,
                   or_(s.c.end_date.is_(None), s.c.end_date > s.c.next_bill_month))
            .order_by(s.c.next_bill_month, s.c.id).limit(limit)
        )
        return list(result)


class Invoices(Repository[Invoice]):
    model = Invoice

    async def next_sequence(self, practice_id: uuid.UUID) -> int:
        """The practice's next invoice number, taken inside the caller's transaction:
        UPDATE ... SET last_number = last_number + 1 RETURNING holds the counter row until
        commit (concurrent issuers queue), and a rollback gives the number back."""
        t = tables.invoice_counters
        bump = (update(t).where(t.c.practice_id == practice_id)
                .values(last_number=t.c.last_number + 1).returning(t.c.last_number))
        taken = (await self.tx.execute(bump)).scalar_one_or_none()
        if taken is None:  # the practice's first invoice: make its counter row, once
            dialect = self.tx.get_bind().dialect.name
            insert_into = postgresql_insert if dialect == "postgresql" else sqlite_insert
            await self.tx.execute(
                insert_into(t).values(practice_id=practice_id, last_number=0)
                .on_conflict_do_nothing(index_elements=[t.c.practice_id])
            )
            taken = (await self.tx.execute(bump)).scalar_one()
        return int(taken)

    async def of_subscription(self, subscription_id: uuid.UUID) -> list[Invoice]:
        t = tables.invoices
        result = await self.tx.execute(
            select(Invoice).where(t.c.subscription_id == subscription_id)
            .order_by(t.c.issued_at, t.c.sequence)
        )
        return list(result.scalars())

    async def pending_autocharge(self, limit: int) -> list[uuid.UUID]:
        t = tables.invoices
        result = await self.tx.execute(
            select(t.c.id).where(t.c.autocharge_pending.is_(True))
            .order_by(t.c.issued_at, t.c.id).limit(limit)
        )
        return list(result.scalars())


class InvoicePayments(Repository[InvoicePayment]):
    model = InvoicePayment

    async def by_key(self, idempotency_key: str) -> InvoicePayment | None:
        return await self.first(tables.invoice_payments.c.idempotency_key == idempotency_key)

    async def count_with_status(self, invoice_id: uuid.UUID, status: PaymentStatus) -> int:
        t = tables.invoice_payments
        result = await self.tx.execute(
            select(func.count()).select_from(t).where(t.c.invoice_id == invoice_id,
                                                      t.c.status == status.name)
        )
        return int(result.scalar_one())

    async def refunded_with_prefix(self, prefix: str) -> int:
        """Charges under keys that start with `prefix` that were given back (see
        resolvers/billing/invoice_money.py: a retry after a refund needs a fresh key)."""
        t = tables.invoice_payments
        result = await self.tx.execute(
            select(func.count()).select_from(t).where(
                t.c.idempotency_key.startswith(prefix, autoescape=True),
                t.c.status == PaymentStatus.REFUNDED.name)
        )
        return int(result.scalar_one())


class ClientLinks(Repository[ClientLink]):
    model = ClientLink

    async def of_client(self, client_id: uuid.UUID) -> list[ClientLink]:
        """Every link the client is part of, on either side, oldest first."""
        links = tables.client_links.c
        result = await self.tx.execute(
            select(ClientLink)
            .where(or_(links.client_id == client_id, links.linked_client_id == client_id))
            .order_by(links.created_at, links.id)
        )
        return list(result.scalars())

    async def between(self, one: uuid.UUID, other: uuid.UUID) -> ClientLink | None:
        low, high = sorted((one, other), key=str)
        links = tables.client_links.c
        return await self.first(links.low_client_id == low, links.high_client_id == high)

    async def remove(self, link: ClientLink) -> None:
        await self.tx.delete(link)


class IntakeForms(Repository[IntakeForm]):
    model = IntakeForm


class Packages(Repository[Package]):
    model = Package


async def count_rows(db: Database, table: Any, *where: Any) -> int:
    """How many rows of `table` match `where` (the sweep's dry run)."""
    async with db.reading() as tx:
        return int(await tx.scalar(select(func.count()).select_from(table).where(*where)) or 0)
