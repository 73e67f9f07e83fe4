"""A fresh, migrated database for one benchmark run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.database import normalise_url
from persistence.migrate import upgrade


def prepare_database(url: str | None, folder: Path) -> str:
    """An SQLite file in `folder` by default; a PostgreSQL database (created if missing,
    its public schema dropped first) when `url` is given. Call outside an event loop."""
    if not url:
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    else:
        url = normalise_url(url)
        parsed = make_url(url)
        if not parsed.drivername.startswith("postgresql"):
            raise SystemExit("--database-url must be a PostgreSQL URL (SQLite is the default)")
        name = parsed.database or ""
        if "bench" not in name and "test" not in name:
            raise SystemExit(f"refusing to reset database {name!r}: its name lacks 'bench'/'test'")
        asyncio.run(_fresh_postgres(url))
    upgrade(url)
    return url


async def _fresh_postgres(url: str) -> None:
    await _create_if_missing(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await engine.dispose()


async def _create_if_missing(url: str) -> None:
    """CREATE DATABASE through the server's `postgres` database, when we may connect to it."""
    target = make_url(url)
    name = target.database or ""
    maintenance = create_async_engine(
        target.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with maintenance.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not found:
                quoted = '"' + name.replace('"', '""') + '"'
                await connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    except OSError:
        pass  # the reset below reports an unreachable server clearly enough
    finally:
        await maintenance.dispose()
