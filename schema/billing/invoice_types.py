"""Invoice, InvoiceLine and their enums."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.billing import billing
from domain.billing import invoices as domain
from domain.clients.links import Permission
from resolvers.billing.invoices import recipients_for
from resolvers.groups.access import may_see_invoice
from schema.billing.enums import InvoiceStatus
from schema.clients.types import Client
from schema.shared.common import Money, Node, context
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher

if TYPE_CHECKING:
    from schema.groups.types import GroupSubscription



@strawberry.type(description="One billed item of an invoice.")
class InvoiceLine:
    description: str = strawberry.field(
        description="What is billed, e.g. \"Tuesday Yoga, June 2027 (3 of 4 sessions)\".",
    )
    quantity: int = strawberry.field(description="How many units.")
    unit_price: Money = strawberry.field(description="The price of one unit.")
    amount: Money = strawberry.field(
        description="The line's amount, rounded to the currency's minor unit.",
    )

    @classmethod
    def from_domain(cls, line: billing.InvoiceLine) -> InvoiceLine:
        return cls(
            description=line.description, quantity=line.quantity,
            unit_price=Money(amount=line.unit_price.amount, currency=line.unit_price.currency),
            amount=Money(amount=line.amount.amount, currency=line.amount.currency),
        )


@strawberry.type(
    description=(
        "What a payer owes. Staff see the practice's; a client those they pay, and those of "
        "subscriptions they attend."
    ),
)
class Invoice(Node):
    id: strawberry.ID = strawberry.field(description="The invoice's global id.")
    number: str = strawberry.field(description="The practice's invoice number, e.g. INV-000042.")
    status: InvoiceStatus = strawberry.field(description="Where the invoice stands.")  # type: ignore[valid-type]
    lines: list[InvoiceLine] = strawberry.field(description="What is billed, line by line.")
    subtotal: Money = strawberry.field(description="The sum of the lines.")
    discount: Money = strawberry.field(
        description="What is taken off the subtotal; zero without a discount.",
    )
    total: Money = strawberry.field(
        description="What is owed: subtotal minus discount, never negative.",
    )
    discount_reason: str | None = strawberry.field(
        description="Why the discount was given, if it was."
    )
    issued_at: datetime = strawberry.field(description="When the invoice was issued.")
    paid_at: datetime | None = strawberry.field(description="When it was paid; null unless PAID.")
    entity: strawberry.Private[domain.Invoice]

    @classmethod
    def from_entity(cls, invoice: domain.Invoice) -> Invoice:
        def money(amount: object) -> Money:
            return Money(amount=amount, currency=invoice.currency)  # type: ignore[arg-type]

        return cls(
            id=strawberry.ID(to_global_id("Invoice", invoice.id)),
            number=invoice.number,
            status=invoice.status,
            lines=[InvoiceLine.from_domain(line) for line in invoice.lines],
            subtotal=money(invoice.subtotal),
            discount=money(invoice.discount),
            total=money(invoice.total),
            discount_reason=invoice.discount_reason,
            issued_at=invoice.issued_at,
            paid_at=invoice.paid_at,
            entity=invoice,
        )

    @strawberry.field(description="The client who owes it.")
    async def payer(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.payer_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)

    @strawberry.field(
        description="Addresses an invoice email goes to unless told otherwise: the payer and "
        "linked clients who receive notification copies."
    )
    async def suggested_recipients(self, info: strawberry.Info) -> list[str]:
        ctx = context(info)
        viewer = ctx.viewer
        if viewer is None or not (viewer.is_staff or viewer.client_id == self.entity.payer_id):
            return []  # another client's addresses are not for an attendee to read
        payer = await ctx.loaders.client_by_id.load(self.entity.payer_id)
        links = await ctx.loaders.links.links_by_client_id.load(self.entity.payer_id)
        copies = await ctx.loaders.client_by_id.load_many([
            link.other(self.entity.payer_id) for link in links
            if link.grants(self.entity.payer_id, link.other(self.entity.payer_id),
                           Permission.RECEIVE_NOTIFICATION_COPIES)
        ])
        return recipients_for(payer, [c.email for c in copies if c is not None and c.email])

    @strawberry.field(description="The subscription this invoice bills, if it bills one.")
    async def subscription(
        self, info: strawberry.Info
    ) -> Annotated[GroupSubscription, strawberry.lazy("schema.groups.types")] | None:
        from schema.groups.types import GroupSubscription

        if self.entity.subscription_id is None:
            return None
        loaders = context(info).loaders.group_sessions
        found = await loaders.subscription_by_id.load(self.entity.subscription_id)
        return GroupSubscription.from_entity(found) if found else None


@node_fetcher("Invoice")
async def _invoice_node(ctx, item_id):  # type: ignore[no-untyped-def]
    loaders = ctx.loaders.group_sessions
    found = await loaders.invoice_by_id.load(item_id)
    if found is None or ctx.viewer is None:
        return None
    attendee = None
    if found.subscription_id is not None and not ctx.viewer.is_staff:
        subscription = await loaders.subscription_by_id.load(found.subscription_id)
        attendee = subscription.client_id if subscription else None
    return Invoice.from_entity(found) if may_see_invoice(ctx.viewer, found, attendee) else None
