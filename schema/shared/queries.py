"""Query fields of the foundation: node and viewer."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.types import Viewer
from schema.shared.common import Node, context
from schema.shared.ids import from_global_id
from schema.shared.nodes import fetch_node


@strawberry.type
class CoreQueries:
    @strawberry.field(
        description=(
            "The item with this global id, of any Node type; null when there is none or the viewer "
            "may not see it (another practice's, or not theirs)."
        ),
    )
    async def node(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id, as some item's `id` field answered it."),
        ],
    ) -> Node | None:
        decoded = from_global_id(str(id))
        if decoded is None:
            return None
        return await fetch_node(context(info), *decoded)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Who signs in with the request's Bearer token; null without a token.",
    )
    def viewer(self, info: strawberry.Info) -> Viewer | None:
        signed_in = context(info).viewer
        return Viewer.of(signed_in) if signed_in else None
