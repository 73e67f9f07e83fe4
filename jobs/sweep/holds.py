"""Sweep step: release guest bookings held for a client on file that nobody confirmed.

A hold ends before the session's notice window opens (domain/widgets/guest_booking.py), and
this step runs before the charging step, so a booking its payer never confirmed is never
charged. Released, the session is CANCELLED and its time free again; nobody is emailed, as
nobody was told it was booked. Set-based and locked like the other steps.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.appointments.policy import AppointmentStatus
from persistence import tables
from persistence.repositories import count_rows
from persistence.uow import UnitOfWork

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

BATCH = 500


def _due_sql(now: datetime) -> tuple[Any, ...]:
    a = tables.appointments
    return (a.c.status == AppointmentStatus.SCHEDULED, a.c.held_until.is_not(None),
            a.c.held_until <= now)


async def count_unconfirmed(ctx: SweepContext) -> int:
    """Held bookings the next sweep would release (dry run)."""
    return await count_rows(ctx.db, tables.appointments, *_due_sql(ctx.now))


async def release_unconfirmed(ctx: SweepContext) -> int:
    """Held bookings released by this sweep."""
    released = 0
    while True:
        async with UnitOfWork(ctx.db, ctx.now) as uow:
            batch = await uow.appointments.locked_where(*_due_sql(ctx.now), limit=BATCH)
            for appointment in batch:
                appointment.release_hold(ctx.now)
            await uow.commit()
        released += len(batch)
        if len(batch) < BATCH:
            return released
