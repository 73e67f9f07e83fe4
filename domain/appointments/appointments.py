"""One-to-one sessions ("appointments" in code, so they never clash with a database session),
their charges, reserved weekly slots and attendance updates (seeds 000, 004)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import Enum

from domain.accounts.practice import Weekday
from domain.appointments import policy
from domain.appointments.availability import check_duration
from domain.appointments.fee_tiers import FeePolicy
from domain.appointments.policy import AppointmentStatus, Cancellation, CancelledBy
from domain.appointments.references import new_reference
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate, Event
from domain.shared.money import Money

# Statuses that keep the practitioner's time taken; cancelled sessions free it again.
BLOCKING = (AppointmentStatus.SCHEDULED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)
# Statuses whose price is no longer owed: money taken for them goes back.
NOT_OWED = (AppointmentStatus.CANCELLED, AppointmentStatus.AUTO_CANCELLED)


def appointment_charge_key(appointment_id: uuid.UUID, payment_method_id: uuid.UUID | None) -> str:
    """The gateway idempotency key for charging one session to one card (or to no card): the
    sweep and a late fee use the same, so the two can never both take money."""
    card = "none" if payment_method_id is None else str(payment_method_id)
    return f"appointment:{appointment_id}:card:{card}"


class ChargeStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class Continuation(Enum):
    SAME_WEEKLY_SLOT = "SAME_WEEKLY_SLOT"
    DIFFERENT_TIME = "DIFFERENT_TIME"
    NO_REBOOK = "NO_REBOOK"


@dataclass(eq=False)
class AppointmentAttendee:
    client_id: uuid.UUID
    position: int


@dataclass(eq=False)
class AssignedLinkedClient:
    """A client linked to an attendee, assigned to the session (seed 003, admin side): the
    link's permissions apply to this session. A linked client not assigned to a session
    gets nothing of it through the link."""

    client_id: uuid.UUID


@dataclass(frozen=True)
class AppointmentBooked(Event):
    practice_id: uuid.UUID
    appointment_id: uuid.UUID


@dataclass(frozen=True)
class AppointmentRescheduled(Event):
    practice_id: uuid.UUID
    appointment_id: uuid.UUID
    previous_starts_at: str


@dataclass(frozen=True)
class AppointmentCancelled(Event):
    practice_id: uuid.UUID
    appointment_id: uuid.UUID
    late: bool


@dataclass(frozen=True)
class AppointmentAutoCancelled(Event):
    practice_id: uuid.UUID
    appointment_id: uuid.UUID


@dataclass(frozen=True)
class AppointmentReminderDue(Event):
    practice_id: uuid.UUID
    appointment_id: uuid.UUID


@dataclass(frozen=True)
class AppointmentCharged(Event):
    """Money was taken for the session (the sweep's charge, or a late fee): it is paid."""

    practice_id: uuid.UUID
    appointment_id: uuid.UUID
    charge_id: uuid.UUID


@dataclass(frozen=True)
class PaymentFailed(Event):
    practice_id: uuid.UUID
    appointment_id: uuid.UUID
    charge_id: uuid.UUID


@dataclass(eq=False)
class Appointment(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID
    relationship_id: uuid.UUID
    payer_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    price: Decimal
    currency: str
    created_at: datetime
    attendees: list[AppointmentAttendee] = field(default_factory=list)
    assigned: list[AssignedLinkedClient] = field(default_factory=list)
    booked_by_id: uuid.UUID | None = None
    package_id: uuid.UUID | None = None
    charge_id: uuid.UUID | None = None
    payment_failed_at: datetime | None = None
    reminder_sent_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    cancel_reason: str | None = None
    attended: bool | None = None
    continuation: Continuation | None = None
    update_submitted_at: datetime | None = None
    follow_up_of_id: uuid.UUID | None = None
    # A guest booking for an email on file, held until the owner of that email confirms it
    # (domain/widgets/guest_booking.py): never announced, reminded or charged while held.
    held_until: datetime | None = None
    # The cancellation tiers in force when it was booked: the ones its cancellation follows.
    fee_policy: FeePolicy | None = None
    # A late cancellation's fee (the tier's share of the price) and that tier's percent.
    cancellation_fee: Decimal | None = None
    cancellation_fee_percent: Decimal | None = None

    @property
    def cancellation_policy(self) -> FeePolicy:
        return self.fee_policy or FeePolicy.default()

    @property
    def amount_due(self) -> Decimal:
        """What the payer owes by card: the price, or a late cancellation's fee."""
        return self.cancellation_fee if self.cancellation_fee is not None else self.price
    reference: str = field(default_factory=new_reference)
    # iCalendar SEQUENCE of the session's event: one more with each change announced.
    calendar_sequence: int = 0

    @property
    def client_ids(self) -> list[uuid.UUID]:
        return [a.client_id for a in sorted(self.attendees, key=lambda a: a.position)]

    @property
    def assigned_client_ids(self) -> list[uuid.UUID]:
        return sorted((a.client_id for a in self.assigned), key=str)

    def assign_linked(self, client_ids: list[uuid.UUID]) -> None:
        """Assign clients linked to an attendee (the caller checked the links); an attendee
        needs no assignment, and one assigned twice is assigned once."""
        known = {*self.client_ids, *self.assigned_client_ids}
        for client_id in dict.fromkeys(client_ids):
            if client_id not in known:
                self.assigned.append(AssignedLinkedClient(client_id))

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def needs_payment(self) -> bool:
        """Paid by card, not yet: no package credit, no successful charge, a price to pay,
        and not a booking held for its payer's confirmation."""
        return (self.package_id is None and self.charge_id is None and self.amount_due > 0
                and self.held_until is None)

    def hold_for_confirmation(self, until: datetime) -> None:
        """Held, a booking is announced to nobody: confirming it announces it."""
        self.held_until = until
        self.pop_events()

    def confirm_hold(self, now: datetime) -> None:
        """The payer confirmed: from now on a booking like any other."""
        if (self.status is not AppointmentStatus.SCHEDULED or self.held_until is None
                or now >= self.held_until):
            raise DomainError.one(ErrorCode.INVALID_TOKEN,
                                  "This confirmation link has expired or was used.", ["token"])
        self.held_until = None
        self.record(AppointmentBooked(self.practice_id, self.id))

    def release_hold(
        self, now: datetime,
        reason: str = "Not confirmed in time by the owner of the booker's email.",
    ) -> None:
        """Unconfirmed in time: the time is free again and nothing is owed or announced."""
        self.status = AppointmentStatus.CANCELLED
        self.cancelled_at = now
        self.cancelled_by = CancelledBy.PRACTICE
        self.cancel_reason = reason
        self.calendar_sequence += 1

    def cancel(
        self, by: CancelledBy, now: datetime, reason: str | None = None
    ) -> Cancellation:
        """CANCELLED (nothing owed) or, a client inside a fee tier of the policy it was
        booked under, LATE_CANCELLED with that tier's fee standing."""
        policy.ensure_scheduled(self.status)
        outcome = policy.tiered_cancellation(
            by, Money(self.price, self.currency), self.cancellation_policy, self.starts_at, now,
            package_credit=self.package_id is not None,
        )
        if outcome.late and outcome.quote is not None:
            self.cancellation_fee_percent = outcome.quote.percent
            if not outcome.quote.package_credit_kept:
                self.cancellation_fee = outcome.quote.amount.amount
        self.status = outcome.status
        self.cancelled_at = now
        self.cancelled_by = by
        self.cancel_reason = (reason or "").strip()[:500] or None
        self.calendar_sequence += 1
        self.record(AppointmentCancelled(self.practice_id, self.id, outcome.late))
        return outcome

    def reschedule(
        self, starts_at: datetime, duration_minutes: int | None, by: CancelledBy,
        now: datetime, notice_hours: int,
    ) -> None:
        """Move a SCHEDULED session; a client may not move one inside the notice window."""
        policy.ensure_scheduled(self.status)
        if by is CancelledBy.CLIENT:
            policy.can_client_reschedule(self.starts_at, now, notice_hours)
        length = (
            timedelta(minutes=check_duration(duration_minutes))
            if duration_minutes is not None else self.duration
        )
        previous = self.starts_at
        self.starts_at, self.ends_at = starts_at, starts_at + length
        self.reminder_sent_at = None  # the new time deserves its own reminder
        self.calendar_sequence += 1
        self.record(AppointmentRescheduled(self.practice_id, self.id, previous.isoformat()))

    def auto_cancel(self, now: datetime) -> None:
        self.status = AppointmentStatus.AUTO_CANCELLED
        self.cancelled_at = now
        self.calendar_sequence += 1
        self.record(AppointmentAutoCancelled(self.practice_id, self.id))

    def settle_due_charge(self, charge: Charge, now: datetime, *, new: bool) -> None:
        """The sweep's charge for this session, read under its lock: a success pays a session
        that still owes it and is given back otherwise; a refusal tells the payer when its
        key is `new` (a new card refused emails again)."""
        owed = self.status not in NOT_OWED and self.package_id is None
        if charge.status is ChargeStatus.SUCCEEDED:
            if self.charge_id == charge.id:
                return
            if owed and self.charge_id is None:
                self._paid(charge)
                self._give_back_above_fee(charge, now)
            elif charge.refund_requested_at is None:
                charge.refund_requested_at = now  # taken, but nothing owes it: give it back
            return
        if new and owed and self.charge_id is None:
            self._payment_failed(charge, now)

    def _give_back_above_fee(self, charge: Charge, now: datetime) -> None:
        """The whole price taken for a session cancelled meanwhile with a smaller fee (the
        sweep read it before the cancellation): the rest is owed back."""
        fee = self.cancellation_fee
        if fee is not None and charge.amount > fee and charge.refund_requested_at is None:
            charge.refund_requested_at = now
            charge.refund_amount = charge.amount - fee

    def settle_late_fee(self, charge: Charge, now: datetime) -> None:
        """A late cancellation's fee, read under the session's lock: a success pays a session
        nothing paid yet; only the first refusal tells the payer."""
        if charge.status is ChargeStatus.SUCCEEDED:
            if self.charge_id is None:
                self._paid(charge)
            return
        if self.payment_failed_at is None:
            self._payment_failed(charge, now)

    def _paid(self, charge: Charge) -> None:
        self.charge_id = charge.id
        self.record(AppointmentCharged(self.practice_id, self.id, charge.id))

    def _payment_failed(self, charge: Charge, now: datetime) -> None:
        self.payment_failed_at = now
        self.record(PaymentFailed(self.practice_id, self.id, charge.id))

    def record_attendance(
        self, attended: bool, continuation: Continuation, now: datetime
    ) -> None:
        """Once per session, after it has started."""
        if not policy.awaiting_update(self.starts_at, self.status, now):
            raise DomainError.one(
                ErrorCode.INVALID_STATE,
                "Only a started session still SCHEDULED takes an attendance update.",
                ["sessionId"],
            )
        self.status = AppointmentStatus.ATTENDED if attended else AppointmentStatus.NO_SHOW
        self.attended = attended
        self.continuation = continuation
        self.update_submitted_at = now


def book(
    *,
    practice_id: uuid.UUID,
    practitioner_id: uuid.UUID,
    relationship_id: uuid.UUID,
    payer_id: uuid.UUID,
    client_ids: list[uuid.UUID],
    starts_at: datetime,
    duration_minutes: int,
    price: Decimal,
    currency: str,
    now: datetime,
    booked_by_id: uuid.UUID | None = None,
    follow_up_of_id: uuid.UUID | None = None,
    fee_policy: FeePolicy,
    package_id: uuid.UUID | None = None,
    assigned_client_ids: list[uuid.UUID] | None = None,
) -> Appointment:
    length = timedelta(minutes=check_duration(duration_minutes))
    appointment = Appointment(
        id=uuid.uuid4(), practice_id=practice_id, practitioner_id=practitioner_id,
        relationship_id=relationship_id, payer_id=payer_id, starts_at=starts_at,
        ends_at=starts_at + length, status=AppointmentStatus.SCHEDULED, price=price,
        currency=currency, created_at=now, booked_by_id=booked_by_id,
        follow_up_of_id=follow_up_of_id, package_id=package_id, fee_policy=fee_policy,
        attendees=[AppointmentAttendee(c, i) for i, c in enumerate(client_ids)],
    )
    appointment.assign_linked(assigned_client_ids or [])
    appointment.record(AppointmentBooked(practice_id, appointment.id))
    return appointment


@dataclass(eq=False)
class Charge(Aggregate):
    """Money taken (or refused) for a session, through the payment gateway."""

    id: uuid.UUID
    practice_id: uuid.UUID
    appointment_id: uuid.UUID | None
    payer_id: uuid.UUID
    amount: Decimal
    currency: str
    status: ChargeStatus
    idempotency_key: str
    gateway_reference: str
    created_at: datetime
    refund_requested_at: datetime | None = None
    refunded_at: datetime | None = None
    # Part of the amount to give back (a late cancellation's fee below the price taken);
    # None gives back all of it.
    refund_amount: Decimal | None = None

    @property
    def refunded(self) -> Decimal:
        """What has gone back to the card so far."""
        if self.refunded_at is None:
            return Decimal(0)
        return self.amount if self.refund_amount is None else self.refund_amount


@dataclass(eq=False)
class ReservedSlot(Aggregate):
    """A weekly time kept for one relationship, in the practitioner's local wall-clock time."""

    id: uuid.UUID
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID
    relationship_id: uuid.UUID
    weekday: Weekday
    start_time: time
    duration_minutes: int
    created_at: datetime


def reserve_slot(
    *, practice_id: uuid.UUID, practitioner_id: uuid.UUID, relationship_id: uuid.UUID,
    weekday: Weekday, start_time: time, duration_minutes: int, now: datetime,
) -> ReservedSlot:
    return ReservedSlot(
        id=uuid.uuid4(), practice_id=practice_id, practitioner_id=practitioner_id,
        relationship_id=relationship_id, weekday=weekday, start_time=start_time,
        duration_minutes=check_duration(duration_minutes), created_at=now,
    )
