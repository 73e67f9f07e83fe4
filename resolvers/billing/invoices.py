"""payInvoice, sendInvoice, and who an invoice email goes to by default."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from domain.accounts.payments import ChargeResult
from domain.billing.billing import pay
from domain.billing.invoices import (
    Invoice,
    InvoiceSent,
    PaymentStatus,
    clean_recipients,
    no_recipients,
)
from domain.billing.invoices import suggested_recipients as suggest
from domain.clients.clients import Client
from domain.shared.errors import DomainError, ErrorCode
from persistence.uow import UnitOfWork
from resolvers.billing.invoice_money import (
    InvoiceMoney,
    no_payment_method,
    payment_declined,
    record_invoice_charge,
)
from resolvers.clients.links import copy_addresses
from resolvers.groups.access import ensure_pays, visible_invoice
from resolvers.shared.context import RequestContext
from resolvers.shared.idempotency import Idempotency

logger = logging.getLogger("caseload.payments")


async def suggested_recipients(uow: UnitOfWork, invoice: Invoice) -> list[str]:
    """Who an invoice goes to unless told otherwise: the payer's address, then those of
    clients linked to the payer who receive notification copies (the rule is
    `recipients_for`; sendInvoice, Invoice.suggestedRecipients and the monthly invoice email
    all ask here)."""
    payer = await uow.clients.get(invoice.payer_id)
    return recipients_for(payer, copies=await copy_addresses(uow, invoice.payer_id))


def recipients_for(payer: Client | None, copies: Sequence[str] = ()) -> list[str]:
    """The payer first, then the notification copies, each address once."""
    return suggest(payer.email if payer else None, copies)


async def pay_invoice(
    ctx: RequestContext, invoice_id: uuid.UUID, idempotency_key: str | None
) -> Invoice:
    """Charge an OPEN invoice's total to its payer's card (staff, or the payer themselves).
    NO_PAYMENT_METHOD without a card; PAYMENT_DECLINED leaves it OPEN (the attempt is kept,
    so the next one is a new charge)."""
    viewer = ctx.signed_in()
    idempotency = Idempotency.of(viewer.account_id, "payInvoice", idempotency_key,
                                 {"invoice_id": invoice_id})
    async with ctx.reading() as uow:
        earlier = await idempotency.earlier_result(uow)
        if earlier is not None:
            return await _invoice(uow, earlier)
        invoice = await visible_invoice(uow, viewer, invoice_id, ["invoiceId"])
        ensure_pays(viewer, invoice)
        pay(invoice.status, ctx.now)  # INVALID_STATE unless OPEN
        owes = not invoice.amount_due.is_zero()
        if owes and await uow.payment_methods.of_client(invoice.payer_id) is None:
            raise no_payment_method()
    money = InvoiceMoney(ctx.db, ctx.now, ctx.payments, ctx.services.after_commit,
                          ctx.read_scope, ctx.loaders.prime_committed)
    charged = await money.charge_invoice(invoice.id) if owes else None
    if owes and charged is None:
        raise no_payment_method()  # the card was removed in the meantime
    try:
        return await _settle(ctx, money, idempotency, invoice.id, charged)
    except IntegrityError:
        # A twin with the same idempotencyKey recorded the same charge first.
        async with ctx.reading() as uow:
            earlier = await idempotency.earlier_result(uow)
            if earlier is None:
                raise
            return await _invoice(uow, earlier)


async def _settle(
    ctx: RequestContext, money: InvoiceMoney, idempotency: Idempotency, invoice_id: uuid.UUID,
    charged: tuple[str, ChargeResult] | None,
) -> Invoice:
    spare = False
    async with ctx.unit_of_work() as uow:
        if charged is None:
            invoice = await uow.invoices.get(invoice_id, for_update=True)
            assert invoice is not None
            invoice.pay(uow.now)  # nothing was owed
        else:
            key, result = charged
            payment, spare = await record_invoice_charge(uow, invoice_id, key, result)
            if not spare and payment.status is not PaymentStatus.SUCCEEDED:
                await uow.commit()  # the declined attempt is kept; the invoice stays OPEN
                raise payment_declined()
            invoice = await _invoice(uow, invoice_id)
        if not spare:
            await idempotency.remember(uow, invoice.id)
        await uow.commit()
    if spare:
        assert charged is not None
        await _refund_spare(money, charged[1].reference, invoice_id)
        raise DomainError.one(ErrorCode.INVALID_STATE,
                              "This invoice was paid meanwhile; the second charge was refunded.")
    return invoice


async def _refund_spare(money: InvoiceMoney, reference: str, invoice_id: uuid.UUID) -> None:
    try:
        await money.gateway.refund(reference, f"refund:{reference}")
    except Exception:
        logger.exception("refund of a second payment %s for invoice %s failed", reference,
                         invoice_id)


async def send_invoice(
    ctx: RequestContext, invoice_id: uuid.UUID, recipients: list[str] | None
) -> Invoice:
    """Email the invoice to `recipients`, or to its suggested recipients (staff only)."""
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        invoice = await visible_invoice(uow, viewer, invoice_id, ["invoiceId"])
        if recipients is not None:
            to = clean_recipients(recipients)
        else:
            to = await suggested_recipients(uow, invoice)
            if not to:
                raise no_recipients()
        invoice.record(InvoiceSent(invoice.practice_id, invoice.id, to))
        await uow.commit()
    return invoice


async def _invoice(uow: UnitOfWork, invoice_id: uuid.UUID) -> Invoice:
    found = await uow.invoices.get(invoice_id)
    assert found is not None
    return found

