"""The Invoice aggregate: a numbered bill to one payer, built from domain.billing's lines,
discount, totals and status rules; the payment attempts against it; who it is sent to.

Amounts are kept as Decimals at the currency's minor unit (domain.billing rounds them); the
invoice's number comes from a per-practice sequence the caller takes inside the invoice's
own transaction, so numbers have no gaps and no repeats.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from domain.billing.billing import (
    Checkout,
    Discount,
    InvoiceLine,
    InvoiceState,
    InvoiceStatus,
    after_checkout,
    close,
    invoice_number,
    invoice_totals,
    pay,
)
from domain.shared.errors import DomainError, ErrorCode, Problem, Problems
from domain.shared.events import Aggregate, Event
from domain.shared.money import Money
from domain.shared.validation import invalid, normalise_email

MAX_RECIPIENTS = 10


@dataclass(frozen=True)
class InvoiceIssued(Event):
    """A monthly invoice was issued and its automatic charge settled (paid, or no card to
    charge): email it to its suggested recipients."""

    practice_id: uuid.UUID
    invoice_id: uuid.UUID


@dataclass(frozen=True)
class InvoicePaymentFailed(Event):
    """The payer's card was declined for an invoice; it stays OPEN and the payer is told."""

    practice_id: uuid.UUID
    invoice_id: uuid.UUID


@dataclass(frozen=True)
class InvoicePaid(Event):
    """The invoice became PAID (a charge at checkout, a later payment, or nothing owed)."""

    practice_id: uuid.UUID
    invoice_id: uuid.UUID


@dataclass(frozen=True)
class InvoiceSent(Event):
    """Someone asked for the invoice to be emailed to `recipients`."""

    practice_id: uuid.UUID
    invoice_id: uuid.UUID
    recipients: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Invoice(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    payer_id: uuid.UUID
    sequence: int
    number: str
    currency: str
    status: InvoiceStatus
    lines: list[InvoiceLine]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    discount_percent: Decimal | None
    discount_reason: str | None
    issued_at: datetime
    paid_at: datetime | None = None
    # A subscription's invoice covers one calendar month: `period` is its first day.
    subscription_id: uuid.UUID | None = None
    period: date | None = None
    # Issued by the monthly sweep and not yet through its automatic charge.
    autocharge_pending: bool = False

    @classmethod
    def issue(
        cls, *, practice_id: uuid.UUID, payer_id: uuid.UUID, sequence: int,
        lines: Sequence[InvoiceLine], discount: Discount | None, currency: str, now: datetime,
        subscription_id: uuid.UUID | None = None, period: date | None = None,
    ) -> Invoice:
        """An OPEN invoice; INVALID (field discount.*) if the discount exceeds the subtotal."""
        totals = invoice_totals(lines, discount, currency)
        return cls(
            id=uuid.uuid4(), practice_id=practice_id, payer_id=payer_id, sequence=sequence,
            number=invoice_number(sequence), currency=currency, status=InvoiceStatus.OPEN,
            lines=list(lines), subtotal=totals.subtotal.amount, discount=totals.discount.amount,
            total=totals.total.amount,
            discount_percent=discount.percent if discount else None,
            discount_reason=discount.reason if discount else None,
            issued_at=now, subscription_id=subscription_id, period=period,
        )

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)

    @property
    def amount_due(self) -> Money:
        return self.money(self.total)

    def checkout(self, checkout: Checkout, now: datetime) -> None:
        """PAY_NOW (after a successful charge, or when nothing is owed), PAY_LATER, CLOSE_NOW."""
        self._become(after_checkout(checkout, now))

    def pay(self, now: datetime) -> None:
        self._become(pay(self.status, now))

    def _become(self, state: InvoiceState) -> None:
        was_paid = self.status is InvoiceStatus.PAID
        self.status, self.paid_at = state.status, state.paid_at
        if self.status is InvoiceStatus.PAID and not was_paid:
            self.record(InvoicePaid(self.practice_id, self.id))

    def close(self) -> None:
        self.status = close(self.status).status


class PaymentStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    # Taken, then given back: the operation it paid for was refused after the charge.
    REFUNDED = "REFUNDED"


@dataclass(eq=False)
class InvoicePayment(Aggregate):
    """One attempt to take an invoice's total from the payer's card."""

    id: uuid.UUID
    practice_id: uuid.UUID
    invoice_id: uuid.UUID | None
    payer_id: uuid.UUID
    amount: Decimal
    currency: str
    status: PaymentStatus
    idempotency_key: str
    gateway_reference: str
    created_at: datetime


def suggested_recipients(payer_email: str | None, copies: Iterable[str] = ()) -> list[str]:
    """Who an invoice email goes to unless told otherwise: the payer, then `copies` (linked
    clients who receive notification copies), each address once."""
    found: list[str] = []
    for address in [payer_email, *copies]:
        if address and address.lower() not in {a.lower() for a in found}:
            found.append(address)
    return found


def clean_recipients(recipients: Sequence[str]) -> list[str]:
    """Given addresses: 1 to MAX_RECIPIENTS well-formed emails (field recipients.<n>), each
    kept once."""
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise invalid(f"Give 1 to {MAX_RECIPIENTS} recipients.", "recipients")
    problems = Problems()
    cleaned: list[str] = []
    for index, address in enumerate(recipients):
        email = problems.check(normalise_email, address, "recipients")
        if email is None:
            problems.items[-1] = Problem(ErrorCode.INVALID, problems.items[-1].message,
                                         ("recipients", str(index)))
        elif email not in cleaned:
            cleaned.append(email)
    problems.raise_if_any()
    return cleaned


def no_recipients() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID,
        "The payer has no email address; give the recipients.", ["recipients"],
    )
