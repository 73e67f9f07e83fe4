"""The cost budget's own arithmetic, on the in-process limiter: a request that read what was
left at its start and spends at its end."""

from __future__ import annotations

import asyncio

from limits.aio.storage import MemoryStorage

from caseload.cost_budget import WindowCostBudget
from caseload.ratelimit import Limit, WindowRateLimiter

BUDGET = Limit(100, 3600)


def _budget(storage: MemoryStorage | None = None, limit: Limit = BUDGET) -> WindowCostBudget:
    return WindowCostBudget(WindowRateLimiter(storage or MemoryStorage()), limit)


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


def test_a_caller_who_spends_the_whole_budget_is_kept_as_counters_not_an_entry_per_point() -> None:
    async def scenario() -> tuple[int, int, int]:
        storage = MemoryStorage()
        budget = _budget(storage, Limit(100_000, 60))
        # given a caller who spends the default budget in 100 dashboard-sized answers
        for _ in range(100):
            before = await budget.left("a")
            await budget.spend("a", 1_000, before)
        # then nothing is left, and a further answer is charged nothing
        after = await budget.spend("a", 1_000, await budget.left("a"))
        # and the storage holds counters, no list of entries
        entries = sum(len(events) for events in storage.events.values())
        return after.left, entries, len(storage.storage)

    left, entries, counters = asyncio.run(scenario())
    assert (left, entries) == (0, 0)
    assert 1 <= counters <= 2
