"""The cancellation policy and the sweep's clock rules, as pure functions of `now` (seeds 000, 004).

The notice window is the practice's `cancellation_notice_hours` (48 by default). The seed says a
booked session is charged "unless it is cancelled with more than 48 hours' notice", so the one
boundary is `inside_notice_window`: a session is inside the window when it starts in at most
`notice_hours` from now. Exactly 48 hours' notice is inside (LATE_CANCELLED, no moving, charge
due); 48 hours and one microsecond is outside. A session already started is inside too.

The other clock rules, each inclusive at its named boundary:
- charge_due: inside the window, never earlier; also for a session already started (one the
  practice recorded in the past is charged like any other).
- auto_cancel_due: in the last hour, 0 < starts_at - now <= 1 hour. Exactly one hour before is
  due; the start itself is not (by then the session is awaiting its attendance update).
- reminder_due: 1 hour < starts_at - now <= 24 hours, so a reminder never races the automatic
  cancellation. The sweep sends it once per session (it records that it did).
- awaiting_update: SCHEDULED and now >= starts_at.

Cancellation fees come in tiers (domain/appointments/fee_tiers.py): the window is the
outermost tier, and a client's cancellation costs the percent of the tier its notice falls in,
of the session's price, computed exactly and rounded half-up (a tie away from zero) to the
currency's minor unit: 50 % of 75.25 GBP is 37.63 (37.625 rounded up), 50 % of 1500 RWF is
750. Each session keeps the tiers in force when it was booked (`Appointment.fee_policy`), and
`cost_of_cancelling` answers what cancelling it now would cost. No-shows keep the whole price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from domain.appointments.fee_tiers import DEFAULT_NOTICE_HOURS, FeePolicy
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money

if TYPE_CHECKING:
    from domain.appointments.appointments import Appointment

AUTO_CANCEL_BEFORE = timedelta(hours=1)
REMINDER_BEFORE = timedelta(hours=24)


class AppointmentStatus(Enum):
    SCHEDULED = "SCHEDULED"
    ATTENDED = "ATTENDED"
    NO_SHOW = "NO_SHOW"
    CANCELLED = "CANCELLED"
    LATE_CANCELLED = "LATE_CANCELLED"
    AUTO_CANCELLED = "AUTO_CANCELLED"


class Fee(Enum):
    """What a cancellation does to the session's price."""

    WAIVED = "WAIVED"  # nothing owed: refund a charge already taken
    STANDS = "STANDS"  # owed: keep a charge already taken, or take it if not yet


class CancelledBy(Enum):
    CLIENT = "CLIENT"
    PRACTICE = "PRACTICE"


@dataclass(frozen=True)
class FeeQuote:
    """What a client's cancellation costs: the tier its notice falls in (None: free) and
    that percent of the price, exact and rounded half-up to the currency's minor unit. A
    session paid with a package credit costs no money: a fee keeps the credit used."""

    percent: Decimal
    amount: Money
    within_hours: int | None
    package_credit_kept: bool = False

    @property
    def free(self) -> bool:
        return self.within_hours is None


@dataclass(frozen=True)
class Cancellation:
    status: AppointmentStatus
    fee: Fee
    quote: FeeQuote | None = None

    @property
    def late(self) -> bool:
        """CancelSessionPayload.lateCancellation."""
        return self.fee is Fee.STANDS


