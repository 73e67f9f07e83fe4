"""A page of clients, or of relationships, with what its fields are asked for loaded ahead, one
batch per loader and level (see schema.shared.prefetch)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

from domain.clients.clients import Client
from domain.clients.relationships import Relationship
from resolvers.shared.context import RequestContext
from schema.shared.prefetch import Selection


async def prefetch_clients(
    ctx: RequestContext, clients: Sequence[Client], asked: Selection | None
) -> None:
    if asked is None or not clients:
        return
    loaders = ctx.loaders
    ids = list(dict.fromkeys(c.id for c in clients))
    loads: list[Awaitable[Any]] = []
    if "isActive" in asked or "relationships" in asked:
        loads.append(loaders.relationships_by_client_id.load_many(ids))
    if "paymentMethod" in asked:
        loads.append(loaders.payment_method_by_client_id.load_many(ids))
    await asyncio.gather(*loads)
    below = asked.at("relationships")
    if below is not None:
        found = await loaders.relationships_by_client_id.load_many(ids)
        await prefetch_relationships(ctx, [r for group in found for r in group], below)


async def prefetch_relationships(
    ctx: RequestContext, relationships: Sequence[Relationship], asked: Selection | None
) -> None:
    if asked is None or not relationships:
        return
    loaders = ctx.loaders
    people = [*(c for r in relationships for c in r.client_ids if "clients" in asked),
              *(r.payer_id for r in relationships if "payer" in asked)]
    loads: list[Awaitable[Any]] = []
    if "practitioner" in asked:
        loads.append(loaders.practitioner_by_id.load_many(
            list(dict.fromkeys(r.practitioner_id for r in relationships))))
    if people:
        loads.append(loaders.client_by_id.load_many(list(dict.fromkeys(people))))
    await asyncio.gather(*loads)
    if people:
        found = await loaders.client_by_id.load_many(list(dict.fromkeys(people)))
        below = Selection.merged(asked.at("clients"), asked.at("payer"))
        await prefetch_clients(ctx, [c for c in found if c is not None], below)
