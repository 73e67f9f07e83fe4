"""A request's shared read transaction ends around each write, so what the request reads after
committing is what it committed (a SQLite reader keeps its first read's snapshot); a commit
whose rows are handed over right after writes them already claimed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select

from persistence.database import Database, ReadScope
from persistence.outbox import RetryPolicy
from persistence.tables import outbox, practices
from persistence.uow import UnitOfWork
from tests.platform.test_unit_of_work import NOW, add_flush_drop_commit, db_url

__all__ = ["db_url"]  # the fixture, shared with the unit of work's tests
POLICY = RetryPolicy(timedelta(seconds=30))


class HandOver:
    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    def claims(self) -> RetryPolicy:
        return POLICY

    async def __call__(self, outbox_ids: list[uuid.UUID]) -> None:
        self.sent.extend(outbox_ids)


async def practice_names(scope: ReadScope) -> list[str]:
    async with scope.reading() as tx:
        return list((await tx.execute(select(practices.c.name))).scalars())


def test_reads_after_a_write_in_the_same_request_see_what_it_committed(db_url: str) -> None:
    async def scenario() -> tuple[list[str], list[str], str]:
        db = Database(db_url)
        try:
            # given a practice on file, read once in a request's read transaction
            await add_flush_drop_commit(db)
            scope = ReadScope(db)
            before = await practice_names(scope)
            # when the request renames it in a unit of work of its own
            async with UnitOfWork(db, NOW, read_scope=scope) as uow:
                [practice_id] = [p for p in (await uow.tx.execute(select(practices.c.id)))
                                 .scalars()]
                practice = await uow.practices.get(practice_id)
                assert practice is not None
                practice.name = "Calm Rooms Renamed"
                await uow.commit()
            # then its later reads, and its read-only work, see the new name
            after = await practice_names(scope)
            async with UnitOfWork(db, NOW, read_only=True, read_scope=scope) as reading:
                again = await reading.practices.get(practice_id)
            await scope.release()
            assert again is not None
            return before, after, again.name
        finally:
            await db.dispose()

    assert asyncio.run(scenario()) == (
        ["Calm Rooms"], ["Calm Rooms Renamed"], "Calm Rooms Renamed")


def test_rows_handed_over_after_commit_are_written_claimed_and_others_unclaimed(
    db_url: str,
) -> None:
    async def scenario() -> tuple[list[tuple[object, ...]], list[uuid.UUID]]:
        db = Database(db_url)
        try:
            # given one commit handed over after commit and one left for the relay
            hand_over = HandOver()
            await add_flush_drop_commit(db, after_commit=hand_over)
            await add_flush_drop_commit(db)
            async with db.reading() as tx:
                rows = (await tx.execute(
                    select(outbox.c.id, outbox.c.attempts, outbox.c.dispatched_at,
                           outbox.c.next_attempt_at).order_by(outbox.c.attempts.desc()))).all()
            return [tuple(r) for r in rows], hand_over.sent
        finally:
            await db.dispose()

    rows, sent = asyncio.run(scenario())
    # then the first is claimed by its hand-over, due again after the first wait, and sent;
    # the second waits unclaimed for the relay
    assert [r[1:] for r in rows] == [(1, NOW, NOW + timedelta(seconds=30)), (0, None, None)]
    assert sent == [rows[0][0]]
