"""The invoice enums, on their own so that Client (which the invoice types import) can take
InvoiceStatus as an argument without an import cycle."""

from __future__ import annotations

import strawberry

from domain.billing import billing

InvoiceStatus = strawberry.enum(billing.InvoiceStatus, name="InvoiceStatus")
Checkout = strawberry.enum(billing.Checkout, name="Checkout")
