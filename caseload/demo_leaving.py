"""The demo practice's leaving a group (seed 001's "unenrolled from this date"), played through
the real use case: Leo Hartmann leaves Thursday Pilates from the next Thursday, with a credit
note for his next monthly invoices (the suggested credit; when nothing invoiced is left
unattended, one Thursday's worth as goodwill). Added once: a practice with a credit note is
left alone, and so is one without Leo's subscription yet (the groups come first)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from domain.accounts.practice import Weekday
from domain.groups.group_sessions import SubscriptionStatus, weekday_dates
from persistence import tables
from persistence.database import Database
from resolvers.groups import leaving
from resolvers.groups.access import local_today
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services

TIMEZONE = "Europe/London"


async def _leos_pilates(db: Database, practice_id: uuid.UUID) -> tuple[uuid.UUID, Decimal] | None:
    """Leo's ACTIVE Thursday Pilates subscription and its monthly price, unless the demo
    already issued a credit note (or has no such subscription)."""
    c, s, g = tables.clients, tables.group_subscriptions, tables.group_sessions
    async with db.reading() as tx:
        notes = await tx.scalar(select(func.count()).select_from(tables.credit_notes)
                                .where(tables.credit_notes.c.practice_id == practice_id))
        if notes:
            return None
        row = (await tx.execute(
            select(s.c.id, g.c.monthly_price)
            .join(c, c.c.id == s.c.client_id).join(g, g.c.id == s.c.group_session_id)
            .where(s.c.practice_id == practice_id, c.c.first_name == "Leo",
                   c.c.last_name == "Hartmann", g.c.name == "Thursday Pilates",
                   s.c.status == SubscriptionStatus.ACTIVE))).first()
    return None if row is None else (row.id, row.monthly_price)


async def ensure_demo_leaving(services: Services, owner: Viewer) -> list[str]:
    from caseload.demo_appointments import contexts

    found = await _leos_pilates(services.db, owner.practice_id)
    if found is None:
        return []
    subscription_id, monthly_price = found
    at, now = contexts(services), services.clock()
    leave_date = next(weekday_dates(Weekday.THURSDAY,
                                    local_today(now, TIMEZONE) + timedelta(days=1)))
    suggested = await leaving.leave_preview(at(owner, now), subscription_id, leave_date)
    credit = (leaving.CreditRequest(None, None) if suggested.amount > 0 else
              leaving.CreditRequest((monthly_price / 4).quantize(Decimal("0.01")),
                                    f"Goodwill: Thursday Pilates, left on {leave_date}"))
    done = await leaving.leave_group_session(at(owner, now), leaving.LeaveRequest(
        subscription_id, leave_date, credit))
    note = done.credit_note
    assert note is not None
    return [f"  Leo Hartmann left Thursday Pilates from {leave_date} (no transfer); a credit "
            f"note of {note.amount} {note.currency} comes off his next monthly invoice."]
