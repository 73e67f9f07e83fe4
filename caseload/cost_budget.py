"""The query cost budget each caller spends (schema.shared.cost): a moving window from the
`limits` library, in Redis when REDIS_URL is set (every server process shares it) and in
this process otherwise."""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from caseload.ratelimit import Limit
from schema.shared.cost import Throttle


class WindowCostBudget:
    def __init__(self, limit: Limit, redis_url: str | None, namespace: str) -> None:
        self.item = RateLimitItemPerSecond(limit.requests, limit.window_seconds)
        self.restore = round(limit.requests / limit.window_seconds, 2)
        uri = f"async+{redis_url}" if redis_url else "async+memory://"
        options = {"implementation": "redispy", "key_prefix": f"{namespace}:cost"} if (
            redis_url) else {}
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri, **options))

    async def left(self, key: str) -> Throttle:
        stats = await self.limiter.get_window_stats(self.item, key)
        return Throttle(self.item.amount, stats.remaining, self.restore)

    async def spend(self, key: str, cost: int) -> Throttle:
        left = (await self.left(key)).left
        if cost > 0 and left > 0:
            # An answer dearer than what is left spends it all: the next request waits.
            await self.limiter.hit(self.item, key, cost=min(cost, left))
        return await self.left(key)
