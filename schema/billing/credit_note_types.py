"""CreditNote: money owed back to a payer (a group session left with a credit)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.billing.credit_notes import CreditNote as CreditNoteEntity
from domain.shared.money import Money as MoneyValue
from schema.shared.common import Money


def money(value: MoneyValue) -> Money:
    return Money(amount=value.amount, currency=value.currency)


@strawberry.type(description="Money owed back to a payer, taken off their next monthly "
                 "invoices as a line of its own until it is used up.")
class CreditNote:
    amount: Money = strawberry.field(description="What was credited.")
    remaining: Money = strawberry.field(description="What is still to come off invoices.")
    reason: str = strawberry.field(description="The invoice line's text after \"Credit: \".")
    created_at: datetime = strawberry.field(description="When it was issued.")

    @classmethod
    def from_entity(cls, note: CreditNoteEntity) -> CreditNote:
        return cls(amount=money(MoneyValue(note.amount, note.currency)),
                   remaining=money(MoneyValue(note.remaining, note.currency)),
                   reason=note.reason, created_at=note.created_at)
