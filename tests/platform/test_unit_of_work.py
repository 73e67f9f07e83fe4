"""The unit of work: the events of every aggregate it was given or loaded reach the outbox,
even when the use case dropped its last reference before commit."""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.accounts.practice import PracticeRegistered
from domain.accounts.registration import request_registration
from persistence.database import Database
from persistence.tables import outbox, practices
from persistence.uow import AfterCommit, UnitOfWork
from tests.support.databases import drop_database, prepare_database

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    url = prepare_database(os.environ.get("DATABASE_URL"), tmp_path, name="uow")
    yield url
    drop_database(url)


def new_practice() -> tuple[object, ...]:
    # sign-up's own rules: a checked registration, then the practice its link opens
    return request_registration(
        practice_name="Calm Rooms", name="Ada Owner", email=f"{uuid.uuid4().hex}@example.com",
        password="a long enough password", timezone="Europe/London", currency="GBP",
        appointment_price=None, hash_password=lambda _: "hash", token_hash_for=lambda _: "",
        now=NOW,
    ).open_practice(NOW)


async def outbox_kinds(db: Database) -> list[str]:
    async with db.reading() as tx:
        return list((await tx.execute(select(outbox.c.kind))).scalars())


async def add_flush_drop_commit(db: Database, after_commit: AfterCommit | None = None) -> None:
    async with UnitOfWork(db, NOW, after_commit=after_commit) as uow:
        practice, owner, account, membership = new_practice()
        uow.practices.add(practice)  # type: ignore[arg-type]
        uow.practitioners.add(owner)  # type: ignore[arg-type]
        await uow.flush()
        uow.accounts.add(account)  # type: ignore[arg-type]
        await uow.flush()
        uow.memberships.add(membership)  # type: ignore[arg-type]
        await uow.flush()
        del practice, owner, account, membership
        gc.collect()
        await uow.commit()


async def load_record_drop_commit(db: Database, practice_id: uuid.UUID) -> None:
    async with UnitOfWork(db, NOW) as uow:
        practice = await uow.practices.get(practice_id)
        assert practice is not None and practice.owner_id is not None
        practice.record(PracticeRegistered(practice.id, practice.owner_id))
        await uow.flush()
        del practice
        gc.collect()
        await uow.commit()


def test_events_of_an_added_aggregate_survive_a_dropped_reference(db_url: str) -> None:
    async def scenario() -> list[str]:
        db = Database(db_url)
        try:
            # given a use case that adds a practice, flushes and drops every reference to it
            await add_flush_drop_commit(db)
            # then its event became an outbox row all the same
            return await outbox_kinds(db)
        finally:
            await db.dispose()
    assert asyncio.run(scenario()) == ["PracticeRegistered"]


def test_events_of_a_loaded_aggregate_survive_a_dropped_reference(db_url: str) -> None:
    async def scenario() -> tuple[int, int]:
        db = Database(db_url)
        try:
            # given a practice on file
            await add_flush_drop_commit(db)
            before = len(await outbox_kinds(db))
            async with db.reading() as tx:
                practice_id = (await tx.execute(select(practices.c.id))).scalar_one()
            # when a use case loads it, records an event and lets go of it before commit
            await load_record_drop_commit(db, practice_id)
            return before, len(await outbox_kinds(db))
        finally:
            await db.dispose()
    # then the event is not lost with the object
    assert asyncio.run(scenario()) == (1, 2)
