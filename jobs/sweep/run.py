"""The periodic sweep: the due work, set-based and idempotent, safe to run twice at once."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from domain.accounts.payments import PaymentGateway
from jobs.metrics import SWEEP_STEP_SECONDS
from jobs.relay import Send, relay
from jobs.sweep.cancellations import auto_cancel_unpaid, count_unpaid
from jobs.sweep.charges import charge_due_appointments, count_due_charges
from jobs.sweep.holds import count_unconfirmed, release_unconfirmed
from jobs.sweep.invoices import bill_subscriptions, count_due_invoices
from jobs.sweep.refunds import count_refunds, retry_refunds
from jobs.sweep.reminders import count_reminders, send_reminders
from jobs.sweep.waitlist import (
    count_expiring,
    count_group_waits,
    expire_offers,
    offer_group_places,
)
from persistence import outbox
from persistence.database import Database
from persistence.outbox import RetryPolicy

logger = logging.getLogger("caseload.sweep")


@dataclass(frozen=True)
class SweepContext:
    """What one step of one sweep works with; `now` is read once per sweep."""

    db: Database
    now: datetime
    payments: PaymentGateway


SweepStep = Callable[[SweepContext], Awaitable[int]]


@dataclass(frozen=True)
class Step:
    """`run` does the work and counts what it acted on; `due` only counts (dry run)."""

    done: str
    due: str
    run: SweepStep
    count: SweepStep


# In this order: a lapsed waitlist offer lets go of its held time (and offers it on) first,
# an unconfirmed guest booking is released before anything is charged, and a session is
# charged before it can be found unpaid and auto-cancelled. Each step commits its own batches.
STEPS: list[Step] = [
    Step("waitlist offers expired", "waitlist offers to expire", expire_offers,
         count_expiring),
    Step("unconfirmed bookings released", "unconfirmed bookings to release",
         release_unconfirmed, count_unconfirmed),
    Step("refunds retried", "refunds to retry", retry_refunds, count_refunds),
    Step("sessions charged", "sessions to charge", charge_due_appointments, count_due_charges),
    Step("sessions auto-cancelled", "unpaid sessions to auto-cancel", auto_cancel_unpaid,
         count_unpaid),
    Step("reminders queued", "reminders to send", send_reminders, count_reminders),
    Step("monthly invoices issued", "monthly invoices to issue or charge", bill_subscriptions,
         count_due_invoices),
    Step("group places offered from the waitlist", "group sessions with a waitlist to check",
         offer_group_places, count_group_waits),
]


Trace = Callable[[str], AbstractContextManager[object]]
"""A span named so around a block (tracing on), or nothing."""


def untraced(_: str) -> AbstractContextManager[object]:
    return contextlib.nullcontext()


@dataclass(frozen=True)
class Sweeper:
    """Everything a sweep needs, bound to one database (and so to one event loop)."""

    db: Database
    clock: Callable[[], datetime]
    send: Send
    payments: PaymentGateway
    outbox_policy: RetryPolicy = outbox.DEFAULT_POLICY
    trace: Trace = untraced


@dataclass
class SweepReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in self.counts.items())


async def run_sweep(sweeper: Sweeper) -> SweepReport:
    """The outbox relay goes last, so it carries the emails the steps queued."""
    report = SweepReport()
    context = SweepContext(sweeper.db, sweeper.clock(), sweeper.payments)
    with sweeper.trace("sweep"):
        for step in STEPS:
            name = step.run.__name__
            with sweeper.trace(f"sweep {name}"), SWEEP_STEP_SECONDS.labels(name).time():
                report.counts[step.done] = await step.run(context)
        with sweeper.trace("sweep relay_outbox"), SWEEP_STEP_SECONDS.labels(
                "relay_outbox").time():
            report.counts["outbox relayed"] = await relay_outbox(sweeper, context.now)
    return report


async def relay_outbox(sweeper: Sweeper, now: datetime | None = None) -> int:
    """The outbox part of the sweep alone: the scheduler runs it between sweeps too."""
    return await relay(sweeper.db, now or sweeper.clock(), sweeper.send, sweeper.outbox_policy)


async def due_now(sweeper: Sweeper) -> SweepReport:
    """What a sweep would act on now, changing nothing."""
    report = SweepReport()
    context = SweepContext(sweeper.db, sweeper.clock(), sweeper.payments)
    for step in STEPS:
        report.counts[step.due] = await step.count(context)
    async with sweeper.db.reading() as tx:
        report.counts["emails to relay"] = await outbox.count_due(
            tx, context.now, sweeper.outbox_policy)
    return report
