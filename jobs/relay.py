"""The outbox relay: claim undelivered rows and hand their ids to the broker."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from persistence import outbox
from persistence.database import Database

logger = logging.getLogger("caseload.relay")

Send = Callable[[list[uuid.UUID]], None]


async def relay(
    db: Database, now: datetime, send: Send, *, ids: Sequence[uuid.UUID] | None = None
) -> int:
    """Dispatch due outbox rows (only `ids`, when given); returns how many were sent.

    Claiming commits before sending: if the send fails, the rows are redispatched after
    REDISPATCH_AFTER by a later sweep, so nothing is lost.
    """
    total = 0
    while True:
        async with db.new_write_tx() as tx, tx.begin():
            claimed = await outbox.claim(tx, now, ids=ids)
        if not claimed:
            return total
        await asyncio.to_thread(send, claimed)
        total += len(claimed)
        if ids is not None:
            return total
