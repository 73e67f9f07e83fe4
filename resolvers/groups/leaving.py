"""leaveGroupSession and its preview: a subscription ended from a date with no new one (seed
001's "unenrolled from this date"). The suggested credit is the transfer preview's (what the
invoiced dates from then on were billed at); with `credit`, a credit note for it (or for the
amount given) comes off the payer's next monthly invoices. Nothing is charged and nobody is
emailed; the month's invoices already issued stay as they are."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.billing.billing import InvoiceStatus
from domain.billing.credit_notes import CreditNote, issue_credit_note
from domain.groups.group_sessions import (
    GroupSession,
    GroupSubscription,
    YearMonth,
    check_end_date,
    ensure_active,
    leave,
    suggested_credit,
)
from domain.shared.money import Money
from persistence import credit_notes
from persistence.uow import UnitOfWork
from resolvers.groups.access import visible_subscription
from resolvers.shared.context import RequestContext


@dataclass(frozen=True)
class CreditRequest:
    amount: Decimal | None  # None: the suggested credit
    reason: str | None


@dataclass(frozen=True)
class LeaveRequest:
    subscription_id: uuid.UUID
    leave_date: date
    credit: CreditRequest | None


@dataclass(frozen=True)
class Leaving:
    subscription: GroupSubscription
    suggested_credit: Money
    credit_note: CreditNote | None


async def leave_preview(ctx: RequestContext, subscription_id: uuid.UUID,
                        leave_date: date) -> Money:
    """The suggested credit for leaving on `leave_date`; the same refusals as leaving."""
    viewer = ctx.staff()
    async with ctx.reading() as uow:
        subscription = await visible_subscription(uow, viewer, subscription_id,
                                                  ["subscriptionId"])
        current = await _group_session(uow, subscription)
        ensure_active(subscription)
        check_end_date(subscription, current, leave_date, "leaveDate")
        return await _suggested(uow, current, subscription, leave_date)


async def leave_group_session(ctx: RequestContext, request: LeaveRequest) -> Leaving:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        subscription = await visible_subscription(uow, viewer, request.subscription_id,
                                                  ["subscriptionId"], for_update=True)
        current = await _group_session(uow, subscription)
        suggested = await _suggested(uow, current, subscription, request.leave_date)
        leave(subscription, current, request.leave_date)
        note = None
        if request.credit is not None:
            note = issue_credit_note(
                practice_id=subscription.practice_id, payer_id=subscription.payer_id,
                subscription_id=subscription.id, amount=request.credit.amount,
                suggested=suggested, reason=request.credit.reason,
                default_reason=_default_reason(current, request.leave_date),
                now=uow.now,
            )
            await credit_notes.add(uow.tx, note)
        await uow.commit()
    return Leaving(subscription, suggested, note)


def _default_reason(current: GroupSession, leave_date: date) -> str:
    return f"{current.name}, unused from {leave_date.day} {leave_date:%B %Y}"


async def _group_session(uow: UnitOfWork, subscription: GroupSubscription) -> GroupSession:
    found = await uow.group_sessions.get(subscription.group_session_id)
    assert found is not None
    return found


async def _suggested(uow: UnitOfWork, current: GroupSession, subscription: GroupSubscription,
                     leave_date: date) -> Money:
    return suggested_credit(current, subscription, leave_date,
                            await invoiced_months(uow, subscription.id))


async def invoiced_months(uow: UnitOfWork, subscription_id: uuid.UUID) -> list[YearMonth]:
    """The months the subscription's invoices cover, VOID ones aside."""
    return [
        YearMonth.of(invoice.period)
        for invoice in await uow.invoices.of_subscription(subscription_id)
        if invoice.period is not None and invoice.status is not InvoiceStatus.VOID
    ]
