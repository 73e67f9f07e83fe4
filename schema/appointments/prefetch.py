"""A root page of sessions with what its fields are asked for loaded ahead, one batch per
loader and level (see schema.shared.prefetch). Pages nested under another list are left to
their loaders: prefetching each would take a batch per parent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

import strawberry

from domain.appointments.appointments import Appointment
from resolvers.shared.context import RequestContext
from schema.clients.prefetch import prefetch_clients, prefetch_relationships
from schema.shared.common import context
from schema.shared.prefetch import Selection, selection

PEOPLE = ("attendees", "payer", "bookedBy")


async def prefetch_page(info: strawberry.Info, appointments: Sequence[Appointment]) -> None:
    await prefetch_appointments(context(info), appointments,
                                selection(info).at("edges", "node"))


async def prefetch_appointments(
    ctx: RequestContext, appointments: Sequence[Appointment], asked: Selection | None
) -> None:
    if asked is None or not appointments:
        return
    loaders = ctx.loaders
    relationship_ids = _unique(a.relationship_id for a in appointments)
    people = _unique([*(c for a in appointments for c in a.client_ids if "attendees" in asked),
                      *(a.payer_id for a in appointments if "payer" in asked),
                      *(a.booked_by_id for a in appointments if "bookedBy" in asked)])
    loads: list[Awaitable[Any]] = []
    if "relationship" in asked:
        loads.append(loaders.relationship_by_id.load_many(relationship_ids))
    if "practitioner" in asked:
        loads.append(loaders.practitioner_by_id.load_many(
            _unique(a.practitioner_id for a in appointments)))
    if people:
        loads.append(loaders.client_by_id.load_many(people))
    await asyncio.gather(*loads)
    if "relationship" in asked:
        found = await loaders.relationship_by_id.load_many(relationship_ids)
        await prefetch_relationships(ctx, [r for r in found if r is not None],
                                     asked.at("relationship"))
    if people:
        clients = await loaders.client_by_id.load_many(people)
        await prefetch_clients(ctx, [c for c in clients if c is not None],
                               Selection.merged(*(asked.at(name) for name in PEOPLE)))


def _unique(ids: Any) -> list[Any]:
    return [i for i in dict.fromkeys(ids) if i is not None]
