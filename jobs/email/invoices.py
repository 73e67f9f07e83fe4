"""Emails about invoices: a monthly invoice issued (paid, or to pay), a declined card, and an
invoice someone chose to send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.accounts.payments import PaymentMethod
from domain.accounts.practice import Practice
from domain.billing.billing import InvoiceStatus
from domain.billing.invoices import Invoice, InvoiceIssued, InvoicePaymentFailed, InvoiceSent
from domain.clients.clients import Client
from jobs.context import JobContext
from jobs.email.appointment_facts import copy_recipients
from jobs.email.handlers import EmailIntent, handles
from persistence import tables
from resolvers.billing.invoices import recipients_for


@dataclass(frozen=True)
class InvoiceFacts:
    invoice: Invoice
    practice: Practice
    payer: Client
    card: PaymentMethod | None
    # Addresses of clients the payer lets receive notification copies (seed 003).
    copies: list[str] = field(default_factory=list)

    def values(self, app_url: str) -> dict[str, Any]:
        invoice = self.invoice
        issued = invoice.issued_at.astimezone(ZoneInfo(self.practice.timezone))
        return {
            "practice_name": self.practice.name,
            "first_name": self.payer.first_name,
            "payer_name": f"{self.payer.first_name} {self.payer.last_name}",
            "number": invoice.number,
            "issued_on": f"{issued.day} {issued:%B %Y}",
            "status": invoice.status.value,
            "paid": invoice.status is InvoiceStatus.PAID,
            "open": invoice.status is InvoiceStatus.OPEN,
            "lines": [
                {"description": line.description, "quantity": line.quantity,
                 "amount": f"{line.amount.amount} {line.amount.currency}"}
                for line in invoice.lines
            ],
            "subtotal": f"{invoice.subtotal} {invoice.currency}",
            "discount": f"{invoice.discount} {invoice.currency}",
            "has_discount": invoice.discount != 0,
            "total": f"{invoice.total} {invoice.currency}",
            "card": f"{self.card.brand} ending {self.card.last4}" if self.card else None,
            "app_url": app_url,
        }


async def invoice_facts(jc: JobContext, invoice_id: Any) -> InvoiceFacts | None:
    async with jc.db.reading() as tx:
        invoice = await tx.get(Invoice, uuid.UUID(str(invoice_id)))
        if invoice is None:
            return None
        practice = await tx.get(Practice, invoice.practice_id)
        payer = await tx.get(Client, invoice.payer_id)
        card = (await tx.execute(
            select(PaymentMethod).where(tables.payment_methods.c.client_id == invoice.payer_id)
        )).scalars().first()
        copies = [found.email for found in [
            await tx.get(Client, other)
            for other in await copy_recipients(tx, [invoice.payer_id])
        ] if found is not None and found.email]
    if practice is None or payer is None:
        return None
    return InvoiceFacts(invoice, practice, payer, card, copies)


@handles(InvoiceIssued)
async def monthly_invoice(jc: JobContext, event: InvoiceIssued) -> list[EmailIntent]:
    """The month's invoice, to its suggested recipients: paid with the card on file, or to
    pay (no card)."""
    facts = await invoice_facts(jc, event.invoice_id)
    if facts is None:
        return []
    values = facts.values(jc.app_url)
    return [EmailIntent(to, "invoice", values, facts.practice.id)
            for to in recipients_for(facts.payer, facts.copies)]


@handles(InvoicePaymentFailed)
async def payment_failed(jc: JobContext, event: InvoicePaymentFailed) -> list[EmailIntent]:
    """The card was declined: the payer (only) hears that the invoice is still to pay."""
    facts = await invoice_facts(jc, event.invoice_id)
    if facts is None or not facts.payer.email:
        return []
    return [EmailIntent(facts.payer.email, "invoice_payment_failed", facts.values(jc.app_url),
                        facts.practice.id)]


@handles(InvoiceSent)
async def invoice_sent(jc: JobContext, event: InvoiceSent) -> list[EmailIntent]:
    facts = await invoice_facts(jc, event.invoice_id)
    if facts is None:
        return []
    values = facts.values(jc.app_url)
    return [EmailIntent(to, "invoice", values, facts.practice.id) for to in event.recipients]
