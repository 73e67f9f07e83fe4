"""Helpers for the `caseload demo` tests: an embedded setup of the test's own, and reading
what the demo wrote."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from caseload.settings import Settings
from persistence.database import Database
from persistence.mapping import start_mappers

T = TypeVar("T")


def demo_settings(folder: Path) -> Settings:
    """The embedded default in `folder`: an SQLite file of its own, an in-process broker."""
    return Settings.from_env({
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        "CASELOAD_VAR_DIR": str(folder / "var"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-production",
    })


def read_demo(settings: Settings, read: Callable[[Any], Awaitable[T]]) -> T:
    """Run `read` with a read session on the demo's database."""

    async def run() -> T:
        start_mappers()
        db = Database(settings.database_url)
        try:
            async with db.reading() as tx:
                return await read(tx)
        finally:
            await db.dispose()

    return asyncio.run(run())
