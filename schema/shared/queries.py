"""Query fields of the foundation: node and viewer."""

from __future__ import annotations

import strawberry

from schema.accounts.types import Viewer
from schema.shared.common import Node, context
from schema.shared.ids import from_global_id
from schema.shared.nodes import fetch_node


@strawberry.type
class CoreQueries:
    @strawberry.field
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(str(id))
        if decoded is None:
            return None
        return await fetch_node(context(info), *decoded)  # type: ignore[no-any-return]

    @strawberry.field
    def viewer(self, info: strawberry.Info) -> Viewer | None:
        signed_in = context(info).viewer
        return Viewer.of(signed_in) if signed_in else None
