"""The outbox's retry rule, on a database of the test's own at chosen instants: a row is due
at once, then `redispatch_after` after each hand-over, the wait doubling up to the longest;
after the last attempt's wait it is given up, counted, and given its attempts back on retry."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import outbox
from persistence.database import Database
from persistence.outbox import OutboxHealth, RetryPolicy
from tests.support.databases import drop_database, prepare_database

T = TypeVar("T")
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(timedelta(seconds=30), max_attempts=4, longest_wait=timedelta(minutes=1))


def row() -> dict[str, Any]:
    return {"id": uuid.uuid4(), "kind": "Nudged", "payload": {}, "created_at": START,
            "attempts": 0}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = prepare_database(os.environ.get("DATABASE_URL"), tmp_path, name="outbox")
    database = Database(url, pool_size=1)
    yield database
    asyncio.run(database.dispose())
    drop_database(url)


def run(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def inside() -> T:
        try:
            async with db.new_write_tx() as tx, tx.begin():
                return await work(tx)
        finally:
            await db.dispose()  # the next asyncio.run is another event loop

    return asyncio.run(inside())


def claim_at(db: Database, seconds: float) -> int:
    now = START + timedelta(seconds=seconds)
    return len(run(db, lambda tx: outbox.claim(tx, now, policy=POLICY)))


def health_at(db: Database, seconds: float) -> OutboxHealth:
    now = START + timedelta(seconds=seconds)
    return run(db, lambda tx: outbox.health(tx, now, POLICY))


def test_a_row_is_handed_over_again_after_a_growing_wait_then_given_up_and_kept(
    db: Database,
) -> None:
    # given one undelivered row, written at START
    run(db, lambda tx: outbox.write(tx, [row()]))

    # when the relay looks again and again; then it hands the row over at once, 30 s after
    # that, 60 s after that, and then after the longest wait (a minute), four times in all
    assert [claim_at(db, s) for s in (0, 29, 30, 89, 90, 149, 150)] == [1, 0, 1, 0, 1, 0, 1]
    assert health_at(db, 150) == OutboxHealth(waiting=1, oldest_waiting_seconds=150,
                                              given_up=0)
    # and once the last attempt's wait is over, never again: the row is given up, and kept
    assert claim_at(db, 210) == 0
    assert claim_at(db, 10_000) == 0
    assert health_at(db, 210) == OutboxHealth(waiting=0, oldest_waiting_seconds=None,
                                              given_up=1)
    [kept] = run(db, lambda tx: outbox.given_up(tx, START + timedelta(seconds=210), POLICY))
    assert (kept.kind, kept.attempts) == ("Nudged", 4)

    # when the operator retries it; then it has its attempts back and is due at once
    later = START + timedelta(seconds=300)
    assert run(db, lambda tx: outbox.reset(tx, later, POLICY)) == [kept.id]
    assert claim_at(db, 300) == 1
    assert health_at(db, 300) == OutboxHealth(waiting=1, oldest_waiting_seconds=300,
                                              given_up=0)


def test_a_delivered_row_is_neither_waiting_nor_given_up_nor_retried(db: Database) -> None:
    # given a row handed over and delivered
    written = row()
    run(db, lambda tx: outbox.write(tx, [written]))
    assert claim_at(db, 0) == 1
    run(db, lambda tx: outbox.mark_delivered(tx, written["id"], START))

    # then nothing counts it, no relay hands it over, and a retry of its id does nothing
    assert health_at(db, 3600) == OutboxHealth(waiting=0, oldest_waiting_seconds=None,
                                               given_up=0)
    assert claim_at(db, 3600) == 0
    later = START + timedelta(hours=1)
    assert run(db, lambda tx: outbox.reset(tx, later, POLICY, ids=[written["id"]])) == []
