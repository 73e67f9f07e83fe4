"""Fresh databases for a test run: an SQLite file, or a reset PostgreSQL schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.database import normalise_url
from persistence.migrate import upgrade


def prepare_database(url: str | None, folder: Path) -> str:
    """Migrate a fresh database and return its URL. PostgreSQL's public schema is dropped
    first, so the suite refuses any database whose name does not contain "test"."""
    if not url:
        url = f"sqlite+aiosqlite:///{folder / 'caseload-test.db'}"
    else:
        url = normalise_url(url)
        name = make_url(url).database or ""
        if "test" not in name:
            raise RuntimeError(f"refusing to reset database {name!r}: its name lacks 'test'")
        asyncio.run(_reset_postgres(url))
    upgrade(url)
    return url


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        await connection.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()


def reset_redis(url: str | None) -> None:
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("caseload*"))
    if keys:
        client.delete(*keys)
