"""Sweep step: monthly billing of group-session subscriptions (seed 001).

A subscription's first invoice (enrolment or transfer) covers the month of its first date;
from then on each calendar month is invoiced on its first day, in the practitioner's
timezone, for the session dates the subscription attends that month (pro-rated, see
domain.group_sessions). Two phases, each item in its own short unit of work:

1. **Issue.** Subscriptions whose cursor (`next_bill_month`) has come due are locked one by
   one; the month's invoice is numbered and saved and the cursor moves on, in one
   transaction. A second sweep at the same time finds the cursor moved (or, at worst, hits
   the unique (subscription, period) constraint), so no month is ever invoiced twice.
   The payer's credit notes (a group left with a credit) come off it as lines of their own,
   locked with it, so two invoices never spend one credit.
2. **Charge.** Each invoice issued that way is charged to the payer's card when there is one
   (outside any unit of work, key `invoice:<id>:card:<card>:<declines>`), then recorded: PAID
   and emailed, or left OPEN with the payer emailed that the card was declined. Without a
   card it is emailed as it is, OPEN. A crash between the two phases leaves the invoice
   marked `autocharge_pending`, and the next sweep charges it with the same key.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from domain.billing.billing import InvoiceStatus
from domain.billing.credit_notes import apply_credit_notes
from domain.billing.invoices import Invoice, InvoiceIssued, InvoicePaymentFailed, PaymentStatus
from domain.groups.group_sessions import YearMonth, monthly_lines
from persistence import credit_notes
from persistence.database import Database
from persistence.uow import UnitOfWork
from resolvers.billing.invoice_money import InvoiceMoney, record_invoice_charge
from resolvers.groups.access import local_today

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

logger = logging.getLogger("caseload.sweep")

BATCH = 200
# The furthest ahead any timezone's calendar runs (UTC+14): no month is due anywhere before
# the first day of the month this instant falls in there.
EARLIEST_ZONE = timedelta(hours=14)


async def bill_subscriptions(ctx: SweepContext) -> int:
    """Issue every due monthly invoice, then charge those not charged yet; answers how many
    invoices were issued."""
    issued = await _issue_due(ctx.db, ctx.now)
    money = InvoiceMoney(ctx.db, ctx.now, ctx.payments)
    while True:
        async with UnitOfWork(ctx.db, ctx.now, read_only=True) as uow:
            pending = await uow.invoices.pending_autocharge(BATCH)
        settled = [await _settle(money, invoice_id) for invoice_id in pending]
        if not any(settled):
            return issued


async def count_due_invoices(ctx: SweepContext) -> int:
    """Monthly invoices the next sweep would issue first (dry run: one round, so a
    subscription several months behind counts once), and issued ones still to charge."""
    bound = YearMonth.of((ctx.now + EARLIEST_ZONE).date()).first_day
    async with UnitOfWork(ctx.db, ctx.now, read_only=True) as uow:
        rows = await uow.subscriptions.due_for_billing(bound, BATCH * 50)
        pending = await uow.invoices.pending_autocharge(BATCH * 50)
    due = sum(YearMonth.of(row.next_bill_month).is_due(local_today(ctx.now, row.timezone))
              for row in rows)
    return due + len(pending)


@dataclass(frozen=True)
class _Due:
    subscription_id: uuid.UUID
    month: date
    today: date


async def _issue_due(db: Database, now: datetime) -> int:
    bound = YearMonth.of((now + EARLIEST_ZONE).date()).first_day
    issued = 0
    while True:  # rounds: a subscription several months behind moves one month a round
        progress = False
        async with UnitOfWork(db, now, read_only=True) as uow:
            rows = await uow.subscriptions.due_for_billing(bound, BATCH * 50)
        for row in rows:
            today = local_today(now, row.timezone)
            # The cursor is the first month not billed yet: issue it once it is due.
            if not YearMonth.of(row.next_bill_month).is_due(today):
                continue  # not yet the 1st where the session meets
            outcome = await _issue(db, now, _Due(row.id, row.next_bill_month, today))
            progress = progress or outcome is not None
            issued += outcome is True
        if not progress:
            return issued


async def _issue(db: Database, now: datetime, due: _Due) -> bool | None:
    """Invoice one month of one subscription. True: issued; False: the cursor moved on
    without an invoice (nothing attended that month); None: another sweep got there first."""
    try:
        async with UnitOfWork(db, now) as uow:
            subscription = await uow.subscriptions.get(due.subscription_id, for_update=True)
            if subscription is None:
                return None
            if await uow.subscriptions.next_bill_month(subscription.id) != due.month:
                return None
            group_session = await uow.group_sessions.get(subscription.group_session_id)
            assert group_session is not None
            month = YearMonth.of(due.month)
            finished = ((group_session.ends_on is not None and group_session.ends_on < due.month)
                        or (subscription.end_date is not None
                            and subscription.end_date <= due.month))
            if finished:
                await uow.subscriptions.set_next_bill_month(subscription.id, None)
                await uow.commit()
                return False
            lines = monthly_lines(group_session, subscription, month)
            if lines:
                notes = await credit_notes.pending(uow.tx, subscription.payer_id,
                                                   group_session.currency)
                credited = apply_credit_notes(lines, notes, group_session.currency)
                invoice = Invoice.issue(
                    practice_id=subscription.practice_id, payer_id=subscription.payer_id,
                    sequence=await uow.invoices.next_sequence(subscription.practice_id),
                    lines=credited.lines, discount=None, currency=group_session.currency,
                    now=now, subscription_id=subscription.id, period=due.month,
                )
                invoice.autocharge_pending = True
                uow.invoices.add(invoice)
                await uow.flush()
                await credit_notes.use(uow.tx, notes, credited.used, invoice.id, now)
            await uow.subscriptions.set_next_bill_month(subscription.id, month.next().first_day)
            await uow.commit()
            return bool(lines)
    except IntegrityError:  # a concurrent sweep issued this month first
        return None


async def _settle(money: InvoiceMoney, invoice_id: uuid.UUID) -> bool:
    """Charge one issued invoice and record the answer, with its email. False when another
    sweep settled it first."""
    async with money.reading() as uow:
        invoice = await uow.invoices.get(invoice_id)
        if invoice is None or not invoice.autocharge_pending:
            return False
    is_open = invoice.status is InvoiceStatus.OPEN
    charged = await money.charge_invoice(invoice_id) if is_open else None
    spare = None
    try:
        async with money.writing() as uow:
            invoice = await uow.invoices.get(invoice_id, for_update=True)
            if invoice is None or not invoice.autocharge_pending:
                return False
            invoice.autocharge_pending = False
            event: InvoiceIssued | InvoicePaymentFailed = InvoiceIssued(invoice.practice_id,
                                                                        invoice.id)
            if charged is not None:
                key, result = charged
                payment, extra = await record_invoice_charge(uow, invoice.id, key, result)
                spare = result.reference if extra else None
                if payment.status is PaymentStatus.FAILED:
                    event = InvoicePaymentFailed(invoice.practice_id, invoice.id)
            elif invoice.amount_due.is_zero() and invoice.status is InvoiceStatus.OPEN:
                invoice.pay(uow.now)
            invoice.record(event)
            await uow.commit()
    except IntegrityError:  # payInvoice recorded the same charge at the same moment
        return False
    if spare is not None:
        try:
            await money.gateway.refund(spare, f"refund:{spare}")
        except Exception:
            logger.exception("refund of a second payment %s for invoice %s failed", spare,
                             invoice_id)
    return True
