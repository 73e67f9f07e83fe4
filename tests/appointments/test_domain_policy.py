"""The 48-hour policy and the sweep's clock rules, at their boundaries (pure, no server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appointments.policy import (
    AppointmentStatus,
    Cancellation,
    CancelledBy,
    Fee,
    auto_cancel_due,
    awaiting_update,
    can_client_reschedule,
    cancellation,
    charge_due,
    charge_due_from,
    client_cancellation,
    ensure_scheduled,
    inside_notice_window,
    is_upcoming,
    practice_cancellation,
    reminder_due,
)
from domain.shared.errors import DomainError, ErrorCode

START = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
TICK = timedelta(microseconds=1)
# Offsets from a boundary: whole minutes and seconds either side, and a microsecond.
offsets = st.one_of(
    st.integers(-180, 180).map(lambda m: timedelta(minutes=m)),
    st.integers(-3600, 3600).map(lambda s: timedelta(seconds=s)),
    st.sampled_from([-TICK, timedelta(0), TICK]),
)
notice = st.integers(min_value=0, max_value=168)


def before(delta: timedelta) -> datetime:
    """`now` when the session starts `delta` from now."""
    return START - delta


# ---------------------------------------------------------------- the notice window


def test_exactly_48_hours_notice_is_inside_the_window() -> None:
    assert inside_notice_window(START, before(48 * H))
    assert inside_notice_window(START, before(48 * H - TICK))
    assert not inside_notice_window(START, before(48 * H + TICK))
    assert inside_notice_window(START, START + H)  # started: inside too


@given(notice, offsets)
def test_inside_the_window_means_at_most_the_notice(hours: int, offset: timedelta) -> None:
    now = before(timedelta(hours=hours) + offset)
    assert inside_notice_window(START, now, hours) is (offset <= timedelta(0))


def test_the_window_is_the_practices_setting() -> None:
    assert not inside_notice_window(START, before(25 * H), 24)
    assert inside_notice_window(START, before(24 * H), 24)
    assert inside_notice_window(START, START, 0)
    assert not inside_notice_window(START, before(TICK), 0)


def test_times_in_any_offset_compare_as_instants() -> None:
    plus_two = timezone(timedelta(hours=2))
    now = (START - 48 * H).astimezone(plus_two)
    assert inside_notice_window(START, now)
    assert not inside_notice_window(START, now - TICK)


@pytest.mark.parametrize("bad", [-1, True, 1.5])
def test_a_nonsense_window_is_a_programming_error(bad: object) -> None:
    with pytest.raises(ValueError):
        inside_notice_window(START, before(H), bad)  # type: ignore[arg-type]


def test_naive_times_are_refused() -> None:
    naive = START.replace(tzinfo=None)
    for check in (lambda: inside_notice_window(naive, START), lambda: auto_cancel_due(START, naive),
                  lambda: reminder_due(naive, START), lambda: is_upcoming(naive, START),
                  lambda: awaiting_update(START, AppointmentStatus.SCHEDULED, naive)):
        with pytest.raises(ValueError):
            check()


# ---------------------------------------------------------------- cancelling and moving


def test_client_cancelling_with_more_notice_owes_nothing() -> None:
    outcome = client_cancellation(START, before(48 * H + timedelta(seconds=1)))
    assert outcome == Cancellation(AppointmentStatus.CANCELLED, Fee.WAIVED)
    assert not outcome.late


def test_client_cancelling_with_exactly_48_hours_notice_is_late() -> None:
    outcome = client_cancellation(START, before(48 * H))
    assert outcome == Cancellation(AppointmentStatus.LATE_CANCELLED, Fee.STANDS)
    assert outcome.late


@given(notice, offsets)
def test_client_cancellation_follows_the_window(hours: int, offset: timedelta) -> None:
    now = before(timedelta(hours=hours) + offset)
    outcome = client_cancellation(START, now, hours)
    late = inside_notice_window(START, now, hours)
    assert outcome.status is (
            AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED)
    assert outcome.fee is (Fee.STANDS if late else Fee.WAIVED)


@given(notice, offsets)
def test_the_practice_cancelling_never_charges(hours: int, offset: timedelta) -> None:
    now = before(timedelta(hours=hours) + offset)
    expected = Cancellation(AppointmentStatus.CANCELLED, Fee.WAIVED)
    assert practice_cancellation() == expected
    assert cancellation(CancelledBy.PRACTICE, START, now, hours) == expected
    assert cancellation(CancelledBy.CLIENT, START, now, hours) == client_cancellation(
        START, now, hours)


def test_a_client_may_not_move_a_appointment_inside_the_window() -> None:
    can_client_reschedule(START, before(48 * H + TICK))
    with pytest.raises(DomainError) as caught:
        can_client_reschedule(START, before(48 * H))
    (problem,) = caught.value.problems
    assert problem.code is ErrorCode.LATE_CHANGE
    assert problem.field == ("sessionId",)


@given(notice, offsets)
def test_moving_is_refused_exactly_when_cancelling_would_be_late(
    hours: int, offset: timedelta
) -> None:
    now = before(timedelta(hours=hours) + offset)
    late = client_cancellation(START, now, hours).late
    try:
        can_client_reschedule(START, now, hours)
    except DomainError as error:
        assert late and error.problems[0].code is ErrorCode.LATE_CHANGE
    else:
        assert not late


def test_only_scheduled_appointments_change() -> None:
    ensure_scheduled(AppointmentStatus.SCHEDULED)
    for status in set(AppointmentStatus) - {AppointmentStatus.SCHEDULED}:
        with pytest.raises(DomainError) as caught:
            ensure_scheduled(status)
        assert caught.value.problems[0].code is ErrorCode.INVALID_STATE


# ---------------------------------------------------------------- the sweep


@given(notice, offsets)
def test_payment_is_taken_inside_the_window_never_earlier(hours: int, offset: timedelta) -> None:
    now = before(timedelta(hours=hours) + offset)
    assert charge_due(START, now, hours) is (offset <= timedelta(0))
    assert charge_due(START, now, hours) is (charge_due_from(START, hours) <= now)


def test_payment_is_due_at_exactly_48_hours_and_for_past_appointments() -> None:
    assert charge_due(START, before(48 * H))
    assert not charge_due(START, before(48 * H + TICK))
    assert charge_due(START, START + 5 * H)
    assert charge_due_from(START) == START - 48 * H


def test_automatic_cancellation_boundaries() -> None:
    assert auto_cancel_due(START, before(H))
    assert not auto_cancel_due(START, before(H + TICK))
    assert auto_cancel_due(START, before(TICK))
    assert not auto_cancel_due(START, START)
    assert not auto_cancel_due(START, START + H)


@given(offsets)
def test_automatic_cancellation_is_the_hour_before_the_start(offset: timedelta) -> None:
    for delta in (H + offset, offset):  # around the hour before, and around the start itself
        assert auto_cancel_due(START, before(delta)) is (timedelta(0) < delta <= H)


def test_reminder_boundaries() -> None:
    assert reminder_due(START, before(24 * H))
    assert not reminder_due(START, before(24 * H + TICK))
    assert reminder_due(START, before(H + TICK))
    assert not reminder_due(START, before(H))


@given(st.integers(-3 * 24 * 3600, 3 * 24 * 3600).map(lambda s: timedelta(seconds=s)))
def test_reminder_then_automatic_cancellation_never_both(delta: timedelta) -> None:
    now = before(delta)
    assert reminder_due(START, now) is (H < delta <= 24 * H)
    assert auto_cancel_due(START, now) is (timedelta(0) < delta <= H)
    assert not (reminder_due(START, now) and auto_cancel_due(START, now))


@given(offsets)
def test_awaiting_update_from_the_start(offset: timedelta) -> None:
    now = START + offset
    assert awaiting_update(START, AppointmentStatus.SCHEDULED, now) is (offset >= timedelta(0))
    assert is_upcoming(START, now) is (offset < timedelta(0))
    for status in set(AppointmentStatus) - {AppointmentStatus.SCHEDULED}:
        assert not awaiting_update(START, status, now)
