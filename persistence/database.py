"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode. Writers open with BEGIN IMMEDIATE so they queue on the
database lock (busy_timeout) instead of failing later with "database is locked";
readers use a separate engine with plain deferred BEGIN so they never wait on writers.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from persistence.mapping import start_mappers

SQLITE_BUSY_TIMEOUT_MS = 30_000


@dataclass
class StatementCounter:
    """Counts SQL statements sent inside one request (for benchmarks and tests)."""

    count: int = 0


statement_counter: contextvars.ContextVar[StatementCounter | None] = contextvars.ContextVar(
    "statement_counter", default=None
)


def _count_statement(*_: Any) -> None:
    counter = statement_counter.get()
    if counter is not None:
        counter.count += 1


def normalise_url(url: str) -> str:
    """Accept the usual postgres:// and sqlite:// spellings and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        start_mappers()
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self._ensure_sqlite_folder()
            self.write_engine = self._sqlite_engine(begin="BEGIN IMMEDIATE")
            self.read_engine = self._sqlite_engine(begin="BEGIN")
        else:
            self.write_engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                json_deserializer=orjson.loads,
            )
            self.read_engine = self.write_engine
        for engine in {self.write_engine, self.read_engine}:
            event.listen(engine.sync_engine, "before_cursor_execute", _count_statement)
        self.new_write_tx = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self.new_read_tx = async_sessionmaker(self.read_engine, expire_on_commit=False)

    def _ensure_sqlite_folder(self) -> None:
        database = make_url(self.url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    def _sqlite_engine(self, *, begin: str) -> AsyncEngine:
        engine = create_async_engine(self.url, pool_size=5, max_overflow=10, pool_timeout=60,
                                     json_deserializer=orjson.loads)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

        return engine

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A short read-only session (DataLoaders, queries)."""
        async with self.new_read_tx() as tx, tx.begin():
            yield tx

    async def ping(self) -> None:
        async with self.read_engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


class Reads(Protocol):
    """Where loaders read: a Database (a session a batch) or a request's ReadScope."""

    def reading(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class ReadScope:
    """One read transaction for all of a request's reads: one BEGIN and one pooled connection
    instead of one a batch. Each read still gets a session of its own (its own identity map),
    joined to that transaction; they take turns, as a connection runs one statement at a time.

    `release()` ends it; the next read begins anew. A unit of work releases it before and after
    writing, so no connection idles through the write and later reads see what was committed
    (a SQLite reader keeps the snapshot of its first read)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self._turn:
            if self._connection is None:
                self._connection = await self._db.read_engine.connect()
                await self._connection.begin()
            try:
                # joined to the transaction: closing the session leaves it open
                async with self._db.new_read_tx(bind=self._connection) as tx:
                    yield tx
            except (SQLAlchemyError, asyncio.CancelledError):
                await self._close()  # a failed or cut-off statement may have spoilt it
                raise

    async def release(self) -> None:
        async with self._turn:
            await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()  # rolls the read transaction back