def _check(starts_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("starts_at and now must be timezone-aware")


def notice_window(notice_hours: int = DEFAULT_NOTICE_HOURS) -> timedelta:
    if isinstance(notice_hours, bool) or not isinstance(notice_hours, int) or notice_hours < 0:
        raise ValueError(f"notice_hours must be a whole number of hours >= 0, not {notice_hours!r}")
    return timedelta(hours=notice_hours)


def inside_notice_window(
    starts_at: datetime, now: datetime, notice_hours: int = DEFAULT_NOTICE_HOURS
) -> bool:
    """True when the session starts in `notice_hours` or less (or has started): the boundary
    for late cancellation, late changes and taking payment."""
    _check(starts_at, now)
    return starts_at - now <= notice_window(notice_hours)


def client_cancellation(
    starts_at: datetime, now: datetime, notice_hours: int = DEFAULT_NOTICE_HOURS
) -> Cancellation:
    """More notice than the window: CANCELLED, fee waived. Otherwise LATE_CANCELLED, it stands."""
    if inside_notice_window(starts_at, now, notice_hours):
        return Cancellation(AppointmentStatus.LATE_CANCELLED, Fee.STANDS)
    return Cancellation(AppointmentStatus.CANCELLED, Fee.WAIVED)


def fee_for(price: Money, fee_policy: FeePolicy, starts_at: datetime, now: datetime) -> FeeQuote:
    """The tier `starts_at - now` of notice falls in, and its share of `price`."""
    _check(starts_at, now)
    tier = fee_policy.tier_for(starts_at - now)
    if tier is None:
        return FeeQuote(Decimal(0), Money.zero(price.currency), None)
    return FeeQuote(tier.percent, price.percent(tier.percent), tier.within_hours)


def tiered_cancellation(
    by: CancelledBy, price: Money, fee_policy: FeePolicy, starts_at: datetime, now: datetime,
    *, package_credit: bool = False,
) -> Cancellation:
    """The practice: free. A client: free beyond every tier (CANCELLED), else LATE_CANCELLED
    with the tier's fee standing."""
    if by is CancelledBy.PRACTICE:
        return practice_cancellation()
    quote = fee_for(price, fee_policy, starts_at, now)
    if quote.free:
        return Cancellation(AppointmentStatus.CANCELLED, Fee.WAIVED, quote)
    if package_credit:
        quote = FeeQuote(quote.percent, Money.zero(price.currency), quote.within_hours, True)
    return Cancellation(AppointmentStatus.LATE_CANCELLED, Fee.STANDS, quote)


def cost_of_cancelling(
    appointment: Appointment, now: datetime, by: CancelledBy = CancelledBy.CLIENT
) -> FeeQuote | None:
    """What cancelling `appointment` now would cost `by` (None: it can no longer be
    cancelled), under the tiers in force when it was booked."""
    if appointment.status is not AppointmentStatus.SCHEDULED:
        return None
    price = Money(appointment.price, appointment.currency)
    outcome = tiered_cancellation(by, price, appointment.cancellation_policy,
                                  appointment.starts_at, now,
                                  package_credit=appointment.package_id is not None)
    return outcome.quote or FeeQuote(Decimal(0), Money.zero(price.currency), None)


def practice_cancellation() -> Cancellation:
    """The practice cancelling never charges, whenever it does it."""
    return Cancellation(AppointmentStatus.CANCELLED, Fee.WAIVED)


def cancellation(
    by: CancelledBy, starts_at: datetime, now: datetime,
    notice_hours: int = DEFAULT_NOTICE_HOURS,
) -> Cancellation:
    if by is CancelledBy.PRACTICE:
        return practice_cancellation()
    return client_cancellation(starts_at, now, notice_hours)


def can_client_reschedule(
    starts_at: datetime, now: datetime, notice_hours: int = DEFAULT_NOTICE_HOURS,
    field: str = "sessionId",
) -> None:
    """Raises LATE_CHANGE when the session (its current `starts_at`) is inside the window.
    Where it moves to is availability's business; the practice may always move a session."""
    if inside_notice_window(starts_at, now, notice_hours):
        raise DomainError.one(
            ErrorCode.LATE_CHANGE,
            f"Sessions can't be moved with {notice_hours} hours' notice or less.",
            (field,),
        )


def ensure_scheduled(status: AppointmentStatus, field: str = "sessionId") -> None:
    """Only SCHEDULED sessions are cancelled, moved, charged or updated."""
    if status is not AppointmentStatus.SCHEDULED:
        raise DomainError.one(
            ErrorCode.INVALID_STATE, f"The session is {status.value}, not SCHEDULED.", (field,))


def charge_due(
    starts_at: datetime, now: datetime, notice_hours: int = DEFAULT_NOTICE_HOURS
) -> bool:
    """Payment is taken once the session is inside the window, never earlier."""
    return inside_notice_window(starts_at, now, notice_hours)


def charge_due_from(starts_at: datetime, notice_hours: int = DEFAULT_NOTICE_HOURS) -> datetime:
    """The first instant `charge_due` holds; a set-based sweep selects starts_at <= now + window."""
    return starts_at - notice_window(notice_hours)


def auto_cancel_due(starts_at: datetime, now: datetime) -> bool:
    """In the hour before the start (one hour exactly included), an unpaid session goes."""
    _check(starts_at, now)
    return now < starts_at and starts_at - now <= AUTO_CANCEL_BEFORE


def reminder_due(starts_at: datetime, now: datetime) -> bool:
    """From 24 hours before the start (inclusive) until the last hour (exclusive)."""
    _check(starts_at, now)
    return AUTO_CANCEL_BEFORE < starts_at - now <= REMINDER_BEFORE


def awaiting_update(starts_at: datetime, status: AppointmentStatus, now: datetime) -> bool:
    """Started and still SCHEDULED: the practitioner owes an attendance update."""
    _check(starts_at, now)
    return status is AppointmentStatus.SCHEDULED and now >= starts_at


def is_upcoming(starts_at: datetime, now: datetime) -> bool:
    """Not started yet: what a client's booking or move and a follow-up must be, and what
    endRelationship and migration treat as upcoming."""
    _check(starts_at, now)
    return starts_at > now


def late_fee(appointment: Appointment) -> FeeQuote | None:
    """The fee that stands after a late cancellation, as it was recorded; None otherwise."""
    percent = appointment.cancellation_fee_percent
    if appointment.status is not AppointmentStatus.LATE_CANCELLED or percent is None:
        return None
    tier = next((t for t in appointment.cancellation_policy.tiers if t.percent == percent),
                None)
    fee = appointment.cancellation_fee
    amount = Money(fee if fee is not None else Decimal(0), appointment.currency)
    return FeeQuote(percent, amount.rounded(), tier.within_hours if tier else None,
                    package_credit_kept=fee is None)
