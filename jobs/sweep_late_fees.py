"""Sweep step: the fee of a late cancellation whose charge did not complete.

The charge sweep (jobs/sweep_charges.py) takes payment for SCHEDULED sessions only. A client
who cancels inside the notice window a session not paid yet owes its fee: cancelSession takes
it right after its commit (resolvers/session_payments.py). When that call does not complete
(a crash, the gateway down), the session stays LATE_CANCELLED, unpaid and without a recorded
failure; this step finds those in set-based batches and charges them with the same key,
`appointment:{id}:card:{payment method id}`, so a charge the gateway already made is answered,
not made again. A declined card is recorded once (payment_failed_at, and the payer is emailed)
and not retried: the practice follows it up.

NOT YET IN jobs/sweep.py's STEPS (owned elsewhere): it belongs after "refunds retried",
as ("late fees charged", charge_late_cancellations).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from domain.policy import SessionStatus
from persistence import tables
from resolvers.session_payments import SessionMoney

if TYPE_CHECKING:
    from jobs.sweep import SweepContext

logger = logging.getLogger("caseload.sweep")

BATCH = 200


async def charge_late_cancellations(ctx: SweepContext) -> int:
    """Late-cancellation fees charged (or refused) by this sweep."""
    money = SessionMoney(ctx.db, ctx.now, ctx.payments)
    done = 0
    after: uuid.UUID | None = None
    while True:
        batch = await _unpaid(ctx, after)
        if not batch:
            return done
        for appointment_id in batch:
            try:
                done += await money.take_fee(appointment_id) is not None
            except Exception:
                logger.exception("late fee for session %s failed; the next sweep retries",
                                 appointment_id)
        after = batch[-1]


async def _unpaid(ctx: SweepContext, after: uuid.UUID | None) -> list[uuid.UUID]:
    a = tables.appointments
    query = (
        select(a.c.id)
        .where(a.c.status == SessionStatus.LATE_CANCELLED, a.c.charge_id.is_(None),
               a.c.package_id.is_(None), a.c.price > 0, a.c.payment_failed_at.is_(None))
        .order_by(a.c.id).limit(BATCH)
    )
    if after is not None:
        query = query.where(a.c.id > after)
    async with ctx.db.reading() as session:
        return list((await session.execute(query)).scalars())
