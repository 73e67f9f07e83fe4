"""createPackage."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from resolvers.billing import packages
from schema.billing.enums import Checkout
from schema.billing.invoice_types import Invoice
from schema.billing.package_types import Package
from schema.clients.inputs import given, node_id
from schema.shared.common import UserError, context, refusals_as_user_errors


@strawberry.input
class CreatePackageInput:
    client_id: strawberry.ID = strawberry.field(description="The client who owns the credits "
                                                "and pays the invoice.")
    name: str
    credits: int = strawberry.field(name="sessions")
    price: Decimal = strawberry.field(description="The whole package's price.")
    checkout: Checkout  # type: ignore[valid-type]
    idempotency_key: str | None = strawberry.UNSET


@strawberry.type
class PackagePayload:
    package: Package | None = None
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PackageMutations:
    @strawberry.mutation(description="Sell a package of session credits to a client, with an "
                         "invoice checked out now.")
    @refusals_as_user_errors(PackagePayload)
    async def create_package(
        self, info: strawberry.Info, input: CreatePackageInput
    ) -> PackagePayload:
        request = packages.PackageRequest(
            client_id=node_id(input.client_id, "Client"), name=input.name,
            credits=input.credits, price=input.price, checkout=input.checkout,
            idempotency_key=given(input.idempotency_key),
        )
        ctx = context(info)
        sale = await packages.sell_package(ctx, request)
        ctx.loaders.group_sessions.invoice_by_id.prime(sale.invoice.id, sale.invoice)
        return PackagePayload(package=Package.from_entity(sale.package),
                              invoice=Invoice.from_entity(sale.invoice))
