"""The periodic sweep: the due work, set-based and idempotent, safe to run twice at once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from jobs.relay import Send, relay
from persistence.database import Database

logger = logging.getLogger("caseload.sweep")

# Later work (charges, automatic cancellation, reminders, monthly invoices) registers here.
SweepStep = Callable[[Database, datetime], Awaitable[int]]
STEPS: list[tuple[str, SweepStep]] = []


@dataclass
class SweepReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in self.counts.items())


async def run_sweep(db: Database, now: datetime, send: Send) -> SweepReport:
    """Each step commits its own batches; the outbox relay goes last so it carries their emails."""
    report = SweepReport()
    for name, step in STEPS:
        report.counts[name] = await step(db, now)
    report.counts["outbox relayed"] = await relay(db, now, send)
    return report
