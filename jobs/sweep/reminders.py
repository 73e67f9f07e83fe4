"""Sweep step: the reminder 24 hours before each SCHEDULED session, once (seeds 000, 004;
policy.reminder_due: from exactly 24 hours before until the last hour, which belongs to the
automatic cancellation).

Set-based like the other steps: each batch is one unit of work that selects and locks up to
BATCH due sessions without `reminder_sent_at`, stamps it and records AppointmentReminderDue
(an outbox row in the same commit: the reminder email). Stamped sessions no longer match, so
a second sweep sends nothing more; rescheduling clears the stamp (Appointment.reschedule), so
the new time gets its own reminder. Cancelled sessions are never SCHEDULED, so never reminded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.appointments import policy
from domain.appointments.appointments import Appointment, AppointmentReminderDue
from domain.appointments.policy import AUTO_CANCEL_BEFORE, REMINDER_BEFORE, AppointmentStatus
from persistence import tables
from persistence.repositories import count_rows
from persistence.uow import UnitOfWork

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

BATCH = 500


def _due_sql(now: datetime) -> tuple[Any, ...]:
    a = tables.appointments
    return (a.c.status == AppointmentStatus.SCHEDULED, a.c.reminder_sent_at.is_(None),
            a.c.held_until.is_(None),
            a.c.starts_at > now + AUTO_CANCEL_BEFORE, a.c.starts_at <= now + REMINDER_BEFORE)


async def count_reminders(ctx: SweepContext) -> int:
    """Reminders the next sweep would queue (dry run)."""
    return await count_rows(ctx.db, tables.appointments, *_due_sql(ctx.now))


async def send_reminders(ctx: SweepContext) -> int:
    """Reminders queued by this sweep."""
    due = _due_sql(ctx.now)
    queued = 0
    while True:
        async with UnitOfWork(ctx.db, ctx.now) as uow:
            batch = await uow.appointments.locked_where(*due, limit=BATCH)
            acted = sum(_remind(appointment, ctx.now) for appointment in batch)
            await uow.commit()
        queued += acted
        if len(batch) < BATCH or acted == 0:
            return queued


def _remind(appointment: Appointment, now: datetime) -> bool:
    if (appointment.status is not AppointmentStatus.SCHEDULED
            or appointment.reminder_sent_at is not None or appointment.held_until is not None
            or not policy.reminder_due(appointment.starts_at, now)):
        return False
    appointment.reminder_sent_at = now
    appointment.record(AppointmentReminderDue(appointment.practice_id, appointment.id))
    return True
