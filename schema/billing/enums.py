"""The invoice enums, on their own so that Client (which the invoice types import) can take
InvoiceStatus as an argument without an import cycle."""

from __future__ import annotations

from domain.billing import billing
from schema.shared.common import described_enum

_Status = billing.InvoiceStatus
InvoiceStatus = described_enum(_Status, name="InvoiceStatus", description=(
    "Where an invoice stands."
), values={
    _Status.OPEN: "Owed: payInvoice charges the payer's card.",
    _Status.PAID: "Paid by card through Caseload.",
    _Status.CLOSED: "Closed without payment being taken here.",
    _Status.VOID: "Cancelled: nothing is owed.",
})
_Checkout = billing.Checkout
Checkout = described_enum(_Checkout, name="Checkout", description=(
    "How a new invoice is settled when it is issued."
), values={
    _Checkout.PAY_NOW: (
        "Charge the payer's card now; the whole operation fails if the charge does."
    ),
    _Checkout.PAY_LATER: "Leave the invoice OPEN.",
    _Checkout.CLOSE_NOW: "Close the invoice without taking payment.",
})
