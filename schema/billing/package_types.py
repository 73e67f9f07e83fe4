"""Package."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from domain.billing import packages as domain
from domain.clients.links import Permission, granted_by
from resolvers.billing.packages import may_see_package
from resolvers.shared.context import RequestContext
from schema.billing.invoice_types import Invoice
from schema.clients.types import Client
from schema.shared.common import Money, Node, context
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher


@strawberry.type(
    description=(
        "Prepaid session credits owned by a client; a credit pays for one session. Staff see the "
        "practice's; a client their own and those they may use."
    ),
)
class Package(Node):
    id: strawberry.ID = strawberry.field(description="The package's global id.")
    name: str = strawberry.field(description="The package's name, e.g. \"10 sessions\".")
    total_credits: int = strawberry.field(
        name="totalSessions",
        description="How many credits it was sold with.",
    )
    remaining_credits: int = strawberry.field(
        name="remainingSessions",
        description="How many credits are left.",
    )
    price: Money = strawberry.field(description="What the whole package cost.")
    created_at: datetime = strawberry.field(description="When it was sold.")
    entity: strawberry.Private[domain.Package]

    @classmethod
    def from_entity(cls, package: domain.Package) -> Package:
        return cls(
            id=strawberry.ID(to_global_id("Package", package.id)), name=package.name,
            total_credits=package.total_credits,
            remaining_credits=package.remaining_credits,
            price=Money(amount=package.price, currency=package.currency),
            created_at=package.created_at, entity=package,
        )

    @strawberry.field(description="The client who owns the credits.")
    async def owner(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.owner_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)

    @strawberry.field(description="The invoice the package was sold with; for the practice's "
                      "staff and the owner.")
    async def invoice(self, info: strawberry.Info) -> Invoice | None:
        ctx = context(info)
        viewer = ctx.viewer
        if self.entity.invoice_id is None or viewer is None or not (
                viewer.is_staff or viewer.client_id == self.entity.owner_id):
            return None
        found = await ctx.loaders.group_sessions.invoice_by_id.load(self.entity.invoice_id)
        return Invoice.from_entity(found) if found else None


async def sharing_with_viewer(ctx: RequestContext) -> set[uuid.UUID]:
    """The clients who let the viewer use their package sessions."""
    viewer = ctx.viewer
    if viewer is None or viewer.client_id is None:
        return set()
    links = await ctx.loaders.links.links_by_client_id.load(viewer.client_id)
    return set(granted_by(links, viewer.client_id, Permission.USE_PACKAGE_CREDITS))


async def visible_package(ctx: RequestContext, package_id: uuid.UUID) -> Package | None:
    found = await ctx.loaders.links.package_by_id.load(package_id)
    if found is None or not may_see_package(ctx.viewer, found, await sharing_with_viewer(ctx)):
        return None
    return Package.from_entity(found)


@node_fetcher("Package")
async def _package_node(ctx, item_id):  # type: ignore[no-untyped-def]
    return await visible_package(ctx, item_id)
