"""The periodic sweep: the due work, set-based and idempotent, safe to run twice at once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from domain.accounts.payments import PaymentGateway
from jobs.relay import Send, relay
from jobs.sweep.cancellations import auto_cancel_unpaid
from jobs.sweep.charges import charge_due_appointments
from jobs.sweep.invoices import bill_subscriptions
from jobs.sweep.refunds import retry_refunds
from jobs.sweep.reminders import send_reminders
from persistence.database import Database

logger = logging.getLogger("caseload.sweep")


@dataclass(frozen=True)
class SweepContext:
    """What one step of one sweep works with; `now` is read once per sweep."""

    db: Database
    now: datetime
    payments: PaymentGateway


SweepStep = Callable[[SweepContext], Awaitable[int]]

# In this order: a session is charged before it can be found unpaid and auto-cancelled.
# Each step commits its own batches and returns how many items it acted on.
STEPS: list[tuple[str, SweepStep]] = [
    ("refunds retried", retry_refunds),
    ("sessions charged", charge_due_appointments),
    ("sessions auto-cancelled", auto_cancel_unpaid),
    ("reminders queued", send_reminders),
    ("monthly invoices issued", bill_subscriptions),
]


@dataclass(frozen=True)
class Sweeper:
    """Everything a sweep needs, bound to one database (and so to one event loop)."""

    db: Database
    clock: Callable[[], datetime]
    send: Send
    payments: PaymentGateway


@dataclass
class SweepReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in self.counts.items())


async def run_sweep(sweeper: Sweeper) -> SweepReport:
    """The outbox relay goes last, so it carries the emails the steps queued."""
    report = SweepReport()
    context = SweepContext(sweeper.db, sweeper.clock(), sweeper.payments)
    for name, step in STEPS:
        report.counts[name] = await step(context)
    report.counts["outbox relayed"] = await relay(sweeper.db, context.now, sweeper.send)
    return report
