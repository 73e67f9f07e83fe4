"""Runs the sweep every minute under a lease, so a second scheduler does no harm."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from jobs.sweep.run import Sweeper, SweepReport, run_sweep
from persistence.database import Database
from persistence.tables import leases

LEASE = "sweep"
INTERVAL = timedelta(minutes=1)
logger = logging.getLogger("caseload.scheduler")


async def take_lease(
    db: Database, holder: str, now: datetime, ttl: timedelta = timedelta(minutes=5)
) -> bool:
    """True when `holder` now holds the sweep lease (new, expired, or already its own)."""
    async with db.new_write_tx() as tx, tx.begin():
        found = await tx.execute(select(leases.c.name).where(leases.c.name == LEASE))
        exists = found.first()
        if not exists:
            try:
                async with tx.begin_nested():
                    await tx.execute(
                        insert(leases).values(name=LEASE, holder=holder, expires_at=now + ttl)
                    )
                return True
            except IntegrityError:
                pass
        result = await tx.execute(
            update(leases)
            .where(leases.c.name == LEASE)
            .where((leases.c.expires_at < now) | (leases.c.holder == holder))
            .values(holder=holder, expires_at=now + ttl)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


async def release_lease(db: Database, holder: str) -> None:
    async with db.new_write_tx() as tx, tx.begin():
        await tx.execute(
            update(leases).where(leases.c.name == LEASE, leases.c.holder == holder)
            .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
        )


async def sweep_once(sweeper: Sweeper, holder: str | None = None) -> SweepReport | None:
    """One sweep if the lease is free or ours; None when another scheduler holds it.

    A one-off sweep (no `holder`) gives the lease back; a scheduler keeps and renews it.
    """
    one_off = holder is None
    holder = holder or f"sweep-{uuid.uuid4().hex[:8]}"
    if not await take_lease(sweeper.db, holder, sweeper.clock()):
        return None
    try:
        return await run_sweep(sweeper)
    finally:
        if one_off:
            await release_lease(sweeper.db, holder)


async def run_scheduler(sweeper: Sweeper, stop: asyncio.Event) -> None:
    holder = f"scheduler-{uuid.uuid4().hex[:8]}"
    try:
        await _schedule(sweeper, stop, holder)
    finally:
        await release_lease(sweeper.db, holder)  # a clean stop hands the lease on at once


async def _schedule(sweeper: Sweeper, stop: asyncio.Event, holder: str) -> None:
    while not stop.is_set():
        try:
            report = await sweep_once(sweeper, holder)
            if report is None:
                logger.info("another scheduler holds the sweep lease; waiting")
            else:
                logger.info("sweep done: %s", report)
        except Exception:
            logger.exception("sweep failed; trying again next minute")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL.total_seconds())
