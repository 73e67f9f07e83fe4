"""Email delivery records: one per outbox row, template and recipient.

The record is written before the SMTP transaction starts and marked sent once it ended. A
record left unmarked is in doubt: the worker died in between, and the recipient may or may
not have the email. It is sent again with the same Message-ID, so a crash costs at most one
repeat of that one message, which mail systems can recognise and fold.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.tables import email_deliveries as d


class Delivery(Enum):
    NEW = "new"  # never tried
    IN_DOUBT = "in doubt"  # tried, and no record that the SMTP transaction ended
    SENT = "sent"


def _key(outbox_id: uuid.UUID, recipient: str, template: str) -> tuple[Any, ...]:
    return (d.c.outbox_id == outbox_id, d.c.recipient == recipient, d.c.template == template)


async def begin(
    tx: AsyncSession, outbox_id: uuid.UUID, recipient: str, template: str, *,
    practice_id: uuid.UUID | None, message_id: str, now: datetime,
) -> Delivery:
    """Record an attempt about to start, and answer what earlier attempts left."""
    key = _key(outbox_id, recipient, template)
    found = (await tx.execute(select(d.c.sent_at).where(*key))).first()
    if found is None:
        try:
            async with tx.begin_nested():
                await tx.execute(insert(d).values(
                    outbox_id=outbox_id, recipient=recipient, template=template,
                    practice_id=practice_id, message_id=message_id, started_at=now))
            return Delivery.NEW
        except IntegrityError:  # another attempt started it a moment ago
            return Delivery.IN_DOUBT
    if found.sent_at is not None:
        return Delivery.SENT
    await tx.execute(update(d).where(*key).values(started_at=now, message_id=message_id))
    return Delivery.IN_DOUBT


async def mark_sent(
    tx: AsyncSession, outbox_id: uuid.UUID, recipient: str, template: str, now: datetime
) -> None:
    await tx.execute(update(d).where(*_key(outbox_id, recipient, template)).values(sent_at=now))
