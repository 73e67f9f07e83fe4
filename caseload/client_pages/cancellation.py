"""What cancelling a session now would cost the client, said before they confirm it. The one
place the pages read the cancellation policy (domain/appointments/policy.py): a change to
the policy's fees changes what this says, and nothing else in the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.appointments.policy import Fee, client_cancellation


@dataclass(frozen=True)
class CancellationTerms:
    late: bool  # inside the notice window: LATE_CANCELLED, the fee stands
    cost: str  # the fee as the client reads it ("80.00 GBP", "nothing")
    says: str  # the sentence the confirmation page shows

    @property
    def kind(self) -> str:
        """Sent back with the form, so a boundary crossed meanwhile is said again first."""
        return "late" if self.late else "free"


def cancellation_terms(
    starts_at: datetime, now: datetime, notice_hours: int, price: Decimal, currency: str
) -> CancellationTerms:
    outcome = client_cancellation(starts_at, now, notice_hours)
    if outcome.fee is Fee.STANDS:
        cost = f"{price} {currency}"
        return CancellationTerms(True, cost, (
            f"This session starts in {notice_hours} hours or less, so this is a late "
            f"cancellation: the fee of {cost} stands and is charged to the card on file "
            "(or kept, if it was already taken)."))
    return CancellationTerms(False, "nothing", (
        f"You are cancelling with more than {notice_hours} hours' notice, so it costs "
        "nothing: no fee, and anything already charged for it is refunded."))
