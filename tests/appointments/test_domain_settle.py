"""What a charge means for its session: the sweep's charge and a late cancellation's fee."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.appointments.appointments import Appointment, Charge, ChargeStatus, PaymentFailed
from domain.appointments.policy import AppointmentStatus

START = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
NOW = START - timedelta(days=1)
EARLIER = NOW - timedelta(days=1)


def appointment(
    status: AppointmentStatus = AppointmentStatus.SCHEDULED,
    payment_failed_at: datetime | None = None,
) -> Appointment:
    return Appointment(
        id=uuid.uuid4(), practice_id=uuid.uuid4(), practitioner_id=uuid.uuid4(),
        relationship_id=uuid.uuid4(), payer_id=uuid.uuid4(), starts_at=START,
        ends_at=START + timedelta(hours=1), status=status, price=Decimal("80.00"),
        currency="EUR", created_at=EARLIER, payment_failed_at=payment_failed_at,
    )


def charge(of: Appointment, status: ChargeStatus) -> Charge:
    return Charge(
        id=uuid.uuid4(), practice_id=of.practice_id, appointment_id=of.id, payer_id=of.payer_id,
        amount=of.price, currency=of.currency, status=status, idempotency_key="key",
        gateway_reference="ref", created_at=NOW,
    )


def failed_events(a: Appointment) -> list[PaymentFailed]:
    return [e for e in a.pop_events() if isinstance(e, PaymentFailed)]


def test_a_due_charge_that_succeeds_pays_an_unpaid_appointment() -> None:
    a = appointment()
    taken = charge(a, ChargeStatus.SUCCEEDED)
    a.settle_due_charge(taken, NOW, new=True)
    assert a.charge_id == taken.id and taken.refund_requested_at is None


def test_a_due_charge_nothing_owes_any_more_is_given_back() -> None:
    # given a session cancelled while its charge was on its way
    a = appointment(AppointmentStatus.CANCELLED)
    taken = charge(a, ChargeStatus.SUCCEEDED)
    # when the sweep settles the successful charge
    a.settle_due_charge(taken, NOW, new=True)
    # then the money goes back and the session stays unpaid
    assert (taken.refund_requested_at, a.charge_id) == (NOW, None)


def test_a_new_card_refused_again_tells_the_payer_again() -> None:
    a = appointment(payment_failed_at=EARLIER)
    a.settle_due_charge(charge(a, ChargeStatus.FAILED), NOW, new=True)
    assert a.payment_failed_at == NOW and len(failed_events(a)) == 1


def test_a_refusal_seen_before_under_the_same_key_tells_nobody() -> None:
    a = appointment()
    a.settle_due_charge(charge(a, ChargeStatus.FAILED), NOW, new=False)
    assert a.payment_failed_at is None and failed_events(a) == []


def test_a_late_fee_that_succeeds_pays_the_cancelled_appointment_and_is_kept() -> None:
    a = appointment(AppointmentStatus.LATE_CANCELLED)
    taken = charge(a, ChargeStatus.SUCCEEDED)
    a.settle_late_fee(taken, NOW)
    assert (a.charge_id, taken.refund_requested_at) == (taken.id, None)


def test_only_the_first_refused_late_fee_tells_the_payer() -> None:
    a = appointment(AppointmentStatus.LATE_CANCELLED)
    a.settle_late_fee(charge(a, ChargeStatus.FAILED), NOW)
    assert a.payment_failed_at == NOW and len(failed_events(a)) == 1
    a.settle_late_fee(charge(a, ChargeStatus.FAILED), NOW + timedelta(hours=1))
    assert a.payment_failed_at == NOW and failed_events(a) == []
