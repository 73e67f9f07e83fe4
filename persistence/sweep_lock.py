"""The sweep lock: held for the length of one sweep run, never between runs.

PostgreSQL: a transaction-level advisory lock on a connection of its own, so it goes with
the transaction (rolled back at the end, or dropped with a dead process's connection).
SQLite: an OS lock on a file beside the database. The database's own write lock cannot be
held for a whole sweep: every step commits its batches on other connections, and every
booking would queue behind it. The OS drops the file lock when a process dies, too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from filelock import AsyncFileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import make_url

from persistence.database import Database

# Any fixed 64-bit number works; one per database, so deployments never share it.
SWEEP_LOCK_KEY = 0x6361_7365_6C6F_6164  # "caseload"


@asynccontextmanager
async def sweep_lock(db: Database, *, wait: bool) -> AsyncIterator[bool]:
    """True inside while this run holds the lock; False at once if another run holds it
    and `wait` is off. With `wait`, it blocks until the running sweep ends."""
    lock = _postgres_lock(db, wait) if not db.is_sqlite else _file_lock(db, wait)
    async with lock as held:
        yield held


@asynccontextmanager
async def _postgres_lock(db: Database, wait: bool) -> AsyncIterator[bool]:
    async with db.write_engine.connect() as connection, connection.begin() as transaction:
        if wait:
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                     {"key": SWEEP_LOCK_KEY})
            held = True
        else:
            held = bool(await connection.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK_KEY}))
        try:
            yield held
        finally:
            await transaction.rollback()  # ends the transaction, and so the lock


@asynccontextmanager
async def _file_lock(db: Database, wait: bool) -> AsyncIterator[bool]:
    database = make_url(db.url).database
    if not database or database == ":memory:":
        yield True  # a private in-memory database: nobody else can sweep it
        return
    lock = AsyncFileLock(f"{database}.sweep-lock", timeout=-1 if wait else 0)
    try:
        await lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        await lock.release()
