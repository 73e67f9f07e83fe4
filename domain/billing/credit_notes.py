"""Credit notes: money a practice owes a payer back (a group left partway through what was
invoiced), taken off the payer's next monthly invoices as a line of its own until used up."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.billing.billing import MAX_REASON_LENGTH, InvoiceLine
from domain.shared.errors import ErrorCode, Problems
from domain.shared.money import Money, money_input, total


@dataclass(frozen=True)
class CreditNote:
    id: uuid.UUID
    practice_id: uuid.UUID
    payer_id: uuid.UUID
    subscription_id: uuid.UUID | None
    amount: Decimal
    remaining: Decimal
    currency: str
    reason: str
    created_at: datetime


def issue_credit_note(
    *, practice_id: uuid.UUID, payer_id: uuid.UUID, subscription_id: uuid.UUID | None,
    amount: Decimal | None, suggested: Money, reason: str | None, default_reason: str,
    now: datetime, field: tuple[str, ...] = ("credit",),
) -> CreditNote:
    """A note for `amount` (the suggested credit when None). INVALID on `field` + amount when
    there is nothing to credit or the amount is not money; on reason when it is too long."""
    problems = Problems()
    money = suggested if amount is None else problems.check(
        money_input, amount, suggested.currency, (*field, "amount"), positive=True)
    if money is not None and money.amount <= 0:
        problems.add(ErrorCode.INVALID, "There is nothing to credit: no invoiced date is "
                     "left unattended. Leave without a credit, or give an amount.",
                     *field, "amount")
    clean = (reason or "").strip() or default_reason
    if len(clean) > MAX_REASON_LENGTH:
        problems.add(ErrorCode.INVALID, f"reason must be at most {MAX_REASON_LENGTH} "
                     "characters.", *field, "reason")
    problems.raise_if_any()
    assert money is not None
    return CreditNote(uuid.uuid4(), practice_id, payer_id, subscription_id, money.amount,
                      money.amount, money.currency, clean[:MAX_REASON_LENGTH], now)


@dataclass(frozen=True)
class Applied:
    lines: list[InvoiceLine]  # the invoice's lines, then one credit line per note used
    used: dict[uuid.UUID, Decimal]  # note id -> what it took off this invoice


def apply_credit_notes(lines: Sequence[InvoiceLine], notes: Sequence[CreditNote],
                       currency: str) -> Applied:
    """Oldest note first, each takes off what it can, never more than the invoice's lines
    come to, so the invoice's total is never negative; what is left waits for the next."""
    left = total((line.amount for line in lines), currency)
    credited = list(lines)
    used: dict[uuid.UUID, Decimal] = {}
    for note in sorted(notes, key=lambda n: (n.created_at, str(n.id))):
        if note.currency != currency or note.remaining <= 0 or left.amount <= 0:
            continue
        take = min(Money(note.remaining, currency), left)
        credited.append(InvoiceLine(f"Credit: {note.reason}", 1, -take, -take))
        used[note.id] = take.amount
        left = left - take
    return Applied(credited, used)
