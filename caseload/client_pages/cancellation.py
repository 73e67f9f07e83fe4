"""What cancelling a session now would cost the client, said before they confirm it. The
pages read it from the API (`Session.feeIfCancelledNow`, the fee tiers in force when the
session was booked), so a change to the policy changes what this says and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FEE_FIELDS = """feeIfCancelledNow { percent withinHours amount { amount currency } }
  cancellationPolicy { noticeHours }"""


@dataclass(frozen=True)
class CancellationTerms:
    late: bool  # inside a fee tier: LATE_CANCELLED, the fee stands
    cost: str  # the fee as the client reads it ("40.00 GBP", "nothing")
    says: str  # the sentence the confirmation page shows
    kind: str  # sent back with the form, so a tier crossed meanwhile is said again first


def cancellation_terms(session: dict[str, Any]) -> CancellationTerms:
    """From the session's FEE_FIELDS: the fee now, and the outermost tier of its policy."""
    fee, notice_hours = session["feeIfCancelledNow"], session["cancellationPolicy"]["noticeHours"]
    amount = Decimal(fee["amount"]["amount"]) if fee else Decimal(0)
    if fee is None or fee["withinHours"] is None or amount == 0:
        return CancellationTerms(False, "nothing", (
            f"You are cancelling with more than {notice_hours} hours' notice, so it costs "
            "nothing: no fee, and anything already charged for it is refunded."), "free")
    cost = f"{fee['amount']['amount']} {fee['amount']['currency']}"
    percent = Decimal(fee["percent"]).normalize()
    return CancellationTerms(True, cost, (
        f"This session starts in {fee['withinHours']} hours or less, so this is a late "
        f"cancellation: a fee of {cost} ({percent:f}% of the price) stands and is charged "
        "to the card on file (anything already taken above it is refunded)."),
        f"late:{fee['withinHours']}:{cost}")
