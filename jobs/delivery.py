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
    waitlist,
)
from jobs.email.adapters import Email, message_id
from jobs.email.handlers import HANDLERS, EmailIntent
from jobs.email.templates import render
from jobs.live import live_event
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
        # Recorded, not raised: the outbox relay owns the retry (Dramatiq's would be a
        # second, uncounted one), and hands the row over again when its wait is over.
        logger.warning("outbox row %s (%s) failed; the relay retries it: %r",
                       outbox_id, row.kind, error)
        async with jc.db.new_write_tx() as tx, tx.begin():
            await outbox.mark_failed(tx, outbox_id, repr(error))
        return
    await _publish(jc, row)
    async with jc.db.new_write_tx() as tx, tx.begin():
        await outbox.mark_delivered(tx, outbox_id, jc.clock())


async def _publish(jc: JobContext, row: object) -> None:
    """Once its emails are out, a committed event goes live. Live updates are best effort
    (a dashboard refetches when it reconnects), so a failure here never holds the row back;
    a repeat (a crash before the row is marked) keeps the event's id, for clients to skip."""
    event = live_event(row)
    if event is None or jc.publish is None:
        return
    try:
        await jc.publish(event)
    except Exception:
        logger.exception("publishing live update %s failed", event.id)


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
    # Recipients are people: lines at INFO and above name the outbox row, never an address.
    if earlier is Delivery.IN_DOUBT:
        logger.warning("%s email of outbox row %s may have gone out before a crash; sending "
                       "it again as the same message", intent.template, outbox_id)
    rendered = render(intent.template, intent.values)
    await jc.mailer.send(Email(to=intent.to, subject=rendered.subject, text=rendered.text,
                               html=rendered.html, sender=jc.sender, message_id=mid,
                               attachments=intent.attachments))
    async with jc.db.new_write_tx() as tx, tx.begin():
        await deliveries.mark_sent(tx, outbox_id, intent.to, intent.template, jc.clock())
    logger.info("sent %s email of outbox row %s", intent.template, outbox_id)
