"""Request budgets as a port: the composition root supplies the storage (Redis or this
process); use cases such as sign-in count against a budget of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Counter

RATE_LIMIT_REFUSALS = Counter(
    "caseload_rate_limit_refusals_total",
    "Requests or operations refused by a limit: anonymous, signed_in, publishable_key "
    "(requests over a budget), query_cost (THROTTLED), sign_in (paused after failures)",
    ["limit"])


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


DEFAULT_SIGN_IN_FAILURES = Limit(5, 900)


class BudgetUnavailable(Exception):
    """The budget cannot be counted now (its shared storage is down) and is set to refuse
    rather than count in this process; `retry_after` seconds until it is tried again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"request budgets unavailable; retry in {retry_after}s")
        self.retry_after = retry_after


class RateLimiter(Protocol):
    async def hit(self, bucket: str, limit: Limit, cost: int = 1) -> int | None:
        """Count `cost` requests; None if they may go ahead, else seconds until they may
        (a refused hit counts nothing)."""
        ...

    async def wait(self, bucket: str, limit: Limit) -> int | None:
        """Without counting: None if one more may go ahead, else seconds until it may."""
        ...
