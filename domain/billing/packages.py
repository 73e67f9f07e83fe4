"""Packages (seed 003): prepaid session credits owned by a client.

The practice sells a package with an invoice (checked out like an enrolment's). A session
booked with a package draws one credit instead of being charged to a card. The credit may
pay for a session of the owner, or of a linked client the owner lets use package sessions
(`may_pay_for`). A timely cancellation gives the credit back; a late one keeps it used, as
the fee would have stood. Credits are counted on the package row itself, drawn and given
back under that row's lock, so two bookings can never both take the last one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.billing.billing import InvoiceLine
from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate
from domain.shared.money import Money, money_input

MAX_NAME = 200
MAX_CREDITS = 500


@dataclass(eq=False)
class Package(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    total_credits: int
    remaining_credits: int
    price: Decimal
    currency: str
    created_at: datetime
    invoice_id: uuid.UUID | None = None

    def draw(self) -> None:
        """Take one credit for a session; NO_PACKAGE_SESSIONS when none is left."""
        if self.remaining_credits < 1:
            raise DomainError.one(
                ErrorCode.NO_PACKAGE_SESSIONS,
                f"The package {self.name!r} has no sessions left.", ["packageId"],
            )
        self.remaining_credits -= 1

    def give_back(self) -> None:
        """A session it paid for was cancelled in time: the credit is the owner's again."""
        if self.remaining_credits >= self.total_credits:
            raise ValueError("a package cannot hold more credits than it was sold with")
        self.remaining_credits += 1

    def invoice_lines(self) -> list[InvoiceLine]:
        noun = "session" if self.total_credits == 1 else "sessions"
        return [InvoiceLine.of(f"{self.name} ({self.total_credits} {noun})", 1,
                               Money(self.price, self.currency))]


def create_package(
    *, practice_id: uuid.UUID, owner_id: uuid.UUID, name: str, credits: int, price: Decimal,
    currency: str, now: datetime,
) -> Package:
    """A package with every credit left; INVALID on name, sessions or price otherwise."""
    problems = Problems()
    clean_name = name.strip()
    if not 1 <= len(clean_name) <= MAX_NAME:
        problems.add(ErrorCode.INVALID, f"A name of 1 to {MAX_NAME} characters is needed.",
                     "name")
    if not 1 <= credits <= MAX_CREDITS:
        problems.add(ErrorCode.INVALID, f"A package holds 1 to {MAX_CREDITS} sessions.",
                     "sessions")
    amount = problems.check(money_input, price, currency, ("price",))
    problems.raise_if_any()
    return Package(
        id=uuid.uuid4(), practice_id=practice_id, owner_id=owner_id, name=clean_name,
        total_credits=credits, remaining_credits=credits, price=amount.amount,
        currency=currency, created_at=now,
    )


def may_pay_for(owner_id: uuid.UUID, attendee_ids: Collection[uuid.UUID],
                sharing_with: Collection[uuid.UUID]) -> bool:
    """May the owner's package pay for a session these clients attend? When the owner
    attends, or has let one of them use package sessions (`sharing_with`: the clients the
    owner has given usePackageSessions)."""
    return owner_id in attendee_ids or any(a in sharing_with for a in attendee_ids)


def not_for_this_appointment() -> DomainError:
    return DomainError.one(
        ErrorCode.NOT_PERMITTED,
        "This package's owner has not let the session's client use their package sessions.",
        ["packageId"],
    )
