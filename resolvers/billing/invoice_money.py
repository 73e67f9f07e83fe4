"""Taking an invoice's total from the payer's card.

The payment gateway is an outside service that commits on its own, so it is never called
inside a unit of work. Two shapes:

**Up front (enrolment and transfer with PAY_NOW).** The operation is checked in a read-only
pass, which also says what the new invoice will total; the card is charged; then the
operation's own unit of work checks everything again under its locks and records the
subscription, the PAID invoice and the payment together. A declined card refuses the whole
operation (PAYMENT_DECLINED) before anything was written. If the second check refuses (a
concurrent enrolment took the last place between the two), the charge is refunded at once
and the refusal answered: nothing of the operation is kept, only an internal REFUNDED
payment record. Charging first (rather than creating the enrolment and undoing it after a
decline) keeps invoice numbers gapless and never shows an unpaid enrolment to anyone.

The charge's idempotency key is stable for a retry of the same request: it is derived from
the caller's idempotencyKey (and the request's fingerprint) and the card, so a retry after a
crash between the charge and the commit is answered by the gateway with the first charge
instead of a second one. A request without an idempotencyKey gets a fresh key. Left as is:
if the process dies after the charge and the caller never retries, the charge stands at
the gateway (under its `enrollInSession:`/`transferSession:` key) with no invoice here.

**Against an invoice (payInvoice, the monthly sweep).** Key `invoice:<id>:card:<card>:<n>`,
n counting the invoice's earlier declines: payInvoice and the sweep charging the same
invoice at once share the key, so the payer is charged once; a new card or a retry after a
decline gets a new charge.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from domain.accounts.payments import ChargeResult, PaymentMethod
from domain.billing.billing import InvoiceStatus
from domain.billing.invoices import InvoicePayment, PaymentStatus
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money
from persistence.uow import UnitOfWork
from resolvers.shared.payments import PaymentContext

logger = logging.getLogger("caseload.payments")


def no_payment_method() -> DomainError:
    return DomainError.one(
        ErrorCode.NO_PAYMENT_METHOD,
        "The payer has no card on file; they need to add one to pay now.",
    )


def payment_declined() -> DomainError:
    return DomainError.one(
        ErrorCode.PAYMENT_DECLINED, "The payer's card was declined; nothing was changed."
    )


@dataclass(frozen=True)
class UpfrontCharge:
    """A charge to take before the operation's unit of work."""

    key: str
    method: PaymentMethod
    amount: Money


@dataclass(frozen=True)
class Taken:
    """A successful charge the operation's unit of work records (or gives back)."""

    key: str
    reference: str
    amount: Money
    practice_id: uuid.UUID
    payer_id: uuid.UUID

    def payment(self, invoice_id: uuid.UUID | None, status: PaymentStatus,
                now: datetime) -> InvoicePayment:
        return InvoicePayment(
            id=uuid.uuid4(), practice_id=self.practice_id, invoice_id=invoice_id,
            payer_id=self.payer_id, amount=self.amount.amount, currency=self.amount.currency,
            status=status, idempotency_key=self.key, gateway_reference=self.reference,
            created_at=now,
        )


async def upfront_charge(
    uow: UnitOfWork, payer_id: uuid.UUID, amount: Money, base_key: str
) -> UpfrontCharge:
    """In the read-only pass: the payer's card (NO_PAYMENT_METHOD without one) and the key.
    A key whose charge was refunded after a refusal is not reused: a retry charges anew."""
    method = await uow.payment_methods.of_client(payer_id)
    if method is None:
        raise no_payment_method()
    key = f"{base_key}:card:{method.id}"
    given_back = await uow.invoice_payments.refunded_with_prefix(key)
    return UpfrontCharge(f"{key}:{given_back}", method, amount)


@dataclass(frozen=True)
class InvoiceMoney(PaymentContext):
    """Charging an invoice's total, up front or against an issued invoice, and giving back a
    charge whose operation was refused."""

    async def take(self, charge: UpfrontCharge, practice_id: uuid.UUID,
                   payer_id: uuid.UUID) -> Taken:
        """Charge the card; PAYMENT_DECLINED (nothing recorded) if it is refused."""
        result = await self.gateway.charge(
            charge.method.gateway_reference, charge.amount.amount, charge.amount.currency,
            charge.key,
        )
        if not result.succeeded:
            raise payment_declined()
        return Taken(charge.key, result.reference, charge.amount, practice_id, payer_id)

    async def give_back(self, taken: Taken) -> None:
        """The operation this charge paid for was refused after it: refund it, unless a twin
        request with the same key committed it (then it pays that twin's invoice)."""
        async with self.reading() as uow:
            if await uow.invoice_payments.by_key(taken.key) is not None:
                return
        try:
            await self.gateway.refund(taken.reference, f"refund:{taken.key}")
        except Exception:
            logger.exception("refund of %s (%s) failed; it needs a person", taken.reference,
                             taken.key)
            return
        try:
            async with self.writing() as uow:
                uow.invoice_payments.add(taken.payment(None, PaymentStatus.REFUNDED, uow.now))
                await uow.commit()
        except IntegrityError:  # a twin recorded the key meanwhile: the refund was its own
            logger.warning("charge %s was refunded but a twin request recorded it", taken.key)

    async def charge_invoice(
        self, invoice_id: uuid.UUID
    ) -> tuple[str, ChargeResult] | None:
        """Charge an OPEN invoice's total to its payer's card; None when there is no card or
        nothing is owed. Answers the key and the gateway's result, to be recorded."""
        async with self.reading() as uow:
            invoice = await uow.invoices.get(invoice_id)
            if invoice is None or invoice.amount_due.is_zero():
                return None
            method = await uow.payment_methods.of_client(invoice.payer_id)
            if method is None:
                return None
            declines = await uow.invoice_payments.count_with_status(
                invoice.id, PaymentStatus.FAILED)
        key = invoice_key(invoice.id, method.id, declines)
        result = await self.gateway.charge(
            method.gateway_reference, invoice.total, invoice.currency, key
        )
        return key, result


def invoice_key(invoice_id: uuid.UUID, method_id: uuid.UUID, declines: int) -> str:
    return f"invoice:{invoice_id}:card:{method_id}:{declines}"


async def record_invoice_charge(
    uow: UnitOfWork, invoice_id: uuid.UUID, key: str, result: ChargeResult
) -> tuple[InvoicePayment, bool]:
    """Inside a unit of work that holds the invoice's row: the payment under `key` (once,
    whoever records it first) and, if it succeeded, the invoice PAID. Answers the payment
    and whether it is a second payment for an invoice already paid some other way (the
    caller refunds that one after commit)."""
    invoice = await uow.invoices.get(invoice_id, for_update=True)
    assert invoice is not None
    payment = await uow.invoice_payments.by_key(key)
    if payment is None:
        payment = InvoicePayment(
            id=uuid.uuid4(), practice_id=invoice.practice_id, invoice_id=invoice.id,
            payer_id=invoice.payer_id, amount=result.amount, currency=result.currency,
            status=PaymentStatus.SUCCEEDED if result.succeeded else PaymentStatus.FAILED,
            idempotency_key=key, gateway_reference=result.reference, created_at=uow.now,
        )
        uow.invoice_payments.add(payment)
        if result.succeeded and invoice.status is not InvoiceStatus.OPEN:
            payment.status = PaymentStatus.REFUNDED
            return payment, True
    if payment.status is PaymentStatus.SUCCEEDED and invoice.status is InvoiceStatus.OPEN:
        invoice.pay(uow.now)
    return payment, False
