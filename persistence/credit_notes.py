"""Credit notes: saved when a group is left with a credit, used up by monthly invoices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.billing.credit_notes import CreditNote
from persistence.tables import credit_notes


async def add(tx: AsyncSession, note: CreditNote) -> None:
    await tx.execute(insert(credit_notes).values(**asdict(note)))


def _note(row: object) -> CreditNote:
    return CreditNote(**{name: getattr(row, name) for name in CreditNote.__dataclass_fields__})


async def pending(tx: AsyncSession, payer_id: uuid.UUID, currency: str) -> list[CreditNote]:
    """The payer's notes with something left, locked until the invoice using them commits."""
    t = credit_notes.c
    result = await tx.execute(
        select(credit_notes)
        .where(t.payer_id == payer_id, t.currency == currency, t.used_up_at.is_(None))
        .order_by(t.created_at, t.id)
        .with_for_update()
    )
    return [_note(row) for row in result]


async def of_subscriptions(
    tx: AsyncSession, subscription_ids: Sequence[uuid.UUID]
) -> list[CreditNote]:
    result = await tx.execute(
        select(credit_notes).where(credit_notes.c.subscription_id.in_(subscription_ids)))
    return [_note(row) for row in result]


async def use(tx: AsyncSession, notes: Sequence[CreditNote], used: dict[uuid.UUID, Decimal],
              invoice_id: uuid.UUID, now: datetime) -> None:
    """What each note took off `invoice_id` (the last invoice it went on)."""
    for note in notes:
        if note.id not in used:
            continue
        remaining = note.remaining - used[note.id]
        await tx.execute(
            update(credit_notes).where(credit_notes.c.id == note.id).values(
                remaining=remaining, last_invoice_id=invoice_id,
                used_up_at=now if remaining <= 0 else None,
            ))
