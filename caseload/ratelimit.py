"""Request budgets on the `limits` library: a moving window per bucket (exact: N requests in
any window of the limit's length), kept in Redis when it is set, so every server process
shares the count, and in this process otherwise."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from resolvers.shared.limits import Limit, RateLimiter

__all__ = ["Limit", "RateLimiter", "WindowRateLimiter", "make_rate_limiter"]


class WindowRateLimiter:
    def __init__(self, storage: Storage) -> None:
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, bucket: str, limit: Limit, cost: int = 1) -> int | None:
        item = _item(limit)
        if await self._strategy.hit(item, bucket, cost=cost):
            return None
        return await self._retry_after(bucket, limit)

    async def remaining(self, bucket: str, limit: Limit) -> int:
        return int((await self._strategy.get_window_stats(_item(limit), bucket)).remaining)

    async def wait(self, bucket: str, limit: Limit) -> int | None:
        if await self._strategy.test(_item(limit), bucket):
            return None
        return await self._retry_after(bucket, limit)

    async def _retry_after(self, bucket: str, limit: Limit) -> int:
        stats = await self._strategy.get_window_stats(_item(limit), bucket)
        return max(1, math.ceil(stats.reset_time - time.time()))


def _item(limit: Limit) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(limit.requests, limit.window_seconds)


def make_rate_limiter(redis_url: str | None, namespace: str) -> WindowRateLimiter:
    if redis_url:
        return WindowRateLimiter(RedisStorage(
            f"async+{redis_url}", implementation="redispy", key_prefix=f"{namespace}:ratelimit",
        ))
    return WindowRateLimiter(MemoryStorage())
