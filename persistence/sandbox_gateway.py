"""The sandbox payment gateway: a stand-in provider that keeps its cards and charges in our
database and understands provider-style test tokens. It moves no real money.

It behaves like an outside service: each call commits on its own, never inside a unit of
work, so call it before a use case opens one (or after it commits).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.accounts.payments import (
    Card,
    ChargeOutcome,
    ChargeResult,
    RefundResult,
    invalid_card_token,
)
from persistence.database import Database
from persistence.tables import sandbox_cards, sandbox_charges

CARD_YEARS_VALID = 4


@dataclass(frozen=True)
class TestCard:
    __test__ = False  # not a pytest class

    brand: str
    last4: str
    declines: bool = False


TEST_TOKENS: dict[str, TestCard] = {
    "tok_visa": TestCard("visa", "4242"),
    "tok_mastercard": TestCard("mastercard", "4444"),
    "tok_amex": TestCard("amex", "8431"),
    "tok_chargeDeclined": TestCard("visa", "0002", declines=True),
}


class SandboxGateway:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    async def attach_card(self, token: str) -> Card:
        test_card = TEST_TOKENS.get(token.strip())
        if test_card is None:
            raise invalid_card_token()
        now = self.clock()
        card = Card(f"card_{uuid.uuid4().hex[:24]}", test_card.brand, test_card.last4,
                    12, now.year + CARD_YEARS_VALID)
        async with self.db.new_write_tx() as tx, tx.begin():
            await tx.execute(insert(sandbox_cards).values(
                reference=card.reference, token=token.strip(), brand=card.brand,
                last4=card.last4, exp_month=card.exp_month, exp_year=card.exp_year,
                created_at=now,
            ))
        return card

    async def detach_card(self, reference: str) -> None:
        async with self.db.new_write_tx() as tx, tx.begin():
            await tx.execute(
                update(sandbox_cards).where(sandbox_cards.c.reference == reference,
                                            sandbox_cards.c.detached_at.is_(None))
                .values(detached_at=self.clock())
            )

    async def charge(
        self, card_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> ChargeResult:
        """Declines for tok_chargeDeclined and detached or unknown cards; a repeated key
        answers the first result."""
        earlier = await self._charge_by_key(idempotency_key)
        if earlier is not None:
            return earlier
        reason = await self._decline_reason(card_reference)
        values = {
            "reference": f"ch_{uuid.uuid4().hex[:24]}", "card_reference": card_reference,
            "amount": amount, "currency": currency, "idempotency_key": idempotency_key,
            "status": (ChargeOutcome.DECLINED if reason else ChargeOutcome.SUCCEEDED).value,
            "decline_reason": reason, "created_at": self.clock(),
        }
        try:
            async with self.db.new_write_tx() as tx, tx.begin():
                await tx.execute(insert(sandbox_charges).values(**values))
        except IntegrityError:  # a concurrent call with the same key got there first
            pass
        found = await self._charge_by_key(idempotency_key)
        assert found is not None
        return found

    async def refund(
        self, charge_reference: str, idempotency_key: str, amount: Decimal | None = None
    ) -> RefundResult:
        """All of the charge, or `amount` of it (at most what was charged)."""
        reference = f"re_{uuid.uuid4().hex[:24]}"
        async with self.db.new_write_tx() as tx, tx.begin():
            row = (await tx.execute(
                select(sandbox_charges).where(sandbox_charges.c.reference == charge_reference)
                .with_for_update()
            )).one_or_none()
            if row is None or row.status != ChargeOutcome.SUCCEEDED.value:
                raise ValueError(f"no successful sandbox charge {charge_reference!r} to refund")
            if row.refund_reference is not None:
                return RefundResult(row.refund_reference, charge_reference)
            if amount is not None and not 0 < amount <= row.amount:
                raise ValueError(f"cannot refund {amount} of a {row.amount} charge")
            await tx.execute(
                update(sandbox_charges).where(sandbox_charges.c.reference == charge_reference)
                .values(refund_reference=reference, refund_idempotency_key=idempotency_key,
                        refunded_at=self.clock(),
                        refund_amount=row.amount if amount is None else amount)
            )
        return RefundResult(reference, charge_reference)

    async def _decline_reason(self, card_reference: str) -> str | None:
        async with self.db.reading() as tx:
            card = (await tx.execute(
                select(sandbox_cards).where(sandbox_cards.c.reference == card_reference)
            )).one_or_none()
        if card is None or card.detached_at is not None:
            return "card_not_found"
        return "card_declined" if TEST_TOKENS[card.token].declines else None

    async def _charge_by_key(self, idempotency_key: str) -> ChargeResult | None:
        async with self.db.reading() as tx:
            row = (await tx.execute(
                select(sandbox_charges)
                .where(sandbox_charges.c.idempotency_key == idempotency_key)
            )).one_or_none()
        if row is None:
            return None
        return ChargeResult(row.reference, ChargeOutcome(row.status), row.amount, row.currency,
                            row.decline_reason)
