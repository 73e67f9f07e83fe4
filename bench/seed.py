"""Seeds a practice of a chosen size with bulk SQLAlchemy Core inserts into the real tables.

The practice, its owner and practitioners come from the real domain code
(domain.accounts.registration and new_practitioner), so their rows are what sign-up
would have written; only the Argon2 hash is computed once and shared, to keep seeding fast.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.practice import NewPractitioner, Role, new_practitioner
from domain.accounts.registration import request_registration
from persistence import tables
from persistence.database import Database
from resolvers.shared.auth import hash_password

OWNER_EMAIL = "owner@bench.example"
PASSWORD = "bench password, long enough"
CHUNK = 1_000
CLIENT_TABLES = ("clients", "relationships", "relationship_clients", "payment_methods")
# A few non-ASCII names, so the byte-for-byte JSON check covers escaping too.
NAMES = ("Ada Lovelace", "Zoë Martín", "Kwame Mensah", "Siobhán Ní Bhriain", "Li Wei",
         "Ngozi Okafor", "Jürgen Weiß", "Priya Natarajan")


@dataclass(frozen=True)
class Seeded:
    practice_id: uuid.UUID
    owner_email: str
    password: str
    practitioners: int
    clients: int
    clients_unavailable: str | None  # why no clients were seeded, or None
    appointments: Any = None  # bench.seed_sessions.SeededSessions, when sessions were seeded
    groups: Any = None  # bench.seed_groups.SeededGroups, when group sessions were seeded
    family: Any = None  # bench.seed_families.SeededFamily, when a family was seeded


async def seed(url: str, *, practitioners: int, clients: int) -> Seeded:
    db = Database(url)
    try:
        async with db.write_engine.begin() as connection:
            practice_id = await seed_practice(connection, practitioners)
            reason = await seed_clients(connection, practice_id, clients)
            appointments = None if reason else await _seed_appointments(connection, practice_id)
            groups = None if reason else await _seed_groups(connection, practice_id)
            family = None if reason else await _seed_family(connection, practice_id)
        async with db.write_engine.begin() as connection:
            # planner statistics, as autovacuum would gather them on a live database
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await db.dispose()
    return Seeded(practice_id, OWNER_EMAIL, PASSWORD, practitioners,
                  0 if reason else clients, reason, appointments, groups, family)


async def _seed_appointments(connection: AsyncConnection, practice_id: uuid.UUID) -> Any:
    from bench.seed_appointments import seed_appointments

    return await seed_appointments(connection, practice_id, datetime.now(UTC))


async def _seed_groups(connection: AsyncConnection, practice_id: uuid.UUID) -> Any:
    from bench.seed_groups import seed_groups  # imported only when used

    return await seed_groups(connection, practice_id, datetime.now(UTC))


async def _seed_family(connection: AsyncConnection, practice_id: uuid.UUID) -> Any:
    from bench.seed_families import seed_family  # imported only when used

    return await seed_family(connection, practice_id, PASSWORD, datetime.now(UTC))


async def seed_practice(connection: AsyncConnection, practitioners: int) -> uuid.UUID:
    """One practice, its owner (who can sign in) and `practitioners - 1` more staff."""
    now = datetime.now(UTC) - timedelta(days=1)
    password_hash = hash_password(PASSWORD)
    # sign-up's own rules: a checked registration, then the practice its link opens
    practice, owner, account, membership = request_registration(
        practice_name="Bench Practice", name="Olive Owner", email=OWNER_EMAIL,
        password=PASSWORD, timezone="Europe/London", currency="GBP", appointment_price=None,
        hash_password=lambda _: password_hash, token_hash_for=lambda _: "", now=now,
    ).open_practice(now)
    staff = [(owner, account, membership)]
    for index in range(1, practitioners):
        details = NewPractitioner(
            name=f"{NAMES[index % len(NAMES)]} {index:03d}",
            email=f"practitioner{index:03d}@bench.example",
            password=PASSWORD, timezone=practice.timezone,
        )
        # distinct created_at: the practitioners list is ordered by it
        staff.append(new_practitioner(practice, details, password_hash, Role.PRACTITIONER,
                                      now + timedelta(seconds=index)))
    await insert(connection, tables.practices, [row_of(tables.practices, practice)])
    await insert(connection, tables.practitioners,
                 (row_of(tables.practitioners, p) for p, _, _ in staff))
    await insert(connection, tables.accounts, (row_of(tables.accounts, a) for _, a, _ in staff))
    await insert(connection, tables.memberships,
                 (row_of(tables.memberships, m) for _, _, m in staff))
    return practice.id


async def seed_clients(
    connection: AsyncConnection, practice_id: uuid.UUID, count: int
) -> str | None:
    """`count` clients with relationships, payers and payment methods. Answers why it could
    not seed them (None when it did)."""
    present = await existing_tables(connection)
    missing = [name for name in CLIENT_TABLES if name not in present]
    if missing:
        return f"not available yet: no {', '.join(missing)} table(s)"
    from bench.caseload import build_caseload

    staff = (await connection.execute(
        select(tables.practitioners.c.id).where(tables.practitioners.c.practice_id == practice_id)
        .order_by(tables.practitioners.c.created_at)
    )).scalars().all()
    caseload = build_caseload(practice_id, list(staff), count, datetime.now(UTC))
    await insert(connection, tables.clients, caseload.clients)
    await insert(connection, tables.relationships, caseload.relationships)
    await insert(connection, tables.relationship_clients, caseload.attendees)
    await insert(connection, tables.payment_methods, caseload.payment_methods)
    return None


async def existing_tables(connection: AsyncConnection) -> set[str]:
    names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names)


def row_of(table: Table, entity: object) -> dict[str, Any]:
    """A table row from a domain entity whose attributes are named like the columns."""
    return {column.name: getattr(entity, column.name) for column in table.columns}


async def insert(
    connection: AsyncConnection, table: Table, rows: Iterable[dict[str, Any]]
) -> None:
    """executemany in chunks: one round trip per CHUNK rows."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            await _flush(connection, table, batch)
            batch = []
    if batch:
        await _flush(connection, table, batch)


async def _flush(
    connection: AsyncConnection, table: Table, batch: Sequence[dict[str, Any]]
) -> None:
    await connection.execute(table.insert(), list(batch))
