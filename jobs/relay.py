"""The outbox relay: claim undelivered rows and hand their ids to the broker."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from persistence import outbox
from persistence.database import Database

logger = logging.getLogger("caseload.relay")

Send = Callable[[list[uuid.UUID]], None]


async def relay(
    db: Database, now: datetime, send: Send, *, ids: Sequence[uuid.UUID] | None = None,
    redispatch_after: timedelta = outbox.REDISPATCH_AFTER,
) -> int:
    """Dispatch due outbox rows (only `ids`, when given); returns how many were sent.

    Rows are handed to the broker before the claim commits: a relay killed in between
    leaves them unclaimed for the next relay, and a failed send rolls the claim back. A
    claim committed after a send the broker then lost is redispatched `redispatch_after`
    later; actors make the repeat harmless.
    """
    total = 0
    while True:
        async with db.new_write_tx() as tx, tx.begin():
            claimed = await outbox.claim(tx, now, ids=ids, redispatch_after=redispatch_after)
            if claimed:
                await asyncio.to_thread(send, claimed)
        if not claimed:
            return total
        total += len(claimed)
        if ids is not None:
            return total
