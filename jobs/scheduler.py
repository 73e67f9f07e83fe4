"""Runs the sweep every minute, and the outbox relay alone every RELAY_INTERVAL between, so an
email whose message the broker lost goes out again soon after its redispatch delay. The sweep
lock is held for the length of one run, so two sweeps (two schedulers, a scheduler and
`caseload sweep`) never overlap, however long one takes, and nothing holds it between runs;
the relay needs no lock (each row is claimed by one relay)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from jobs.running import sweep_job
from jobs.sweep.run import Sweeper, SweepReport, relay_outbox, run_sweep
from persistence.sweep_lock import sweep_lock

INTERVAL = timedelta(minutes=1)
RELAY_INTERVAL = timedelta(seconds=10)
logger = logging.getLogger("caseload.scheduler")


async def sweep_once(sweeper: Sweeper, *, wait: bool = False) -> SweepReport | None:
    """One sweep under the lock; None when another run holds it and `wait` is off.
    With `wait`, it waits for the running sweep to end, then sweeps."""
    with sweep_job():
        async with sweep_lock(sweeper.db, wait=wait) as held:
            if not held:
                return None
            return await run_sweep(sweeper)


async def run_scheduler(
    sweeper: Sweeper, stop: asyncio.Event, *, relay_interval: timedelta = RELAY_INTERVAL,
) -> None:
    """A minute whose sweep finds another one running is skipped: the running one does the
    due work, and the next minute looks again."""
    ticks_per_sweep = max(1, round(INTERVAL / relay_interval))
    tick = 0
    while not stop.is_set():
        with sweep_job():
            if tick % ticks_per_sweep == 0:
                await _sweep(sweeper)
            else:
                await _relay(sweeper)
        tick += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=relay_interval.total_seconds())


async def _sweep(sweeper: Sweeper) -> None:
    try:
        report = await sweep_once(sweeper)
        if report is None:
            logger.info("another sweep is running; skipping this minute")
        else:
            logger.info("sweep done: %s", report)
    except Exception:
        logger.exception("sweep failed; trying again next minute")


async def _relay(sweeper: Sweeper) -> None:
    try:
        relayed = await relay_outbox(sweeper)
        if relayed:
            logger.info("outbox relayed: %s", relayed)
    except Exception as error:  # the broker is down, say: the next tick tries again
        logger.warning("outbox relay failed (%s: %s); trying again in %ss",
                       type(error).__name__, error, RELAY_INTERVAL.total_seconds())
