"""Request budgets on the `limits` library: a moving window per bucket (exact: N requests in
any window of the limit's length), kept in Redis when it is set, so every server process
shares the count, and in this process otherwise. Budgets of many points a request (query
cost) are `counted`: a sliding window of two counters, where a moving window would keep one
entry per point, up to the whole budget per caller.

While Redis does not answer, budgets are counted in this process instead (each process then
allows the whole budget on its own), or, for the buckets named to fail closed, refused; Redis
is tried again every few seconds and used as soon as it answers."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.aio.strategies import RateLimiter as Strategy
from limits.errors import StorageError

from resolvers.shared.limits import BudgetUnavailable, Limit, RateLimiter

__all__ = ["FallbackRateLimiter", "Limit", "RateLimiter", "WindowRateLimiter",
           "make_rate_limiter"]

logger = logging.getLogger("caseload.ratelimit")
T = TypeVar("T")
Use = Callable[[Strategy], Awaitable[T]]

RECHECK_SECONDS = 2.0  # while Redis is down, how often one request tries it again
WARN_EVERY_SECONDS = 60.0
REDIS_TIMEOUT_SECONDS = 0.5  # a Redis that does not answer costs a request at most this


class Strategies:
    """Both ways of counting, on one storage."""

    def __init__(self, storage: Storage) -> None:
        self.moving = MovingWindowRateLimiter(storage)
        self.counted = SlidingWindowCounterRateLimiter(storage)

    def get(self, counted: bool) -> Strategy:
        return self.counted if counted else self.moving


class WindowRateLimiter:
    def __init__(self, storage: Storage) -> None:
        self._strategies = Strategies(storage)

    async def hit(self, bucket: str, limit: Limit, cost: int = 1, *,
                  counted: bool = False) -> int | None:
        async def use(strategy: Strategy) -> int | None:
            if await strategy.hit(_item(limit), bucket, cost=cost):
                return None
            return await _retry_after(strategy, bucket, limit)

        return await self._use(bucket, use, counted)

    async def remaining(self, bucket: str, limit: Limit, *, counted: bool = False) -> int:
        async def use(strategy: Strategy) -> int:
            return int((await strategy.get_window_stats(_item(limit), bucket)).remaining)

        return await self._use(bucket, use, counted)

    async def wait(self, bucket: str, limit: Limit) -> int | None:
        async def use(strategy: Strategy) -> int | None:
            if await strategy.test(_item(limit), bucket):
                return None
            return await _retry_after(strategy, bucket, limit)

        return await self._use(bucket, use, False)

    async def _use(self, bucket: str, use: Use[T], counted: bool) -> T:
        return await use(self._strategies.get(counted))


class FallbackRateLimiter(WindowRateLimiter):
    """Redis's shared windows while Redis answers, this process's own while it does not.
    Buckets starting with one of `closed_for` are refused (BudgetUnavailable) instead."""

    def __init__(
        self, shared: Storage, *, closed_for: tuple[str, ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(shared)
        self._local = Strategies(MemoryStorage())
        self.closed_for = closed_for
        self._clock = clock
        self._down_until: float | None = None
        self._warned_at = -math.inf

    @property
    def redis_down(self) -> bool:
        return self._down_until is not None

    async def _use(self, bucket: str, use: Use[T], counted: bool) -> T:
        if self._down_until is None or self._clock() >= self._down_until:
            try:
                answer = await use(self._strategies.get(counted))
            except StorageError as error:
                self._went_down(error.storage_error)
            else:
                self._came_back()
                return answer
        if self.closed_for and bucket.startswith(self.closed_for):
            raise BudgetUnavailable(math.ceil(RECHECK_SECONDS))
        return await use(self._local.get(counted))

    def _went_down(self, error: Exception) -> None:
        now = self._clock()
        self._down_until = now + RECHECK_SECONDS
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning(
                "Redis does not answer for request budgets (%s: %s): counting %s in this "
                "process until it does (this warning repeats at most once a minute)",
                type(error).__name__, error,
                "signed-in callers" if self.closed_for else "every caller",
            )

    def _came_back(self) -> None:
        if self._down_until is not None:
            self._down_until = None
            logger.warning("Redis answers again: request budgets are shared again")


async def _retry_after(strategy: Strategy, bucket: str, limit: Limit) -> int:
    stats = await strategy.get_window_stats(_item(limit), bucket)
    return max(1, math.ceil(stats.reset_time - time.time()))


def _item(limit: Limit) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(limit.requests, limit.window_seconds)


# Callers without a verified account: the client address and publishable keys.
ANONYMOUS_BUCKETS = ("address:", "publishable-key:")


def make_rate_limiter(
    redis_url: str | None, namespace: str, *, refuse_anonymous_without_redis: bool = False,
) -> WindowRateLimiter:
    if redis_url:
        storage = RedisStorage(
            f"async+{redis_url}", implementation="redispy", wrap_exceptions=True,
            key_prefix=f"{namespace}:ratelimit", socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        closed = ANONYMOUS_BUCKETS if refuse_anonymous_without_redis else ()
        return FallbackRateLimiter(storage, closed_for=closed)
    return WindowRateLimiter(MemoryStorage())
