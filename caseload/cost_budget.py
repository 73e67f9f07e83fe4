"""The query cost budget each caller spends (schema.shared.cost): a sliding window of two
counters on the request budgets' storage (in Redis when REDIS_URL is set, so every server
process shares it; in this process otherwise, and while Redis does not answer), in buckets of
its own. Points spent in the last window count in full, those of the window before it
fade out linearly: the budget restores at a steady rate, and a caller costs two counters
however much it spends (a moving window keeps one entry per point)."""

from __future__ import annotations

from caseload.ratelimit import Limit, WindowRateLimiter
from schema.shared.cost import Throttle


class WindowCostBudget:
    def __init__(self, limiter: WindowRateLimiter, limit: Limit) -> None:
        self.limiter = limiter
        self.limit = limit
        self.restore = round(limit.requests / limit.window_seconds, 2)

    async def left(self, key: str) -> Throttle:
        left = await self.limiter.remaining(f"cost:{key}", self.limit, counted=True)
        return Throttle(self.limit.requests, left, self.restore)

    async def spend(self, key: str, cost: int, known: Throttle | None = None) -> Throttle:
        if known is not None and cost <= 0:
            return known
        if known is not None and known.left > 0:
            # One round trip instead of three; the answer reports what this request's own
            # reading leaves. A hit refused means others spent meanwhile: read it again.
            spent = min(cost, known.left)
            if await self.limiter.hit(f"cost:{key}", self.limit, cost=spent, counted=True) is None:
                return Throttle(self.limit.requests, known.left - spent, self.restore)
        left = (await self.left(key)).left
        if cost > 0 and left > 0:
            # An answer dearer than what is left spends it all: the next request waits.
            await self.limiter.hit(f"cost:{key}", self.limit, cost=min(cost, left), counted=True)
        return await self.left(key)
