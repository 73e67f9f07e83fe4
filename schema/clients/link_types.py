"""ClientLink, LinkPermissions and LinkType."""

from __future__ import annotations

import strawberry

from domain.clients import links as domain
from resolvers.shared.auth import Viewer
from schema.clients.types import Client
from schema.shared.common import Node, context, described_enum
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher

_Type = domain.LinkType
LinkType = described_enum(_Type, name="LinkType", description=(
    "What the linked client is to the client; a label that grants nothing by itself."
), values={
    _Type.PARENT: "The linked client is the client's parent.",
    _Type.CHILD: "The linked client is the client's child.",
    _Type.PARTNER: "The linked client is the client's partner.",
    _Type.GUARDIAN: "The linked client is the client's guardian.",
    _Type.SIBLING: "The linked client is the client's brother or sister.",
    _Type.GRANDPARENT: "The linked client is the client's grandparent.",
    _Type.WARD: (
        "The linked client is the client's ward: a GUARDIAN link read from the guardian's side."
    ),
    _Type.GRANDCHILD: (
        "The linked client is the client's grandchild: a GRANDPARENT link read from the "
        "grandparent's side."
    ),
    _Type.OTHER: "Any other tie.",
})


@strawberry.type(description="What one client of a link may do on behalf of the other.")
class LinkPermissions:
    book_and_manage_appointments: bool = strawberry.field(
        description="See, book, move and cancel the other's sessions.",
    )
    complete_intake_forms: bool = strawberry.field(
        description="Receive the other's form requests, see their pending forms and fill them in.",
    )
    receive_notification_copies: bool = strawberry.field(
        description=(
            "Receive copies of the other's session emails; invoices suggest this client's "
            "address."
        ),
    )
    use_package_credits: bool = strawberry.field(
        name="usePackageSessions",
        description="Pay for own sessions with credits from the other's packages.",
    )

    @classmethod
    def from_domain(cls, can: domain.LinkPermissions) -> LinkPermissions:
        return cls(
            book_and_manage_appointments=can.book_and_manage_appointments,
            complete_intake_forms=can.complete_intake_forms,
            receive_notification_copies=can.receive_notification_copies,
            use_package_credits=can.use_package_credits,
        )


def may_see_link(viewer: Viewer | None, link: domain.ClientLink) -> bool:
    """The practice's staff, and the two linked clients themselves."""
    if viewer is None or link.practice_id != viewer.practice_id:
        return False
    return viewer.is_staff or (viewer.client_id is not None and link.involves(viewer.client_id))


@strawberry.type(description="One link between two clients; it reads the same from either side.")
class ClientLink(Node):
    id: strawberry.ID = strawberry.field(description="The link's global id.")
    type: LinkType = strawberry.field(  # type: ignore[valid-type]
        description="What linkedClient is to client: PARENT means linkedClient is client's "
        "parent. A label only."
    )
    linked_client_can: LinkPermissions = strawberry.field(
        description="What linkedClient may do on behalf of client."
    )
    client_can: LinkPermissions = strawberry.field(
        description="What client may do on behalf of linkedClient."
    )
    view: strawberry.Private[domain.LinkView]

    @classmethod
    def from_entity(cls, link: domain.ClientLink, side: object = None) -> ClientLink:
        """The link read from `side` (one of its clients' ids); as made, by default."""
        view = link.seen_from(side if side in (link.client_id, link.linked_client_id)
                              else link.client_id)  # type: ignore[arg-type]
        return cls(
            id=strawberry.ID(to_global_id("ClientLink", link.id)),
            type=view.type,
            linked_client_can=LinkPermissions.from_domain(view.linked_client_can),
            client_can=LinkPermissions.from_domain(view.client_can),
            view=view,
        )

    @strawberry.field(description="The client this side of the link is read from.")
    async def client(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.view.client_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)

    @strawberry.field(description="The other client of the link.")
    async def linked_client(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.view.linked_client_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)


@node_fetcher("ClientLink")
async def _link_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.links.link_by_id.load(item_id)
    if found is None or not may_see_link(ctx.viewer, found):
        return None
    side = ctx.viewer.client_id if not ctx.viewer.is_staff else None
    return ClientLink.from_entity(found, side)
