"""The cost budget's own arithmetic, on the in-process limiter: a request that read what was
left at its start and spends at its end."""

from __future__ import annotations

import asyncio

from limits.aio.storage import MemoryStorage

from caseload.cost_budget import WindowCostBudget
from caseload.ratelimit import Limit, WindowRateLimiter

BUDGET = Limit(100, 3600)


def _budget() -> WindowCostBudget:
    return WindowCostBudget(WindowRateLimiter(MemoryStorage()), BUDGET)


def test_an_answer_spends_what_it_cost_from_what_was_read_at_the_start() -> None:
    async def scenario() -> tuple[int, int]:
        budget = _budget()
        # given a caller who has spent 30
        await budget.spend("a", 30)
        # when a request that read what was left spends 25
        before = await budget.left("a")
        after = await budget.spend("a", 25, before)
        # then it answers 45 left, and 45 are left
        return after.left, (await budget.left("a")).left

    assert asyncio.run(scenario()) == (45, 45)


def test_spending_by_others_meanwhile_caps_the_charge_at_what_is_really_left() -> None:
    async def scenario() -> tuple[int, int]:
        budget = _budget()
        # given a request that read 100 left
        before = await budget.left("a")
        # and, while it ran, other requests of the caller spent 90
        await budget.spend("a", 90)
        # when it spends 40
        after = await budget.spend("a", 40, before)
        # then it takes the 10 that were left, not 40, and says none are left
        return after.left, (await budget.left("a")).left

    assert asyncio.run(scenario()) == (0, 0)


def test_a_free_answer_spends_nothing() -> None:
    async def scenario() -> int:
        budget = _budget()
        before = await budget.left("a")
        await budget.spend("a", 0, before)
        return (await budget.left("a")).left

    assert asyncio.run(scenario()) == 100
