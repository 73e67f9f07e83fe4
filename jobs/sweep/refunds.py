"""Sweep step: refunds owed by cancellations whose gateway call did not complete.

A cancellation that owes a refund sets `charges.refund_requested_at` in its own transaction
and calls the gateway after the commit; a crash (or a gateway failure) in between leaves the
charge requested but not refunded. This step finds those in set-based batches (in id order,
so a charge the gateway keeps refusing is tried once per sweep, not forever) and finishes
each with the same idempotency key, `refund:{charge id}`: the gateway answers a repeat with
the first refund, and the charge is marked REFUNDED only while it is not yet, so two sweeps
at once (or a sweep racing the mutation) refund once.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from domain.appointments.appointments import ChargeStatus
from persistence import tables
from persistence.repositories import count_rows
from resolvers.appointments.appointment_money import AppointmentMoney

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

logger = logging.getLogger("caseload.sweep")

BATCH = 200


async def retry_refunds(ctx: SweepContext) -> int:
    """Refunds finished by this sweep."""
    money = AppointmentMoney(ctx.db, ctx.now, ctx.payments)
    done = 0
    after: uuid.UUID | None = None
    while True:
        batch = await _requested(ctx, after)
        if not batch:
            return done
        for charge_id in batch:
            try:
                done += await money.refund(charge_id)
            except Exception:
                logger.exception("refund of charge %s failed; the next sweep retries", charge_id)
        after = batch[-1]


def _requested_sql() -> tuple[Any, ...]:
    c = tables.charges
    return (c.c.refund_requested_at.is_not(None), c.c.refunded_at.is_(None),
            c.c.status == ChargeStatus.SUCCEEDED)


async def count_refunds(ctx: SweepContext) -> int:
    """Refunds the next sweep would retry (dry run)."""
    return await count_rows(ctx.db, tables.charges, *_requested_sql())


async def _requested(ctx: SweepContext, after: uuid.UUID | None) -> list[uuid.UUID]:
    c = tables.charges
    query = select(c.c.id).where(*_requested_sql()).order_by(c.c.id).limit(BATCH)
    if after is not None:
        query = query.where(c.c.id > after)
    async with ctx.db.reading() as tx:
        return list((await tx.execute(query)).scalars())
