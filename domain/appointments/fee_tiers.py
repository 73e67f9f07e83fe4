"""A practice's cancellation fee tiers: the share of a session's price a client's
cancellation costs, by the notice they gave.

A tier applies to a cancellation with at most `within_hours` hours' notice (inclusive, as the
notice window always was: exactly 48 hours' notice is inside a 48-hour tier). The tier with
the least notice that still covers the cancellation decides; more notice than every tier is
free. So (48 h: 50 %, 24 h: 100 %) means: more than 48 h free, more than 24 h up to 48 h half,
24 h or less the whole price. The outermost tier is the notice window
(`cancellation_notice_hours`): payment is taken from then on and a client may no longer move
the session. The default is one tier, 48 h at 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from domain.shared.errors import ErrorCode, Problems

DEFAULT_NOTICE_HOURS = 48
MAX_TIERS = 6
MAX_HOURS = 720  # 30 days
# The window opens at least this long before the start, so the card is tried before the
# automatic cancellation of the last hour.
MIN_WINDOW_HOURS = 2
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FeeTier:
    within_hours: int
    percent: Decimal

    def covers(self, notice: timedelta) -> bool:
        return notice <= timedelta(hours=self.within_hours)


@dataclass(frozen=True)
class FeePolicy:
    """Tiers with the most notice first; each charges more than the one before it."""

    tiers: tuple[FeeTier, ...]

    @classmethod
    def default(cls, notice_hours: int = DEFAULT_NOTICE_HOURS) -> FeePolicy:
        return cls((FeeTier(notice_hours, HUNDRED),))

    @property
    def notice_hours(self) -> int:
        """The window: the most notice that still costs something."""
        return self.tiers[0].within_hours

    def tier_for(self, notice: timedelta) -> FeeTier | None:
        """The tier a cancellation with `notice` falls in (None: more notice than any, free)."""
        for tier in reversed(self.tiers):
            if tier.covers(notice):
                return tier
        return None

    def as_rows(self) -> list[tuple[int, Decimal]]:
        return [(tier.within_hours, tier.percent) for tier in self.tiers]


def fee_policy(tiers: list[tuple[int, Decimal]], field: str = "tiers") -> FeePolicy:
    """Tiers as typed in (any order), checked: 1 to MAX_TIERS of them; hours whole, 1 to
    MAX_HOURS, each once, the longest at least MIN_WINDOW_HOURS; a percent above 0, at most
    100, with at most 2 decimal places, rising as the notice shrinks. INVALID per field."""
    problems = Problems()
    if not 1 <= len(tiers) <= MAX_TIERS:
        problems.add(ErrorCode.INVALID, f"Give 1 to {MAX_TIERS} tiers.", field)
        problems.raise_if_any()
    hours_given = [hours for hours, _ in tiers]
    for index, (hours, percent) in enumerate(tiers):
        if not 1 <= hours <= MAX_HOURS:
            problems.add(ErrorCode.INVALID, f"Hours must be 1 to {MAX_HOURS}.",
                         field, str(index), "withinHours")
        elif hours_given.count(hours) > 1:
            problems.add(ErrorCode.INVALID, "Each tier needs hours of its own.",
                         field, str(index), "withinHours")
        if not (0 < percent <= HUNDRED) or percent != percent.quantize(Decimal("0.01")):
            problems.add(ErrorCode.INVALID,
                         "A percent is above 0, at most 100, with at most 2 decimal places.",
                         field, str(index), "percent")
    problems.raise_if_any()
    ordered = sorted(range(len(tiers)), key=lambda i: -tiers[i][0])
    if tiers[ordered[0]][0] < MIN_WINDOW_HOURS:
        problems.add(ErrorCode.INVALID, f"The longest tier is at least {MIN_WINDOW_HOURS} "
                     "hours, so the card is tried before the last hour.",
                     field, str(ordered[0]), "withinHours")
    for before, after in pairwise(ordered):
        if tiers[after][1] <= tiers[before][1]:
            problems.add(ErrorCode.INVALID, "Less notice must cost a higher percent.",
                         field, str(after), "percent")
    problems.raise_if_any()
    return FeePolicy(tuple(FeeTier(*tiers[i]) for i in ordered))
