"""Fresh databases for a test run: an SQLite file, or a PostgreSQL database of its own.

Several runs may share one PostgreSQL server and one Redis at once (developers, CI), so each
run creates a database and a Redis namespace of its own and removes them afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.database import normalise_url
from persistence.migrate import upgrade

RUN_ID = uuid.uuid4().hex[:8]


def prepare_database(
    url: str | None, folder: Path, *, name: str = "run", revision: str = "head"
) -> str:
    """Migrate a fresh database for this run (`name` tells several apart) and return its URL."""
    if not url:
        url = f"sqlite+aiosqlite:///{folder / f'caseload-{name}.db'}"
    else:
        url = asyncio.run(_create_postgres_database(normalise_url(url), name))
    upgrade(url, revision)
    return url


def drop_database(url: str) -> None:
    if not url.startswith("sqlite"):
        asyncio.run(_drop_postgres_database(url))


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def _create_postgres_database(url: str, suffix: str) -> str:
    base = make_url(url)
    name = f"{base.database or 'caseload'}_{suffix}_{RUN_ID}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(url: str) -> None:
    parsed = make_url(url)
    maintenance = parsed.set(database="postgres").render_as_string(hide_password=False)
    await _admin(maintenance, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def redis_namespace() -> str:
    return f"caseload-test-{RUN_ID}"


def clear_redis(url: str | None, namespace: str) -> None:
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{namespace}*"))
    if keys:
        client.delete(*keys)
