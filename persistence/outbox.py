"""The transactional outbox: events saved with the change, handed to the broker after commit.

The relay alone retries a row (Dramatiq does not): each hand-over to the broker counts as an
attempt and sets when the row is due again if it is still undelivered then, whether the broker
lost the message (Redis restarted empty, a worker killed mid-job) or the job failed (SMTP
down). The wait doubles from `redispatch_after` up to `longest_wait`; after `max_attempts` the
row is given up: kept, counted (`health`), listed and retried by `caseload outbox`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.shared.events import Event
from persistence.tables import outbox
from persistence.types import UtcDateTime

REDISPATCH_AFTER = timedelta(seconds=30)  # OUTBOX_REDISPATCH_SECONDS
MAX_ATTEMPTS = 10  # OUTBOX_MAX_ATTEMPTS
LONGEST_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class RetryPolicy:
    redispatch_after: timedelta = REDISPATCH_AFTER
    max_attempts: int = MAX_ATTEMPTS
    longest_wait: timedelta = LONGEST_WAIT

    def wait_after(self, attempts: int) -> timedelta:
        """How long after its `attempts`-th hand-over an undelivered row is due again."""
        return min(self.redispatch_after * 2 ** max(attempts - 1, 0), self.longest_wait)


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class OutboxHealth:
    """For /metrics: rows still to deliver, how long the oldest has waited, rows given up."""

    waiting: int
    oldest_waiting_seconds: float | None
    given_up: int


def outbox_rows(
    events: Sequence[Event], now: datetime, *, claimed: RetryPolicy | None = None
) -> list[dict[str, Any]]:
    """`claimed`: the rows are written already claimed, as `claim` would, by a committer that
    hands them to the broker itself (one transaction fewer); if that hand-over is lost they
    are due again after the policy's first wait."""
    claim = ({"attempts": 1, "dispatched_at": now, "next_attempt_at": now + claimed.wait_after(1)}
             if claimed is not None else {"attempts": 0})
    return [
        {"id": uuid.uuid4(), "kind": e.kind, "payload": e.to_payload(), "created_at": now,
         **claim}
        for e in events
    ]


async def write(tx: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await tx.execute(insert(outbox), rows)


def _due(now: datetime, policy: RetryPolicy) -> Any:
    return and_(
        outbox.c.delivered_at.is_(None),
        outbox.c.attempts < policy.max_attempts,
        or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
    )


def _given_up(now: datetime, policy: RetryPolicy) -> Any:
    """Out of attempts, and the last one's wait is over."""
    return and_(
        outbox.c.delivered_at.is_(None),
        outbox.c.attempts >= policy.max_attempts,
        or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
    )


def _next_attempt_at(now: datetime, policy: RetryPolicy) -> Any:
    """When a row handed over now is due again: one case per attempt, as the wait grows."""
    whens = [(outbox.c.attempts == done, literal(now + policy.wait_after(done + 1), UtcDateTime))
             for done in range(policy.max_attempts)]
    return case(*whens, else_=literal(now + policy.longest_wait, UtcDateTime))


async def count_due(tx: AsyncSession, now: datetime, policy: RetryPolicy = DEFAULT_POLICY) -> int:
    """Rows the relay would dispatch now (the sweep's dry run)."""
    found = await tx.scalar(select(func.count()).select_from(outbox).where(_due(now, policy)))
    return int(found or 0)


async def claim(
    tx: AsyncSession, now: datetime, *, ids: Sequence[uuid.UUID] | None = None,
    limit: int = 500, policy: RetryPolicy = DEFAULT_POLICY,
) -> list[uuid.UUID]:
    """Mark due rows dispatched (one attempt more) and return their ids; a concurrent
    claimer gets the others."""
    due = _due(now, policy)
    candidates = select(outbox.c.id).where(due).order_by(outbox.c.created_at).limit(limit)
    if ids is not None:
        candidates = candidates.where(outbox.c.id.in_(ids))
    result = await tx.execute(
        update(outbox)
        .where(outbox.c.id.in_(candidates.scalar_subquery()), due)
        .values(dispatched_at=now, attempts=outbox.c.attempts + 1,
                next_attempt_at=_next_attempt_at(now, policy))
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
        .values(delivered_at=now, last_error=None)
    )


async def mark_failed(tx: AsyncSession, outbox_id: uuid.UUID, error: str) -> None:
    """The relay hands the row over again when its wait is over."""
    await tx.execute(
        update(outbox).where(outbox.c.id == outbox_id).values(last_error=error[:2000]))


async def health(
    tx: AsyncSession, now: datetime, policy: RetryPolicy = DEFAULT_POLICY
) -> OutboxHealth:
    undelivered = outbox.c.delivered_at.is_(None)
    out = _given_up(now, policy)
    row = (await tx.execute(
        select(
            func.count().filter(undelivered, ~out),
            func.min(outbox.c.created_at).filter(undelivered, ~out),
            func.count().filter(out),
        ).select_from(outbox).where(undelivered)
    )).one()
    oldest = (now - row[1]).total_seconds() if row[1] is not None else None
    return OutboxHealth(int(row[0]), oldest, int(row[2]))


async def given_up(
    tx: AsyncSession, now: datetime, policy: RetryPolicy = DEFAULT_POLICY, *, limit: int = 100,
) -> list[Any]:
    """The rows given up, oldest first: id, kind, created_at, attempts, last_error."""
    result = await tx.execute(
        select(outbox.c.id, outbox.c.kind, outbox.c.created_at, outbox.c.attempts,
               outbox.c.last_error)
        .where(_given_up(now, policy)).order_by(outbox.c.created_at).limit(limit))
    return list(result)


async def reset(
    tx: AsyncSession, now: datetime, policy: RetryPolicy = DEFAULT_POLICY, *,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """Give rows their attempts back and make them due at once: the given-up rows, or the
    undelivered rows among `ids`. Returns the ids reset."""
    where = (_given_up(now, policy) if ids is None
             else and_(outbox.c.delivered_at.is_(None), outbox.c.id.in_(ids)))
    result = await tx.execute(
        update(outbox).where(where).values(attempts=0, next_attempt_at=None)
        .returning(outbox.c.id))
    return list(result.scalars())
