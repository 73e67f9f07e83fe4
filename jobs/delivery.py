"""Process one outbox row: idempotent, so a repeat (retry, redispatch) sends nothing twice."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import insert, select

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
from persistence import outbox
from persistence.tables import email_deliveries

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
    """Skip what an earlier attempt already sent; record each send right after it."""
    key = (email_deliveries.c.outbox_id == outbox_id,
           email_deliveries.c.recipient == intent.to,
           email_deliveries.c.template == intent.template)
    async with jc.db.reading() as tx:
        if (await tx.execute(select(email_deliveries.c.id).where(*key))).first():
            return
    rendered = render(intent.template, intent.values)
    await jc.mailer.send(
        Email(
            to=intent.to,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            sender=jc.sender,
            message_id=message_id(f"{outbox_id}.{intent.template}.{intent.to}"),
        )
    )
    async with jc.db.new_write_tx() as tx, tx.begin():
        await tx.execute(
            insert(email_deliveries).values(
                outbox_id=outbox_id, recipient=intent.to, template=intent.template,
                practice_id=intent.practice_id, sent_at=jc.clock(),
            )
        )
    logger.info("sent %s email to %s", intent.template, intent.to)
