"""Process one outbox row: idempotent, so a repeat (retry, redispatch) sends nothing twice,
and a crash mid-send repeats at most that one message, under the same Message-ID."""

from __future__ import annotations

import logging
import uuid

from domain.shared.events import Event
from jobs.context import JobContext
from jobs.email import (  # noqa: F401  (each registers its handlers)
    accounts,
    appointments,
    intake_forms,
    invoices,
    sweep,
)
from jobs.email.adapters import Email, message_id
from jobs.email.handlers import HANDLERS, EmailIntent
from jobs.email.templates import render
from persistence import deliveries, outbox
from persistence.deliveries import Delivery

logger = logging.getLogger("caseload.jobs")


async def process_outbox_row(jc: JobContext, outbox_id: uuid.UUID) -> None:
    async with jc.db.reading() as tx:
        row = await outbox.load(tx, outbox_id)
    if row is None or row.delivered_at is not None:
        return
    handler = HANDLERS.get(row.kind)
    try:
        if handler is not None:
            event = Event.from_payload(row.kind, row.payload)
            for intent in await handler(jc, event):
                await _deliver_once(jc, outbox_id, intent)
    except Exception as error:
        async with jc.db.new_write_tx() as tx, tx.begin():
            await outbox.mark_failed(tx, outbox_id, repr(error))
        raise  # Dramatiq retries with backoff
    async with jc.db.new_write_tx() as tx, tx.begin():
        await outbox.mark_delivered(tx, outbox_id, jc.clock())


async def _deliver_once(jc: JobContext, outbox_id: uuid.UUID, intent: EmailIntent) -> None:
    """Skip what an earlier attempt sent; send again, as the same message, what one left in
    doubt; record the attempt before sending and its end after."""
    mid = message_id(outbox_id, intent.template, intent.to, jc.sender)
    async with jc.db.new_write_tx() as tx, tx.begin():
        earlier = await deliveries.begin(
            tx, outbox_id, intent.to, intent.template, practice_id=intent.practice_id,
            message_id=mid, now=jc.clock())
    if earlier is Delivery.SENT:
        return
    if earlier is Delivery.IN_DOUBT:
        logger.warning("%s email to %s may have gone out before a crash; sending it again "
                       "as the same message %s", intent.template, intent.to, mid)
    rendered = render(intent.template, intent.values)
    await jc.mailer.send(Email(to=intent.to, subject=rendered.subject, text=rendered.text,
                               html=rendered.html, sender=jc.sender, message_id=mid,
                               attachments=intent.attachments))
    async with jc.db.new_write_tx() as tx, tx.begin():
        await deliveries.mark_sent(tx, outbox_id, intent.to, intent.template, jc.clock())
    logger.info("sent %s email to %s", intent.template, intent.to)
