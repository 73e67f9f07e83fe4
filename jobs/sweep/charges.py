"""Sweep step: take payment for the sessions inside the notice window (seeds 000, 004).

What is due: a SCHEDULED session inside its practice's notice window (policy.charge_due: 48
hours by default, exactly 48 included; a session already started too), for its price, and a
LATE_CANCELLED one for its tier's fee (`cancellation_fee`), while it still needs payment: no
package credit, no successful charge, an amount above zero.

The gateway is an outside service that commits on its own, so each batch goes in three steps:

1. one read: up to BATCH candidates, each with its practice's notice hours and its payer's
   card, and the charges already recorded under their keys;
2. each charge through the gateway, outside any transaction, under the key
   `appointment:{session id}:card:{payment method id}`. The key is stable, so a crash between
   the gateway's charge and our commit, a second sweep at the same time, or cancelSession
   taking a late fee (resolvers/appointments/appointment_money.py uses the same key) gets
   the gateway's first answer: money moves once;
3. one unit of work records the answers: a Charge row per key (reused when one exists), the
   session paid on success; on a refusal `payment_failed_at` and a PaymentFailed event, so the
   payer is emailed.

A refusal is recorded once per key and the same card is not tried again (its key would only
answer the same refusal): a new card is a new key, a new attempt, and a new refusal emails
again. No card on file at charge time is a refusal too, recorded under
`appointment:{session id}:card:none` without calling the gateway. Money the gateway took for a
session that no longer owes it (cancelled by the practice meanwhile, or paid under another
key) is recorded and its refund requested, for the refunds step to return.

Candidates are selected with `starts_at <= now + the longest notice window of any practice`
(interval arithmetic on a per-row column is not portable between SQLite and PostgreSQL) and
filtered per practice with policy.charge_due, in keyset pages on (starts_at, id).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Numeric, and_, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from domain.accounts.payments import PaymentGateway
from domain.appointments import policy
from domain.appointments.appointments import (
    Appointment,
    Charge,
    ChargeStatus,
    appointment_charge_key,
)
from domain.appointments.policy import AppointmentStatus
from persistence import tables
from persistence.uow import UnitOfWork

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

logger = logging.getLogger("caseload.sweep")

BATCH = 500
GATEWAY_CONCURRENCY = 8  # charges in flight at once within a batch
CHARGEABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.LATE_CANCELLED)



@dataclass(frozen=True)
class Attempt:
    """One session to charge (or to record as refused) in this sweep."""

    appointment_id: uuid.UUID
    key: str
    card_reference: str | None  # None: no card on file
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    succeeded: bool
    reference: str  # the gateway's charge reference; "" when no card was charged


async def charge_due_appointments(ctx: SweepContext) -> int:
    """Charges recorded by this sweep (taken or refused)."""
    longest = await _longest_notice_hours(ctx)
    if longest is None:
        return 0
    horizon = ctx.now + timedelta(hours=longest)
    recorded = 0
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        rows, attempts = await _candidates(ctx, horizon, after)
        if attempts:
            outcomes = await _charge_all(ctx.payments, attempts)
            try:
                recorded += await _record(ctx, outcomes) if outcomes else 0
            except Exception:  # the other steps still run; the next sweep asks again
                logger.exception("recording %d charges failed; the next sweep records them "
                                 "under the same keys", len(outcomes))
        if len(rows) < BATCH:
            return recorded
        after = (rows[-1].starts_at, rows[-1].id)


async def count_due_charges(ctx: SweepContext) -> int:
    """Sessions the next sweep would charge (dry run): the same pages, no gateway call."""
    longest = await _longest_notice_hours(ctx)
    if longest is None:
        return 0
    horizon = ctx.now + timedelta(hours=longest)
    due = 0
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        rows, attempts = await _candidates(ctx, horizon, after)
        due += len(attempts)
        if len(rows) < BATCH:
            return due
        after = (rows[-1].starts_at, rows[-1].id)


async def _longest_notice_hours(ctx: SweepContext) -> int | None:
    async with ctx.db.reading() as tx:
        found = await tx.scalar(select(func.max(tables.practices.c.cancellation_notice_hours)))
    return None if found is None else int(found)


def needs_payment_sql() -> tuple[Any, ...]:
    """SQL for `needs_payment` (the price compared as a number: SQLite keeps it as text)."""
    a = tables.appointments
    return (a.c.package_id.is_(None), a.c.charge_id.is_(None),
            cast(func.coalesce(a.c.cancellation_fee, a.c.price), Numeric(14, 2)) > 0,
            a.c.held_until.is_(None))


async def _candidates(
    ctx: SweepContext, horizon: datetime, after: tuple[datetime, uuid.UUID] | None
) -> tuple[list[Any], list[Attempt]]:
    """One page of candidates (rows, for paging on) and what to do about the due ones."""
    a, p, m = tables.appointments, tables.practices, tables.payment_methods
    query = (
        select(a.c.id, a.c.status, a.c.starts_at, a.c.price, a.c.cancellation_fee,
               a.c.currency,
               p.c.cancellation_notice_hours, m.c.id.label("method_id"),
               m.c.gateway_reference.label("card_reference"))
        .select_from(a.join(p, p.c.id == a.c.practice_id)
                     .outerjoin(m, m.c.client_id == a.c.payer_id))
        .where(a.c.status.in_(CHARGEABLE), a.c.starts_at <= horizon, *needs_payment_sql())
        .order_by(a.c.starts_at, a.c.id)
        .limit(BATCH)
    )
    if after is not None:
        query = query.where(or_(a.c.starts_at > after[0],
                                and_(a.c.starts_at == after[0], a.c.id > after[1])))
    async with ctx.db.reading() as tx:
        rows = list(await tx.execute(query))
        due = [row for row in rows if _due(row, ctx.now)]
        keys = {row.id: appointment_charge_key(row.id, row.method_id) for row in due}
        c = tables.charges
        recorded = dict((await tx.execute(
            select(c.c.idempotency_key, c.c.status).where(c.c.idempotency_key.in_(keys.values()))
        )).all()) if keys else {}
    attempts = [
        Attempt(row.id, keys[row.id], row.card_reference, _amount_due(row), row.currency)
        for row in due
        # A refusal under this key is final (the same card only refuses again); a success not
        # yet on the session is recorded again below, without asking the gateway.
        if recorded.get(keys[row.id]) in (None, ChargeStatus.SUCCEEDED)
    ]
    return rows, attempts


def _amount_due(row: Any) -> Decimal:
    """A late cancellation owes its tier's fee; anything else its price."""
    return row.cancellation_fee if row.cancellation_fee is not None else row.price


