"""The outbox relay: claim undelivered rows and hand their ids to the broker. It is the one
owner of retries (see persistence.outbox): a row is handed over again when its wait is over,
however the earlier attempt was lost or failed."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from persistence import outbox
from persistence.database import Database
from persistence.outbox import RetryPolicy

logger = logging.getLogger("caseload.relay")

Send = Callable[[list[uuid.UUID]], None]


async def relay(
    db: Database, now: datetime, send: Send, policy: RetryPolicy = outbox.DEFAULT_POLICY, *,
    ids: Sequence[uuid.UUID] | None = None,
) -> int:
    """Dispatch due outbox rows (only `ids`, when given); returns how many were sent.

    Rows are handed to the broker before the claim commits: a relay killed in between
    leaves them unclaimed for the next relay, and a failed send rolls the claim back (the
    attempt does not count). A claim committed after a send the broker then lost is due
    again after the policy's wait; actors make the repeat harmless.
    """
    total = 0
    while True:
        async with db.new_write_tx() as tx, tx.begin():
            claimed = await outbox.claim(tx, now, ids=ids, policy=policy)
            if claimed:
                await asyncio.to_thread(send, claimed)
        if not claimed:
            return total
        total += len(claimed)
        if ids is not None:
            return total
