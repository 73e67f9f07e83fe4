"""`node(id:)`: each Node type registers how to fetch one of its kind for a viewer."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from resolvers.shared.context import RequestContext

NodeFetcher = Callable[[RequestContext, uuid.UUID], Awaitable[Any]]
_fetchers: dict[str, NodeFetcher] = {}


def node_fetcher(type_name: str) -> Callable[[NodeFetcher], NodeFetcher]:
    def register(fn: NodeFetcher) -> NodeFetcher:
        _fetchers[type_name] = fn
        return fn

    return register


async def fetch_node(ctx: RequestContext, type_name: str, item_id: uuid.UUID) -> Any:
    fetcher = _fetchers.get(type_name)
    return None if fetcher is None else await fetcher(ctx, item_id)
