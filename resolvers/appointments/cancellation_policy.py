"""setCancellationPolicy: the owner sets the practice's cancellation fee tiers. Sessions
booked before keep the tiers they were booked under; sessions booked from now on take these."""

from __future__ import annotations

from decimal import Decimal

from domain.accounts.practice import Practice, ensure_owner
from domain.appointments.fee_tiers import fee_policy
from resolvers.shared.context import RequestContext


async def set_cancellation_policy(
    ctx: RequestContext, tiers: list[tuple[int, Decimal]]
) -> Practice:
    viewer = ctx.staff()
    ensure_owner(viewer.role)
    policy = fee_policy(tiers)
    async with ctx.unit_of_work() as uow:
        practice = await uow.practices.get(viewer.practice_id)
        assert practice is not None
        practice.set_cancellation_policy(policy)
        await uow.commit()
    return practice
