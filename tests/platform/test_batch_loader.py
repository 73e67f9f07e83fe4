"""The loaders' base: one batch per tick whatever the number of keys, answers in key order,
and a failed batch raises its error once, with nothing left unretrieved for asyncio to log."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from typing import Any

import pytest

from resolvers.shared.loader_base import BatchLoader


class Squares(BatchLoader[int, int]):
    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail
        self.batches: list[list[int]] = []

    async def _load(self, keys: Sequence[int]) -> list[int]:
        self.batches.append(list(keys))
        if self.fail:
            raise RuntimeError("the database went away")
        return [key * key for key in keys]


def test_keys_asked_together_load_in_one_batch_and_answer_in_their_order() -> None:
    async def scenario() -> tuple[list[int], int, list[list[int]]]:
        loader = Squares()
        many, one = await asyncio.gather(loader.load_many([3, 1, 2]), loader.load(4))
        again = await loader.load_many([1, 2])  # held: no second batch
        return many, one + sum(again), loader.batches

    assert asyncio.run(scenario()) == ([9, 1, 4], 16 + 5, [[3, 1, 2, 4]])


def test_a_failed_batch_raises_once_and_leaves_nothing_for_asyncio_to_log() -> None:
    logged: list[dict[str, Any]] = []

    async def fail_once() -> None:
        loader = Squares(fail=True)
        with pytest.raises(RuntimeError, match="went away"):
            await loader.load_many([1, 2, 3])

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: logged.append(ctx))
        await fail_once()
        await asyncio.sleep(0)
        gc.collect()  # an unretrieved exception is reported as its future goes

    asyncio.run(scenario())
    assert logged == []
