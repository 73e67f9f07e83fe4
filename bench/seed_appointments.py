"""Sessions and reserved slots for the session benchmarks, inserted in bulk after the clients.

- History: each practitioner's ATTENDED sessions on weekdays at 10:00 and 14:00 (London),
  five to twelve weeks before the measured week (clear of the sessions awaiting updates).
- Awaiting updates: the owner's AWAITING started, still-SCHEDULED sessions, one every two
  hours going back from now (so `awaitingUpdates` has full pages of 50 and a real total).
- Upcoming: each practitioner's SCHEDULED sessions on weekdays at 10:00 and 14:30 for four
  weeks from the measured week, and three reserved slots of the owner's relationships, so
  availability has sessions and reserved slots to subtract.
- bookSession lanes: per practitioner, the ACTIVE relationships whose payer has a card. Each
  request n books lane n % P (a practitioner), relationship (n // P) % its count, at hour
  n // P after `book_from` (months after anything seeded), so no two requests collide.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.practice import Weekday
from domain.appointments.appointments import Continuation
from domain.appointments.availability import to_utc
from domain.appointments.policy import AppointmentStatus
from domain.clients.relationships import RelationshipStatus
from persistence import tables

TIMEZONE = ZoneInfo("Europe/London")
LENGTH = timedelta(minutes=50)
PRICE = Decimal("80.00")
AWAITING = 240
RESERVED = ((Weekday.TUESDAY, time(12, 0)), (Weekday.THURSDAY, time(9, 0)),
            (Weekday.FRIDAY, time(15, 0)))


@dataclass(frozen=True)
class SeededAppointments:
    owner_practitioner_id: uuid.UUID
    week_start: datetime  # availability's `from`: a Monday 00:00 London at least a day ahead
    lanes: tuple[tuple[uuid.UUID, ...], ...]  # per practitioner with any: bookable relationships
    book_from: datetime  # bookSession's first hour
    probe_at: datetime  # the same-JSON check's bookings (one per lane, all at this time)
    awaiting: int
    appointments: int


@dataclass(frozen=True)
class _Relationship:
    id: uuid.UUID
    practitioner_id: uuid.UUID
    payer_id: uuid.UUID
    status: RelationshipStatus
    has_card: bool


async def seed_appointments(
    connection: AsyncConnection, practice_id: uuid.UUID, now: datetime
) -> SeededAppointments | None:
    """None when the practice has no relationships to book in (no clients were seeded)."""
    practitioners = tables.practitioners
    await connection.execute(  # what a session costs, so bookings carry a real price
        update(practitioners).where(practitioners.c.practice_id == practice_id)
        .values(appointment_price=PRICE))
    staff = list((await connection.execute(
        select(tables.practitioners.c.id).where(tables.practitioners.c.practice_id == practice_id)
        .order_by(tables.practitioners.c.created_at)
    )).scalars())
    related = await _relationships(connection, practice_id)
    attendees = await _attendees(connection, [r.id for r in related])
    active = defaultdict(list)
    for r in related:
        if r.status is RelationshipStatus.ACTIVE:
            active[r.practitioner_id].append(r)
    if not active:
        return None
    rows = _Rows(practice_id, attendees, now)
    week_start = _monday_ahead(now)
    for practitioner_id in staff:
        mine = active.get(practitioner_id, [])
        if not mine:
            continue
        for week in range(5, 13):
            for day in range(5):
                local = week_start.astimezone(TIMEZONE).date() - timedelta(weeks=week, days=-day)
                for at in (time(10, 0), time(14, 0)):
                    rows.add(mine, to_utc(local, at, TIMEZONE), AppointmentStatus.ATTENDED)
        for week in range(4):
            for day in range(5):
                local = week_start.astimezone(TIMEZONE).date() + timedelta(weeks=week, days=day)
                for at in (time(10, 0), time(14, 30)):
                    rows.add(mine, to_utc(local, at, TIMEZONE), AppointmentStatus.SCHEDULED)
    owner = staff[0]
    owners = active.get(owner, [])
    if owners:
        latest = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        for k in range(AWAITING):
            rows.add(owners, latest - timedelta(hours=2 * k), AppointmentStatus.SCHEDULED)
    await _insert(connection, tables.appointments, rows.appointments)
    await _insert(connection, tables.appointment_attendees, rows.attendees)
    await _insert(connection, tables.reserved_slots,
                  _reserved(practice_id, owner, owners, now))
    lanes = tuple(
        tuple(r.id for r in active[p] if r.has_card) for p in staff
        if any(r.has_card for r in active.get(p, []))
    )
    book_from = datetime.combine(week_start.date(), time(0), UTC) + timedelta(days=180)
    return SeededAppointments(
        owner, week_start, lanes, book_from, book_from - timedelta(days=30),
        AWAITING if owners else 0, len(rows.appointments),
    )


class _Rows:
    def __init__(self, practice_id: uuid.UUID, attendees: dict[uuid.UUID, list[uuid.UUID]],
                 now: datetime) -> None:
        self.practice_id = practice_id
        self.relationship_attendees = attendees
        self.now = now
        self.appointments: list[dict[str, Any]] = []
        self.attendees: list[dict[str, Any]] = []
        self._turn = 0

    def add(self, relationships: list[_Relationship], starts_at: datetime,
            status: AppointmentStatus) -> None:
        relationship = relationships[self._turn % len(relationships)]
        self._turn += 1
        appointment_id = uuid.uuid4()
        attended = status is AppointmentStatus.ATTENDED
        self.appointments.append({
            "id": appointment_id, "practice_id": self.practice_id,
            "practitioner_id": relationship.practitioner_id,
            "relationship_id": relationship.id, "payer_id": relationship.payer_id,
            "starts_at": starts_at, "ends_at": starts_at + LENGTH, "status": status,
            "price": PRICE, "currency": "GBP", "created_at": starts_at - timedelta(days=7),
            "attended": True if attended else None,
            "continuation": Continuation.SAME_WEEKLY_SLOT if attended else None,
            "update_submitted_at": starts_at + timedelta(hours=1) if attended else None,
        })
        self.attendees.extend(
            {"appointment_id": appointment_id, "client_id": client_id, "position": position}
            for position, client_id in enumerate(self.relationship_attendees[relationship.id])
        )


def _reserved(practice_id: uuid.UUID, owner: uuid.UUID, owners: list[_Relationship],
              now: datetime) -> list[dict[str, Any]]:
    return [
        {"id": uuid.uuid4(), "practice_id": practice_id, "practitioner_id": owner,
         "relationship_id": relationship.id, "weekday": weekday, "start_time": at,
         "duration_minutes": 50, "created_at": now}
        for relationship, (weekday, at) in zip(owners, RESERVED, strict=False)
    ]


def _monday_ahead(now: datetime) -> datetime:
    """00:00 London on the first Monday at least a day after `now`, in UTC."""
    day: date = (now + timedelta(days=1)).astimezone(TIMEZONE).date()
    while day.weekday() != 0:
        day += timedelta(days=1)
    return to_utc(day, time(0), TIMEZONE)


async def _relationships(
    connection: AsyncConnection, practice_id: uuid.UUID
) -> list[_Relationship]:
    r, pm = tables.relationships, tables.payment_methods
    rows = await connection.execute(
        select(r.c.id, r.c.practitioner_id, r.c.payer_id, r.c.status, pm.c.id.label("card"))
        .outerjoin(pm, pm.c.client_id == r.c.payer_id)
        .where(r.c.practice_id == practice_id).order_by(r.c.started_at, r.c.id)
    )
    return [_Relationship(row.id, row.practitioner_id, row.payer_id, row.status,
                          row.card is not None) for row in rows]


async def _attendees(
    connection: AsyncConnection, relationship_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rc = tables.relationship_clients
    found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    rows = await connection.execute(
        select(rc.c.relationship_id, rc.c.client_id).order_by(rc.c.relationship_id, rc.c.position)
    )
    wanted = set(relationship_ids)
    for relationship_id, client_id in rows:
        if relationship_id in wanted:
            found[relationship_id].append(client_id)
    return found


async def _insert(connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 1_000):
        await connection.execute(table.insert(), rows[start:start + 1_000])
