"""Request limits at the HTTP edge: a fixed window per bucket, kept in Redis when it is set
(so every server process shares the count) and in this process otherwise."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    requests: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """"60/60" is 60 requests a minute."""
        requests, _, seconds = text.partition("/")
        limit = cls(int(requests), int(seconds or 60))
        if limit.requests < 1 or limit.window_seconds < 1:
            raise ValueError(f"a rate limit is REQUESTS/SECONDS, both positive: {text!r}")
        return limit


class RateLimiter(Protocol):
    async def hit(self, bucket: str, limit: Limit) -> int | None:
        """Count one request; None if it may go ahead, else seconds until it may."""
        ...


def _window(limit: Limit, now: float) -> tuple[int, int]:
    index = int(now // limit.window_seconds)
    retry_after = max(1, math.ceil((index + 1) * limit.window_seconds - now))
    return index, retry_after


class InProcessRateLimiter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = asyncio.Lock()

    async def hit(self, bucket: str, limit: Limit) -> int | None:
        index, retry_after = _window(limit, time.time())
        async with self._lock:
            if len(self._counts) > 50_000:  # forget finished windows now and then
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= index}
            count = self._counts.get((bucket, index), 0) + 1
            self._counts[(bucket, index)] = count
        return None if count <= limit.requests else retry_after


class RedisRateLimiter:
    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio

        self._redis = redis.asyncio.Redis.from_url(url)
        self._namespace = namespace

    async def hit(self, bucket: str, limit: Limit) -> int | None:
        index, retry_after = _window(limit, time.time())
        key = f"{self._namespace}:ratelimit:{bucket}:{index}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, limit.window_seconds + 1, nx=True)
            count, _ = await pipe.execute()
        return None if int(count) <= limit.requests else retry_after
