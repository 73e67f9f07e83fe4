"""The waitlist's rules, pure: the hold's deadline, what is worth offering, and an offer's
life (claimed once, expired, withdrawn)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appointments.waitlist import (
    OFFER_HOLD,
    OfferStatus,
    WaitlistEntry,
    WaitlistKind,
    WaitlistStatus,
    join_for_group_date,
    join_for_times,
    offer_deadline,
    worth_offering,
)
from domain.shared.errors import DomainError, ErrorCode

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def entry(earliest: datetime = NOW + 24 * H, latest: datetime = NOW + 30 * H) -> WaitlistEntry:
    return join_for_times(practice_id=uuid.uuid4(), relationship_id=uuid.uuid4(),
                          practitioner_id=uuid.uuid4(), client_id=uuid.uuid4(),
                          earliest=earliest, latest=latest, now=NOW)


@given(st.integers(0, 72 * 60).map(lambda m: timedelta(minutes=m)))
def test_an_offer_holds_two_hours_but_never_past_an_hour_before_the_start(
    ahead: timedelta
) -> None:
    deadline = offer_deadline(NOW, NOW + ahead)
    assert deadline == min(NOW + OFFER_HOLD, NOW + ahead - H)
    assert deadline <= NOW + OFFER_HOLD


def test_a_time_starting_within_two_hours_is_not_offered() -> None:
    assert not worth_offering(NOW + 2 * H, NOW)
    assert worth_offering(NOW + 2 * H + timedelta(microseconds=1), NOW)


def test_an_entry_wants_only_times_inside_its_range() -> None:
    waiting = entry()
    assert waiting.wants(NOW + 24 * H, NOW + 25 * H)
    assert waiting.wants(NOW + 29 * H, NOW + 30 * H)
    assert not waiting.wants(NOW + 24 * H - timedelta(minutes=1), NOW + 25 * H)
    assert not waiting.wants(NOW + 29 * H, NOW + 30 * H + timedelta(minutes=1))


def test_a_range_in_the_past_backwards_or_too_long_is_refused() -> None:
    for earliest, latest in ((NOW - 3 * H, NOW - H), (NOW + 2 * H, NOW + H),
                             (NOW, NOW + timedelta(days=93))):
        with pytest.raises(DomainError) as refused:
            entry(earliest, latest)
        assert [(p.field, p.code) for p in refused.value.problems] == [
            (("to",), ErrorCode.INVALID)]


def test_a_range_already_begun_starts_now() -> None:
    assert entry(NOW - H, NOW + H).earliest == NOW


def test_an_offer_is_claimed_once_and_only_before_its_deadline() -> None:
    waiting = entry()
    offer = waiting.offer(NOW, NOW + 24 * H, ends_at=NOW + 25 * H)
    assert waiting.status is WaitlistStatus.OFFERED
    assert [e.kind for e in offer.pop_events()] == ["WaitlistOffered"]
    with pytest.raises(DomainError):
        offer.claim(waiting, offer.expires_at, None)  # the deadline itself is too late
    offer.claim(waiting, offer.expires_at - timedelta(microseconds=1), "k")
    assert (offer.status, waiting.status) == (OfferStatus.CLAIMED, WaitlistStatus.BOOKED)
    with pytest.raises(DomainError) as again:
        offer.claim(waiting, NOW, "k")
    assert again.value.problems[0].code is ErrorCode.INVALID_TOKEN


def test_an_expired_time_offer_waits_again_and_a_group_one_has_passed() -> None:
    waiting = entry()
    offer = waiting.offer(NOW, NOW + 24 * H)
    offer.expire(waiting)
    assert (offer.status, waiting.status) == (OfferStatus.EXPIRED, WaitlistStatus.WAITING)
    group = join_for_group_date(practice_id=uuid.uuid4(), group_session_id=uuid.uuid4(),
                                client_id=uuid.uuid4(), payer_id=uuid.uuid4(),
                                first_date=date(2027, 3, 9), now=NOW)
    assert group.kind is WaitlistKind.GROUP_SESSION
    place = group.offer(NOW, NOW + 200 * H)
    place.expire(group)
    assert group.status is WaitlistStatus.PASSED


def test_leaving_withdraws_and_an_entry_left_cannot_claim() -> None:
    waiting = entry()
    offer = waiting.offer(NOW, NOW + 24 * H)
    waiting.leave(NOW)
    with pytest.raises(DomainError):
        offer.claim(waiting, NOW, None)
    with pytest.raises(DomainError):
        waiting.leave(NOW)