def _due(row: Any, now: datetime) -> bool:
    if _amount_due(row) <= 0:
        return False
    if row.status is AppointmentStatus.LATE_CANCELLED:
        return True  # the fee stands
    return policy.charge_due(row.starts_at, now, row.cancellation_notice_hours)


async def _charge_all(gateway: PaymentGateway, attempts: list[Attempt]) -> list[Outcome]:
    """Each attempt through the gateway, a few at a time. One that fails (the provider down)
    is logged and left for the next sweep, which repeats it under the same key."""
    limit = asyncio.Semaphore(GATEWAY_CONCURRENCY)

    async def one(attempt: Attempt) -> Outcome | None:
        if attempt.card_reference is None:
            return Outcome(attempt, succeeded=False, reference="")
        async with limit:
            try:
                result = await gateway.charge(attempt.card_reference, attempt.amount,
                                              attempt.currency, attempt.key)
            except Exception:
                logger.exception("charge %s failed; the next sweep tries again", attempt.key)
                return None
        return Outcome(attempt, result.succeeded, result.reference)

    found = await asyncio.gather(*(one(attempt) for attempt in attempts))
    return [outcome for outcome in found if outcome is not None]


async def _record(ctx: SweepContext, outcomes: list[Outcome]) -> int:
    """Record a batch's answers; new charges recorded. Should another writer (a concurrent
    sweep, cancelSession's late fee) store one of these keys first, the batch is recorded
    again on top of what it stored."""
    try:
        return await _record_once(ctx, outcomes)
    except IntegrityError:
        return await _record_once(ctx, outcomes)


async def _record_once(ctx: SweepContext, outcomes: list[Outcome]) -> int:
    async with UnitOfWork(ctx.db, ctx.now) as uow:
        locked = await uow.appointments.locked_where(
            tables.appointments.c.id.in_([o.attempt.appointment_id for o in outcomes])
        )
        appointments = {appointment.id: appointment for appointment in locked}
        existing = await uow.charges.by_keys([o.attempt.key for o in outcomes])
        recorded = 0
        for outcome in outcomes:
            appointment = appointments.get(outcome.attempt.appointment_id)
            if appointment is None:
                continue
            charge = existing.get(outcome.attempt.key)
            new = charge is None
            if charge is None:
                charge = _charge(appointment, outcome, ctx.now)
                uow.charges.add(charge)
                recorded += 1
            appointment.settle_due_charge(charge, ctx.now, new=new)
        await uow.commit()
    return recorded


def _charge(appointment: Appointment, outcome: Outcome, now: datetime) -> Charge:
    return Charge(
        id=uuid.uuid4(), practice_id=appointment.practice_id, appointment_id=appointment.id,
        payer_id=appointment.payer_id, amount=outcome.attempt.amount,
        currency=outcome.attempt.currency,
        status=ChargeStatus.SUCCEEDED if outcome.succeeded else ChargeStatus.FAILED,
        idempotency_key=outcome.attempt.key, gateway_reference=outcome.reference,
        created_at=now,
    )

