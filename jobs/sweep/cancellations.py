"""Sweep step: in the hour before the start, a SCHEDULED session still unpaid is AUTO_CANCELLED
(seeds 000, 004; policy.auto_cancel_due: exactly one hour before included, the start itself
not).

It runs after the charging step in the same sweep, so a session that could be paid was charged
first. Set-based: each batch is one unit of work that selects and locks up to BATCH due
sessions in one query (in id order, as every sweep step locks, so two sweeps never deadlock),
cancels them and commits; AppointmentAutoCancelled becomes an outbox row in that commit and
emails attendees, payer and practitioner. A cancelled session no longer matches, so a second
sweep at the same time finds nothing left to do: on PostgreSQL it waits for the first one's
locks and then skips the rows it changed; SQLite lets one writer in at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.appointments import policy
from domain.appointments.policy import AUTO_CANCEL_BEFORE, AppointmentStatus
from jobs.sweep.charges import needs_payment_sql
from persistence import tables
from persistence.repositories import count_rows
from persistence.uow import UnitOfWork

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

BATCH = 500


def _due_sql(now: datetime) -> tuple[Any, ...]:
    a = tables.appointments
    return (a.c.status == AppointmentStatus.SCHEDULED, *needs_payment_sql(),
            a.c.starts_at > now, a.c.starts_at <= now + AUTO_CANCEL_BEFORE)


async def count_unpaid(ctx: SweepContext) -> int:
    """Sessions the next sweep would auto-cancel (dry run)."""
    return await count_rows(ctx.db, tables.appointments, *_due_sql(ctx.now))


async def auto_cancel_unpaid(ctx: SweepContext) -> int:
    """Sessions auto-cancelled by this sweep."""
    due = _due_sql(ctx.now)
    cancelled = 0
    while True:
        async with UnitOfWork(ctx.db, ctx.now) as uow:
            batch = await uow.appointments.locked_where(*due, limit=BATCH)
            acted = 0
            for appointment in batch:
                if (appointment.status is AppointmentStatus.SCHEDULED and appointment.needs_payment
                        and policy.auto_cancel_due(appointment.starts_at, ctx.now)):
                    appointment.auto_cancel(ctx.now)
                    acted += 1
            await uow.commit()
        cancelled += acted
        if len(batch) < BATCH or acted == 0:
            return cancelled
