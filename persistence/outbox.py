"""The transactional outbox: events saved with the change, handed to the broker after commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.shared.events import Event
from persistence.tables import outbox

# A row dispatched this long ago and still undelivered is dispatched again: the broker
# may have lost it (an in-process broker that restarted, a worker killed mid-job). Actors
# make repeats harmless. OUTBOX_REDISPATCH_SECONDS sets it.
REDISPATCH_AFTER = timedelta(minutes=5)


def outbox_rows(events: Sequence[Event], now: datetime) -> list[dict[str, Any]]:
    return [
        {"id": uuid.uuid4(), "kind": e.kind, "payload": e.to_payload(), "created_at": now,
         "attempts": 0}
        for e in events
    ]


async def write(tx: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await tx.execute(insert(outbox), rows)


def _due(now: datetime, redispatch_after: timedelta = REDISPATCH_AFTER) -> Any:
    return and_(
        outbox.c.delivered_at.is_(None),
        or_(outbox.c.dispatched_at.is_(None), outbox.c.dispatched_at < now - redispatch_after),
    )


async def count_due(
    tx: AsyncSession, now: datetime, redispatch_after: timedelta = REDISPATCH_AFTER
) -> int:
    """Rows the relay would dispatch now (the sweep's dry run)."""
    found = await tx.scalar(
        select(func.count()).select_from(outbox).where(_due(now, redispatch_after)))
    return int(found or 0)


@dataclass(frozen=True)
class Backlog:
    """What the outbox holds undelivered, read in one statement (metrics, at each scrape)."""

    waiting: int
    oldest_created_at: datetime | None


async def backlog(tx: AsyncSession) -> Backlog:
    undelivered = outbox.c.delivered_at.is_(None)
    row = (await tx.execute(
        select(func.count(), func.min(outbox.c.created_at)).where(undelivered))).one()
    return Backlog(waiting=int(row[0] or 0), oldest_created_at=row[1])


async def claim(
    tx: AsyncSession, now: datetime, *, ids: Sequence[uuid.UUID] | None = None,
    limit: int = 500, redispatch_after: timedelta = REDISPATCH_AFTER,
) -> list[uuid.UUID]:
    """Mark due rows dispatched and return their ids; a concurrent claimer gets the others."""
    due = _due(now, redispatch_after)
    candidates = select(outbox.c.id).where(due).order_by(outbox.c.created_at).limit(limit)
    if ids is not None:
        candidates = candidates.where(outbox.c.id.in_(ids))
    result = await tx.execute(
        update(outbox)
        .where(outbox.c.id.in_(candidates.scalar_subquery()), due)
        .values(dispatched_at=now)
        .returning(outbox.c.id)
    )
    return list(result.scalars())


async def load(tx: AsyncSession, outbox_id: uuid.UUID) -> Any:
    result = await tx.execute(select(outbox).where(outbox.c.id == outbox_id))
    return result.one_or_none()


async def mark_delivered(tx: AsyncSession, outbox_id: uuid.UUID, now: datetime) -> None:
    await tx.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id, outbox.c.delivered_at.is_(None))
        .values(delivered_at=now, attempts=outbox.c.attempts + 1, last_error=None)
    )


async def mark_failed(
    tx: AsyncSession, outbox_id: uuid.UUID, error: str
) -> None:
    await tx.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id)
        .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
    )
