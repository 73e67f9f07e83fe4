"""Client, Address, PaymentMethod and the clients connection."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.accounts import payments
from domain.clients import clients as domain
from domain.clients import profile as domain_profile
from domain.clients.links import Permission, granted_by
from domain.clients.relationships import RelationshipStatus
from resolvers.shared.access import may_see_client, may_see_relationship
from resolvers.shared.auth import Viewer
from schema.billing.enums import InvoiceStatus
from schema.shared.arguments import After, Before, First, Last, Upcoming
from schema.shared.common import Node, PageInfo, built_once, context
from schema.shared.entity_values import values_of
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher
from schema.shared.prefetch import when_loaded

if TYPE_CHECKING:
    from resolvers.shared.context import RequestContext
    from schema.appointments.types import AppointmentConnection
    from schema.billing.invoice_types import Invoice
    from schema.billing.package_types import Package
    from schema.clients.intake_form_types import IntakeForm
    from schema.clients.link_types import ClientLink
    from schema.clients.relationship_types import Relationship
    from schema.groups.types import GroupSubscription


@strawberry.type(description="A postal address.")
class Address:
    line1: str = strawberry.field(description="First line: number and street.")
    line2: str | None = strawberry.field(description="Second line, if any.")
    city: str = strawberry.field(description="Town or city.")
    postal_code: str = strawberry.field(description="Postal code, e.g. SW1A 1AA.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code, e.g. GB.")

    @classmethod
    def from_domain(cls, address: domain_profile.Address) -> Address:
        return cls(line1=address.line1, line2=address.line2, city=address.city,
                   postal_code=address.postal_code, country=address.country)


@strawberry.type(
    description="A card on file: only what the payment provider tells; never the card number.",
)
class PaymentMethod:
    brand: str = strawberry.field(description="The card's brand, e.g. visa.")
    last4: str = strawberry.field(description="The last four digits of the card number.")
    exp_month: int = strawberry.field(description="Expiry month, 1 to 12.")
    exp_year: int = strawberry.field(description="Expiry year, four digits.")

    @classmethod
    def from_entity(cls, method: payments.PaymentMethod) -> PaymentMethod:
        return cls(brand=method.brand, last4=method.last4, exp_month=method.exp_month,
                   exp_year=method.exp_year)


_CLIENT_VALUES = frozenset(("id", "first_name", "last_name", "email", "phone", "date_of_birth",
                            "address", "has_account"))


@strawberry.type(
    description=(
        "A person on the practice's books. Staff see the practice's clients (a practitioner their "
        "caseload); a client sees their own profile, and only the names of others they deal with."
    ),
)
class Client(Node):
    id: strawberry.ID = strawberry.field(description="The client's global id.")
    first_name: str = strawberry.field(description="The client's first name.")
    last_name: str = strawberry.field(description="The client's last name.")
    email: str | None = strawberry.field(
        description=(
            "The client's email: their sign-in once invited, and where their emails go. Null when "
            "unknown, or hidden from this viewer."
        ),
    )
    phone: str | None = strawberry.field(
        description=(
            "The client's phone number in E.164 form, e.g. +447911123456; null when unknown or "
            "hidden from this viewer."
        ),
    )
    date_of_birth: date | None = strawberry.field(
        description="The client's date of birth; null when unknown or hidden from this viewer.",
    )
    address: Address | None = strawberry.field(
        description="The client's postal address; null when unknown or hidden from this viewer.",
    )
    has_account: bool = strawberry.field(
        description="True once the client has a sign-in of their own."
    )
    missing_profile_fields: list[str] = strawberry.field(
        description="Profile fields still needed before the client can pay for their own "
        "sessions (email, phone, dateOfBirth, address)."
    )
    client_id: strawberry.Private[uuid.UUID]
    # Another client seen by a signed-in client (a partner, a payer): their name only.
    restricted: strawberry.Private[bool]

    @classmethod
    def from_entity(cls, client: domain.Client, viewer: Viewer | None) -> Client:
        row = values_of(client, _CLIENT_VALUES)
        restricted = not may_see_client(viewer, client)
        email, phone, born, address = (
            (None, None, None, None) if restricted
            else (row["email"], row["phone"], row["date_of_birth"], row["address"]))
        return cls(
            id=strawberry.ID(to_global_id("Client", row["id"])),
            first_name=row["first_name"],
            last_name=row["last_name"],
            email=email,
            phone=phone,
            date_of_birth=born,
            address=Address.from_domain(address) if address else None,
            has_account=row["has_account"],
            missing_profile_fields=[] if restricted else domain_profile.missing_for_self_pay(
                email, phone, born, address),
            client_id=row["id"],
            restricted=restricted,
        )

    @classmethod
    def loaded(cls, ctx: RequestContext, client: domain.Client) -> Client:
        """From a loader's row: built once per request."""
        return built_once(ctx, cls, cls.from_entity, client, ctx.viewer)

    @strawberry.field(
        description="True while the client attends or pays for an ACTIVE relationship.",
        graphql_type=bool,
    )
    def is_active(self, info: strawberry.Info) -> bool | Awaitable[bool]:
        return when_loaded(context(info).loaders.relationships_by_client_id, self.client_id,
                           lambda found: any(r.status is RelationshipStatus.ACTIVE
                                             for r in found))

    @strawberry.field(
        description="The card on file; null when there is none or it is hidden from this viewer.",
        graphql_type=PaymentMethod | None,
    )
    def payment_method(
        self, info: strawberry.Info
    ) -> PaymentMethod | Awaitable[PaymentMethod | None] | None:
        if self.restricted:
            return None
        return when_loaded(context(info).loaders.payment_method_by_client_id, self.client_id,
                           lambda found: PaymentMethod.from_entity(found) if found else None)

    @strawberry.field(
        description="The relationships the client attends or pays for that the viewer may see.",
        graphql_type=list[Annotated["Relationship",
                                    strawberry.lazy("schema.clients.relationship_types")]],
    )
    def relationships(
        self, info: strawberry.Info
    ) -> list[Relationship] | Awaitable[list[Relationship]]:
        from schema.clients.relationship_types import Relationship

        if self.restricted:
            return []
        ctx = context(info)
        return when_loaded(ctx.loaders.relationships_by_client_id, self.client_id,
                           lambda found: [Relationship.from_entity(r, ctx.viewer) for r in found
                                          if may_see_relationship(ctx.viewer, r)])

    @strawberry.field(description="The client's links, each read from this client's side.")
    async def links(
        self, info: strawberry.Info
    ) -> list[Annotated[ClientLink, strawberry.lazy("schema.clients.link_types")]]:
        from schema.clients.link_types import ClientLink

        if self.restricted:
            return []
        found = await context(info).loaders.links.links_by_client_id.load(self.client_id)
        return [ClientLink.from_entity(link, self.client_id) for link in found]

    @strawberry.field(description="Packages the client owns, oldest first.")
    async def packages(
        self, info: strawberry.Info
    ) -> list[Annotated[Package, strawberry.lazy("schema.billing.package_types")]]:
        from schema.billing.package_types import Package

        if self.restricted:
            return []
        loader = context(info).loaders.links.packages_by_owner_id
        return [Package.from_entity(p) for p in await loader.load(self.client_id)]

    @strawberry.field(description="Packages whose credits may pay for this client's sessions: "
                      "their own, then those of linked clients who let them use package "
                      "sessions.")
    async def usable_packages(
        self, info: strawberry.Info
    ) -> list[Annotated[Package, strawberry.lazy("schema.billing.package_types")]]:
        from schema.billing.package_types import Package

        if self.restricted:
            return []
        loaders = context(info).loaders.links
        links = await loaders.links_by_client_id.load(self.client_id)
        owners = [self.client_id,
                  *granted_by(links, self.client_id, Permission.USE_PACKAGE_CREDITS)]
        owned = await loaders.packages_by_owner_id.load_many(owners)
        return [Package.from_entity(p) for packages in owned for p in packages]

    @strawberry.field(description="Intake forms about the client, oldest request first.")
    async def intake_forms(
        self, info: strawberry.Info
    ) -> list[Annotated[IntakeForm, strawberry.lazy("schema.clients.intake_form_types")]]:
        from schema.clients.intake_form_types import IntakeForm

        if self.restricted:
            return []
        loader = context(info).loaders.links.intake_forms_by_client_id
        return [IntakeForm.from_entity(form) for form in await loader.load(self.client_id)]

    @strawberry.field(
        name="sessions",
        description="The one-to-one sessions the client attends or pays for.",
    )
    async def appointments(
        self, info: strawberry.Info, upcoming: Upcoming = None, first: First = None,
        after: After = None, last: Last = None, before: Before = None,
    ) -> Annotated[AppointmentConnection, strawberry.lazy("schema.appointments.types")]:
        from schema.appointments.types import AppointmentConnection, appointment_page

        if self.restricted:
            return AppointmentConnection.empty()
        return await appointment_page(
            info, "appointment_pages_by_client_id", self.client_id, upcoming,
            first, after, last, before,
        )

    @strawberry.field(description="Group-session subscriptions the client attends or pays for.")
    async def subscriptions(
        self, info: strawberry.Info
    ) -> list[Annotated[GroupSubscription, strawberry.lazy("schema.groups.types")]]:
        from schema.groups.types import GroupSubscription

        if self.restricted:
            return []
        loader = context(info).loaders.group_sessions.subscriptions_by_client_id
        return [GroupSubscription.from_entity(s) for s in await loader.load(self.client_id)]

    @strawberry.field(description="Invoices the client pays, newest first.")
    async def invoices(
        self,
        info: strawberry.Info,
        status: Annotated[
            InvoiceStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only invoices with this status; all when null."),
        ] = None,
    ) -> list[Annotated[Invoice, strawberry.lazy("schema.billing.invoice_types")]]:
        from resolvers.groups.loaders import PayerInvoicesKey
        from schema.billing.invoice_types import Invoice

        if self.restricted:
            return []
        loader = context(info).loaders.group_sessions.invoices_by_payer_id
        found = await loader.load(PayerInvoicesKey(self.client_id, status))
        return [Invoice.from_entity(i) for i in found]


@strawberry.type(description="A client and its cursor.")
class ClientEdge:
    cursor: str = strawberry.field(description="Where this client lies, for `after` or `before`.")
    node: Client = strawberry.field(description="The client.")


@strawberry.type(description="A page of clients, in name order.")
class ClientConnection:
    edges: list[ClientEdge] = strawberry.field(
        description="The page's clients, with their cursors.",
    )
    page_info: PageInfo = strawberry.field(
        description="Where this page lies, for the next or previous one.",
    )
    total_count: int = strawberry.field(description="How many clients match, over all pages.")


@node_fetcher("Client")
async def _client_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.client_by_id.load(item_id)
    if found is None or not may_see_client(ctx.viewer, found):
        return None
    return Client.from_entity(found, ctx.viewer)
