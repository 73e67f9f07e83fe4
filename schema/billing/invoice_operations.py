"""payInvoice and sendInvoice."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.billing import invoices
from schema.billing.invoice_types import Invoice
from schema.clients.inputs import given, node_id
from schema.shared.common import IDEMPOTENCY_KEY, UserError, context, refusals_as_user_errors


@strawberry.input(description="An OPEN invoice to pay with the payer's card.")
class PayInvoiceInput:
    invoice_id: strawberry.ID = strawberry.field(description="The OPEN invoice.")
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.input(description="An invoice to email.")
class SendInvoiceInput:
    invoice_id: strawberry.ID = strawberry.field(description="The invoice to send.")
    recipients: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the invoice's suggestedRecipients."
    )


@strawberry.type(description="The answer to an invoice mutation.")
class InvoicePayload:
    invoice: Invoice | None = strawberry.field(
        default=None,
        description="The invoice as changed or sent; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(
        description="Charge an OPEN invoice's total to the payer's card on file."
    )
    @refusals_as_user_errors(InvoicePayload)
    async def pay_invoice(
        self,
        info: strawberry.Info,
        input: Annotated[PayInvoiceInput, strawberry.argument(description="The invoice to pay.")],
    ) -> InvoicePayload:
        paid = await invoices.pay_invoice(
            context(info), node_id(input.invoice_id, "Invoice"), given(input.idempotency_key)
        )
        return InvoicePayload(invoice=Invoice.from_entity(paid))

    @strawberry.mutation(
        description="Email the invoice to the recipients given, or to its suggestedRecipients."
    )
    @refusals_as_user_errors(InvoicePayload)
    async def send_invoice(
        self,
        info: strawberry.Info,
        input: Annotated[
            SendInvoiceInput,
            strawberry.argument(description="The invoice, and who gets it."),
        ],
    ) -> InvoicePayload:
        sent = await invoices.send_invoice(
            context(info), node_id(input.invoice_id, "Invoice"), given(input.recipients)
        )
        return InvoicePayload(invoice=Invoice.from_entity(sent))
