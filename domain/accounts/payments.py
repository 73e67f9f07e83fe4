"""Cards on file and the payment gateway port. No card number ever reaches us: only a
provider's token, and afterwards the brand, last four digits and expiry it reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate


@dataclass(frozen=True)
class Card:
    """What a gateway tells us about a card it keeps for us."""

    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class ChargeOutcome(Enum):
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"


@dataclass(frozen=True)
class ChargeResult:
    reference: str
    outcome: ChargeOutcome
    amount: Decimal
    currency: str
    decline_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome is ChargeOutcome.SUCCEEDED


@dataclass(frozen=True)
class RefundResult:
    reference: str
    charge_reference: str


class PaymentGateway(Protocol):
    """A payment provider. Calls with the same idempotency key answer the first result and
    move no money again. Refusals the user can fix raise DomainError."""

    async def attach_card(self, token: str) -> Card:
        """Keep the card behind a client-side token; INVALID (field token) if it is unusable."""
        ...

    async def detach_card(self, reference: str) -> None: ...

    async def charge(
        self, card_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> ChargeResult: ...

    async def refund(
        self, charge_reference: str, idempotency_key: str, amount: Decimal | None = None
    ) -> RefundResult:
        """Give back `amount` of the charge (all of it when None), once per charge."""
        ...


@dataclass(eq=False)
class PaymentMethod(Aggregate):
    """A client's card on file (one at most)."""

    id: uuid.UUID
    practice_id: uuid.UUID
    client_id: uuid.UUID
    gateway_reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    created_at: datetime


def card_on_file(
    practice_id: uuid.UUID, client_id: uuid.UUID, card: Card, now: datetime
) -> PaymentMethod:
    return PaymentMethod(
        id=uuid.uuid4(), practice_id=practice_id, client_id=client_id,
        gateway_reference=card.reference, brand=card.brand, last4=card.last4,
        exp_month=card.exp_month, exp_year=card.exp_year, created_at=now,
    )


def invalid_card_token() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID, "The card could not be added: the payment token is not valid.",
        ["token"],
    )


def no_card_on_file() -> DomainError:
    return DomainError.one(ErrorCode.INVALID_STATE, "There is no card on file to remove.")
