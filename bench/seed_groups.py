"""Group sessions, subscriptions and invoices for the group benchmarks, inserted in bulk after
the clients.

- transferSession: POOL subscriptions to "Tuesday Yoga" sessions (20 a session, open-ended,
  started weeks ago), each to be moved once to a "Thursday Pilates" session with 20 free
  places (PAY_LATER, 10% off). Request n moves subscription n to target n // 20, from the next
  Tuesday to the next Thursday, so no two requests touch the same subscription and no target
  overfills. The same-JSON check's two probes come from the end of the pool.
- A client's invoices page: one client with INVOICES monthly invoices (three years: most PAID,
  the last few OPEN, one CLOSED), each a pro-rated line and some with a discount; the
  practice's invoice counter continues after them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.practice import Weekday
from domain.billing.billing import InvoiceStatus, parse_discount
from domain.billing.invoices import Invoice
from domain.groups.group_sessions import (
    GroupSession,
    SubscriptionStatus,
    YearMonth,
    first_month_lines,
    validate_group_session,
)
from persistence import tables

TIMEZONE = ZoneInfo("Europe/London")
POOL = 20_000
PROBES = 2
PER_GROUP_SESSION = 20
INVOICES = 36


@dataclass(frozen=True)
class SeededGroups:
    subscriptions: tuple[uuid.UUID, ...]  # the transfer pool, in request order
    targets: tuple[uuid.UUID, ...]  # target n // PER_SESSION takes request n
    transfer_date: date  # the next Tuesday (London)
    first_date: date  # the next Thursday
    invoice_client_id: uuid.UUID
    invoices: int


def _next(weekday: Weekday, day: date) -> date:
    return day + timedelta(days=(weekday.value - day.weekday()) % 7)


def _group_session_row(practice_id: uuid.UUID, service_id: uuid.UUID, practitioner_id: uuid.UUID,
             name: str, weekday: Weekday, price: str, starts_on: date, now: datetime,
             at: time) -> GroupSession:
    details = validate_group_session(
        name=name, weekday=weekday, start_time=at.strftime("%H:%M"), duration_minutes=60,
        capacity=PER_GROUP_SESSION, monthly_price=Decimal(price), currency="GBP",
        starts_on=starts_on, ends_on=None)
    return GroupSession.create(details, practice_id=practice_id, service_id=service_id,
                               practitioner_id=practitioner_id, now=now)


def _row(table: Any, entity: object) -> dict[str, Any]:
    return {c.name: getattr(entity, c.name) for c in table.columns if hasattr(entity, c.name)}


async def seed_groups(
    connection: AsyncConnection, practice_id: uuid.UUID, now: datetime
) -> SeededGroups | None:
    clients = list((await connection.execute(
        select(tables.clients.c.id).where(tables.clients.c.practice_id == practice_id)
        .order_by(tables.clients.c.created_at, tables.clients.c.id))).scalars())
    if len(clients) < PER_GROUP_SESSION:
        return None
    owner = (await connection.execute(
        select(tables.practitioners.c.id).where(tables.practitioners.c.practice_id == practice_id)
        .order_by(tables.practitioners.c.created_at).limit(1))).scalar_one()
    today = now.astimezone(TIMEZONE).date()
    yoga, pilates = uuid.uuid4(), uuid.uuid4()
    await _insert(connection, tables.services, [
        {"id": yoga, "practice_id": practice_id, "name": "Yoga", "description": "Gentle flow",
         "created_at": now},
        {"id": pilates, "practice_id": practice_id, "name": "Pilates", "description": None,
         "created_at": now}])
    tuesday_start = _next(Weekday.TUESDAY, today - timedelta(weeks=12))
    thursday_start = _next(Weekday.THURSDAY, today - timedelta(weeks=12))
    count = -(-POOL // PER_GROUP_SESSION)
    sources = [_group_session_row(practice_id, yoga, owner, "Tuesday Yoga", Weekday.TUESDAY,
            "100.00",
                        tuesday_start, now, time(18)) for _ in range(count)]
    targets = [_group_session_row(practice_id, pilates, owner, "Thursday Pilates", Weekday.THURSDAY,
                        "80.00", thursday_start, now, time(19)) for _ in range(count)]
    await _insert(connection, tables.group_sessions,
                  [_row(tables.group_sessions, s) for s in [*sources, *targets]])
    started = _next(Weekday.TUESDAY, today - timedelta(weeks=6))
    next_month = YearMonth.of(today).next().first_day
    pool: list[uuid.UUID] = []
    rows = []
    for n in range(POOL):
        subscription_id = uuid.uuid4()
        client_id = clients[n % len(clients)]
        pool.append(subscription_id)
        rows.append({
            "id": subscription_id, "practice_id": practice_id,
            "group_session_id": sources[n // PER_GROUP_SESSION].id, "client_id": client_id,
            "payer_id": client_id, "status": SubscriptionStatus.ACTIVE, "start_date": started,
            "end_date": None, "created_at": now, "transferred_from_id": None,
            "transferred_to_id": None, "next_bill_month": next_month,
        })
    await _insert(connection, tables.group_subscriptions, rows)
    invoice_client = clients[0]
    billed = _group_session_row(practice_id, yoga, owner, "Tuesday Yoga", Weekday.TUESDAY, "100.00",
                      _next(Weekday.TUESDAY, today - timedelta(weeks=52 * 4)), now, time(18))
    invoices = _invoices(practice_id, invoice_client, billed, today)
    await _insert(connection, tables.invoices, invoices)
    await _insert(connection, tables.invoice_counters,
                  [{"practice_id": practice_id, "last_number": len(invoices)}])
    return SeededGroups(tuple(pool), tuple(t.id for t in targets),
                        _next(Weekday.TUESDAY, today + timedelta(days=1)),
                        _next(Weekday.THURSDAY, today + timedelta(days=1)),
                        invoice_client, len(invoices))


def _invoices(practice_id: uuid.UUID, payer_id: uuid.UUID, group_session: GroupSession,
              today: date) -> list[dict[str, Any]]:
    """Three years of monthly invoices for one payer, oldest first, numbered 1 on."""
    month = YearMonth.of(today)
    months = []
    for _ in range(INVOICES):
        months.append(month)
        month = YearMonth(month.year - (month.month == 1), (month.month - 2) % 12 + 1)
    rows = []
    for sequence, ym in enumerate(reversed(months), start=1):
        first = _next(group_session.weekday, ym.first_day + timedelta(days=7 * (sequence % 3)))
        lines = first_month_lines(group_session, first)
        discount = parse_discount(Decimal("12.5"), None, "Loyalty", "GBP") if (
            sequence % 4 == 0) else None
        issued = datetime.combine(ym.first_day, time(7), UTC)
        invoice = Invoice.issue(practice_id=practice_id, payer_id=payer_id, sequence=sequence,
                                lines=lines, discount=discount, currency="GBP", now=issued)
        if sequence <= INVOICES - 3 and sequence != 20:
            invoice.pay(issued + timedelta(hours=2))
        elif sequence == 20:
            invoice.status = InvoiceStatus.CLOSED
        rows.append(_row(tables.invoices, invoice))
    return rows


async def _insert(connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 1_000):
        await connection.execute(table.insert(), rows[start:start + 1_000])
