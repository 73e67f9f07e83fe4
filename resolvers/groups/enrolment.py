"""enrollInSession and transferSession (seed 001): a subscription and its first month's
invoice, checked out with PAY_NOW, PAY_LATER or CLOSE_NOW.

Each runs twice through the same checks: a read-only pass that refuses early and says what
the invoice will total, then, after any PAY_NOW charge (resolvers/billing/invoice_money.py), the
unit of work that re-checks under its locks and writes. Capacity is counted with the group
session's row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's writers are serialised
by BEGIN IMMEDIATE), so concurrent enrolments can never overfill a session. A refusal at any
point leaves every subscription and invoice as it was.

Locks are always taken in the order subscription, group session, invoice counter (the sweep
and payInvoice keep to it too), so concurrent transfers, enrolments and sweeps never
deadlock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.appointments.waitlist import HeldPlace
from domain.billing.billing import Checkout, Discount, InvoiceLine, invoice_totals, parse_discount
from domain.billing.invoices import Invoice, PaymentStatus
from domain.groups.group_sessions import (
    GroupSession,
    GroupSubscription,
    YearMonth,
    check_room,
    check_transfer,
    enroll,
    first_month_lines,
    transfer,
)
from domain.shared.errors import Problems
from domain.shared.money import Money
from persistence.uow import UnitOfWork
from resolvers.billing.checkout import run_checked_out
from resolvers.billing.invoice_money import Taken
from resolvers.groups.access import local_today, practice_group_session, visible_subscription
from resolvers.shared.access import visible_client
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext
from resolvers.shared.idempotency import Idempotency


@dataclass(frozen=True)
class DiscountRequest:
    percent: Decimal | None
    amount: Decimal | None
    reason: str | None


@dataclass(frozen=True)
class EnrolmentRequest:
    client_id: uuid.UUID
    group_session_id: uuid.UUID
    first_date: date
    payer_id: uuid.UUID | None
    discount: DiscountRequest | None
    checkout: Checkout
    idempotency_key: str | None


@dataclass(frozen=True)
class TransferRequest:
    subscription_id: uuid.UUID
    transfer_date: date
    to_group_session_id: uuid.UUID
    first_date: date
    discount: DiscountRequest | None
    checkout: Checkout
    idempotency_key: str | None


@dataclass(frozen=True)
class Enrolment:
    """What either mutation answers: the new subscription and its first invoice (and, for a
    transfer, the subscription it ended)."""

    subscription: GroupSubscription
    invoice: Invoice
    ended: GroupSubscription | None = None
    # set when this call wrote them (not for a retry's earlier answer): the new
    # subscription's session, its invoice being its only one
    group_session: GroupSession | None = None


@dataclass
class Draft:
    """A checked request: the new subscription's session, payer and first invoice's lines."""

    group_session: GroupSession
    payer_id: uuid.UUID
    first_date: date
    lines: list[InvoiceLine]
    discount: Discount | None
    total: Money
    # the new session's subscriptions that attend first_date or later (counted for capacity)
    enrolled: list[GroupSubscription]


def _fingerprint(request: Any) -> dict[str, Any]:
    values = {k: v for k, v in vars(request).items() if k != "idempotency_key"}
    if values.get("discount") is not None:
        values["discount"] = vars(values["discount"])
    return values


async def enroll_in_group_session(ctx: RequestContext, request: EnrolmentRequest) -> Enrolment:
    viewer = ctx.staff()
    idempotency = Idempotency.of(viewer.account_id, "enrollInSession",
                                 request.idempotency_key, _fingerprint(request))
    return await run_checked_out(ctx, viewer.practice_id, idempotency, request.checkout,
                                 _Enrolling(viewer, request))


async def transfer_group_session(ctx: RequestContext, request: TransferRequest) -> Enrolment:
    viewer = ctx.staff()
    idempotency = Idempotency.of(viewer.account_id, "transferSession",
                                 request.idempotency_key, _fingerprint(request))
    return await run_checked_out(ctx, viewer.practice_id, idempotency, request.checkout,
                                 _Transferring(viewer, request))


class _Subscribing:
    """What enrolling and transferring share: the result is the new subscription."""

    async def answer(self, uow: UnitOfWork, result_id: uuid.UUID) -> Enrolment:
        return await _answer(uow, result_id)

    def result_id(self, result: Enrolment) -> uuid.UUID:
        return result.subscription.id


@dataclass(frozen=True)
class _Enrolling(_Subscribing):
    viewer: Viewer
    request: EnrolmentRequest

    async def check(self, uow: UnitOfWork, *, lock: bool
                    ) -> tuple[Draft, GroupSubscription]:
        return await _check_enrolment(uow, self.viewer, self.request, lock=lock)

    async def write(self, uow: UnitOfWork, draft: Draft, subscription: GroupSubscription,
                    taken: Taken | None) -> Enrolment:
        invoice = await _subscribe(uow, subscription, draft, self.request.checkout, taken)
        return Enrolment(subscription, invoice, group_session=draft.group_session)


@dataclass(frozen=True)
class _Transferring(_Subscribing):
    viewer: Viewer
    request: TransferRequest

    async def check(self, uow: UnitOfWork, *, lock: bool
                    ) -> tuple[Draft, GroupSubscription]:
        return await _check_transfer(uow, self.viewer, self.request, lock=lock)

    async def write(self, uow: UnitOfWork, draft: Draft, current: GroupSubscription,
                    taken: Taken | None) -> Enrolment:
        group_session = await uow.group_sessions.get(current.group_session_id)
        assert group_session is not None
        request = self.request
        new = transfer(current, group_session, draft.group_session,
                transfer_date=request.transfer_date,
                       first_date=draft.first_date, target_enrolled=draft.enrolled,
                       now=uow.now)
        invoice = await _subscribe(uow, new, draft, request.checkout, taken)
        return Enrolment(new, invoice, current, group_session=draft.group_session)


async def _answer(uow: UnitOfWork, subscription_id: uuid.UUID) -> Enrolment:
    subscription = await uow.subscriptions.get(subscription_id)
    assert subscription is not None
    invoices = await uow.invoices.of_subscription(subscription.id)
    ended = None
    if subscription.transferred_from_id is not None:
        ended = await uow.subscriptions.get(subscription.transferred_from_id)
    return Enrolment(subscription, invoices[0], ended)


def _discount(request: DiscountRequest | None, currency: str) -> Discount | None:
    if request is None:
        return None
    return parse_discount(request.percent, request.amount, request.reason, currency)


def _draft(group_session: GroupSession, payer_id: uuid.UUID, first_date: date,
           discount: Discount | None, enrolled: list[GroupSubscription]) -> Draft:
    lines = first_month_lines(group_session, first_date)
    totals = invoice_totals(lines, discount, group_session.currency)
    return Draft(group_session, payer_id, first_date, lines, discount, totals.total, enrolled)


async def _check_enrolment(
    uow: UnitOfWork, viewer: Viewer, request: EnrolmentRequest, *, lock: bool
) -> tuple[Draft, GroupSubscription]:
    # The session row first: it is the lock that serialises enrolments into it.
    group_session = await practice_group_session(uow, viewer, request.group_session_id,
            ["sessionId"],
                                           for_update=lock)
    client = await visible_client(uow, viewer, request.client_id, ["clientId"])
    payer = await visible_client(uow, viewer, request.payer_id or client.id, ["payerId"])
    practitioner = await uow.practitioners.get(group_session.practitioner_id)
    assert practitioner is not None
    problems = Problems()
    discount = problems.check(_discount, request.discount, group_session.currency)
    enrolled = await uow.subscriptions.attending_from(group_session.id, request.first_date)
    subscription = problems.check(
        enroll, group_session, client_id=client.id, payer_id=payer.id,
                first_date=request.first_date,
        today=local_today(uow.now, practitioner.timezone),
        enrolled=[*enrolled, *await held_places(uow, group_session.id)], now=uow.now,
    )
    problems.raise_if_any()
    return _draft(group_session, payer.id, request.first_date, discount, enrolled), subscription


async def _check_transfer(
    uow: UnitOfWork, viewer: Viewer, request: TransferRequest, *, lock: bool
) -> tuple[Draft, GroupSubscription]:
    current = await visible_subscription(uow, viewer, request.subscription_id,
                                         ["subscriptionId"], for_update=lock)
    group_session = await uow.group_sessions.get(current.group_session_id)
    assert group_session is not None
    target = await practice_group_session(uow, viewer, request.to_group_session_id, ["toSessionId"],
                                          for_update=lock)
    problems = Problems()
    discount = problems.check(_discount, request.discount, target.currency)
    problems.check(check_transfer, current, group_session, target, request.transfer_date,
                   request.first_date)
    problems.raise_if_any()
    enrolled = await uow.subscriptions.attending_from(target.id, request.first_date)
    check_room(target.capacity, [*enrolled, *await held_places(uow, target.id)],
               request.first_date, ("toSessionId",))
    return _draft(target, current.payer_id, request.first_date, discount, enrolled), current


async def held_places(uow: UnitOfWork, group_session_id: uuid.UUID) -> list[HeldPlace]:
    """Places open waitlist offers hold: capacity counts them like subscriptions."""
    return [HeldPlace(first) for first, _ in
            await uow.waitlist_offers.open_places(group_session_id)]


async def _subscribe(uow: UnitOfWork, subscription: GroupSubscription, draft: Draft,
                     checkout: Checkout, taken: Taken | None) -> Invoice:
    """Save the subscription with its first month's invoice, numbered now, checked out."""
    uow.subscriptions.add(subscription)
    month = YearMonth.of(draft.first_date)
    invoice = Invoice.issue(
        practice_id=subscription.practice_id, payer_id=draft.payer_id,
        sequence=await uow.invoices.next_sequence(subscription.practice_id),
        lines=draft.lines, discount=draft.discount, currency=draft.group_session.currency,
        now=uow.now, subscription_id=subscription.id, period=month.first_day,
    )
    invoice.checkout(checkout, uow.now)
    uow.invoices.add(invoice)
    if taken is not None:
        uow.invoice_payments.add(taken.payment(invoice.id, PaymentStatus.SUCCEEDED, uow.now))
    await uow.flush()
    await uow.subscriptions.set_next_bill_month(subscription.id, month.next().first_day)
    return invoice
