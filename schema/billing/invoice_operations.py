"""payInvoice and sendInvoice."""

from __future__ import annotations

import strawberry

from resolvers.billing import invoices
from schema.billing.invoice_types import Invoice
from schema.clients.inputs import given, node_id
from schema.shared.common import UserError, context, refusals_as_user_errors


@strawberry.input
class PayInvoiceInput:
    invoice_id: strawberry.ID
    idempotency_key: str | None = strawberry.UNSET


@strawberry.input
class SendInvoiceInput:
    invoice_id: strawberry.ID
    recipients: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the invoice's suggestedRecipients."
    )


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(
        description="Charge an OPEN invoice's total to the payer's card on file."
    )
    @refusals_as_user_errors(InvoicePayload)
    async def pay_invoice(self, info: strawberry.Info, input: PayInvoiceInput) -> InvoicePayload:
        paid = await invoices.pay_invoice(
            context(info), node_id(input.invoice_id, "Invoice"), given(input.idempotency_key)
        )
        return InvoicePayload(invoice=Invoice.from_entity(paid))

    @strawberry.mutation(
        description="Email the invoice to the recipients given, or to its suggestedRecipients."
    )
    @refusals_as_user_errors(InvoicePayload)
    async def send_invoice(
        self, info: strawberry.Info, input: SendInvoiceInput
    ) -> InvoicePayload:
        sent = await invoices.send_invoice(
            context(info), node_id(input.invoice_id, "Invoice"), given(input.recipients)
        )
        return InvoicePayload(invoice=Invoice.from_entity(sent))
