"""CancellationPolicy, CancellationFeeTier and CancellationFee: fee tiers and what they cost."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.appointments.fee_tiers import FeePolicy
from domain.appointments.policy import FeeQuote
from schema.shared.common import Money


@strawberry.type(description="One tier: a cancellation with at most `withinHours` hours' "
                 "notice costs `percent` of the session's price.")
class CancellationFeeTier:
    within_hours: int = strawberry.field(
        description="Applies to cancellations with this many hours' notice or less "
        "(exactly this many included).")
    percent: Decimal = strawberry.field(description="Share of the price charged, above 0 "
                                        "and at most 100.")


@strawberry.type(description="Cancellation fee tiers, most notice first. More notice than "
                 "every tier is free; otherwise the tier with the least notice that still "
                 "covers the cancellation decides. No-shows are charged the whole price.")
class CancellationPolicy:
    tiers: list[CancellationFeeTier] = strawberry.field(
        description="Most notice first; each tier charges more than the one before.")
    notice_hours: int = strawberry.field(
        description="The outermost tier: cancelling with more notice is free, payment is "
        "taken from then on, and a client may no longer move the session.")

    @classmethod
    def from_domain(cls, fee_policy: FeePolicy) -> CancellationPolicy:
        return cls(
            tiers=[CancellationFeeTier(within_hours=t.within_hours, percent=t.percent)
                   for t in fee_policy.tiers],
            notice_hours=fee_policy.notice_hours,
        )


@strawberry.type(description="What a client's cancellation costs under a session's policy. "
                 "The amount is the percent of the price computed exactly and rounded "
                 "half-up (a tie away from zero) to the currency's minor unit.")
class CancellationFee:
    percent: Decimal = strawberry.field(description="Share of the price: 0 when free.")
    amount: Money = strawberry.field(description="Money owed: 0 when free or when a package "
                                     "credit pays the session.")
    within_hours: int | None = strawberry.field(
        description="The tier applied (its hours); null when free.")
    package_credit_kept: bool = strawberry.field(
        description="The session is paid with a package credit, which stays used.")

    @classmethod
    def from_quote(cls, quote: FeeQuote) -> CancellationFee:
        return cls(
            percent=quote.percent,
            amount=Money(amount=quote.amount.amount, currency=quote.amount.currency),
            within_hours=quote.within_hours,
            package_credit_kept=quote.package_credit_kept,
        )
