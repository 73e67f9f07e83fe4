"""Runs the sweep every minute. The sweep lock is held for the length of one run, so two
runs (two schedulers, a scheduler and `caseload sweep`) never overlap, however long one takes,
and nothing holds it between runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from jobs.running import sweep_job
from jobs.sweep.run import Sweeper, SweepReport, run_sweep
from persistence.sweep_lock import sweep_lock

INTERVAL = timedelta(minutes=1)
logger = logging.getLogger("caseload.scheduler")


async def sweep_once(sweeper: Sweeper, *, wait: bool = False) -> SweepReport | None:
    """One sweep under the lock; None when another run holds it and `wait` is off.
    With `wait`, it waits for the running sweep to end, then sweeps."""
    with sweep_job():
        async with sweep_lock(sweeper.db, wait=wait) as held:
            if not held:
                return None
            return await run_sweep(sweeper)


async def run_scheduler(sweeper: Sweeper, stop: asyncio.Event) -> None:
    """A minute whose sweep finds another one running is skipped: the running one does the
    due work, and the next minute looks again."""
    while not stop.is_set():
        with sweep_job():
            try:
                report = await sweep_once(sweeper)
                if report is None:
                    logger.info("another sweep is running; skipping this minute")
                else:
                    logger.info("sweep done: %s", report)
            except Exception:
                logger.exception("sweep failed; trying again next minute")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL.total_seconds())
