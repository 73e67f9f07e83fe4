"""Live updates for dashboards: the events one signed-in viewer is offered (its practice's;
what of each it may read is decided by the subject's own node rule, as in a query)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.live import LiveEvent
from resolvers.shared.context import RequestContext


async def practice_events(ctx: RequestContext) -> AsyncIterator[LiveEvent | None]:
    """None first, once listening (from then on nothing is missed), then the events of the
    viewer's practice, each with a fresh instant and fresh loaders: a subscription lives
    long, and what a loader cached for one event must not answer for the next."""
    viewer = ctx.signed_in()
    feed = ctx.services.live
    if feed is None:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Live updates are not available here.")
    practice_id = str(viewer.practice_id)
    async with feed.listen() as events:
        yield None
        async for event in events:
            if event.practice_id == practice_id:
                ctx.refresh()
                yield event
