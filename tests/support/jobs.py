"""Run the sweep and read the outbox from the test's side, with the test's own engine."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select

from jobs.scheduler import sweep_once
from jobs.sweep.run import SweepReport
from persistence.database import Database
from persistence.tables import outbox
from tests.support.server import RunningServer

T = TypeVar("T")


def with_database(server: RunningServer, work: Callable[[Database], Awaitable[T]]) -> T:
    """The server's engine lives on the server's event loop; tests use one of their own."""

    async def run() -> T:
        db = Database(server.runtime.settings.database_url, pool_size=2)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def sweep(server: RunningServer) -> SweepReport | None:
    """One sweep at the test clock's time, then wait for the jobs it queued."""
    report = with_database(
        server, lambda db: sweep_once(server.runtime.sweeper(db), wait=True)
    )
    server.drain()
    return report


def outbox_rows(server: RunningServer, kind: str) -> list[Any]:
    async def read(db: Database) -> list[Any]:
        async with db.reading() as tx:
            result = await tx.execute(
                select(outbox).where(outbox.c.kind == kind).order_by(outbox.c.created_at)
            )
            return list(result)

    return with_database(server, read)
