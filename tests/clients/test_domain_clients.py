"""Unit tests: client profiles, phone numbers, countries and invitations."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.accounts.practice import Role
from domain.clients.clients import ClientInvite, invite, new_client, open_account
from domain.clients.profile import (
    EMPTY_PROFILE,
    KEEP,
    AddressInput,
    Profile,
    ProfileChanges,
    country_of_timezone,
    merge_profile,
    normalise_phone,
    profile_incomplete,
)
from domain.shared.errors import DomainError, ErrorCode

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
TODAY = date(2026, 1, 15)


def fields(error: DomainError) -> list[tuple[tuple[str, ...] | None, str]]:
    return [(p.field, p.code.value) for p in error.problems]


def test_country_of_timezone() -> None:
    assert country_of_timezone("Europe/London") == "GB"
    assert country_of_timezone("America/New_York") == "US"
    assert country_of_timezone("UTC") is None


@pytest.mark.parametrize(("typed", "region", "expected"), [
    ("07911 123456", "GB", "+447911123456"),
    ("+1 (212) 555-0123", None, "+12125550123"),
    ("(212) 555-0123", "US", "+12125550123"),
    ("  ", None, None),
])
def test_phone_numbers_become_e164(typed: str, region: str | None, expected: str | None) -> None:
    assert normalise_phone(typed, region) == expected


@pytest.mark.parametrize(("typed", "region"), [("07911 123456", None), ("12", "GB"),
                                               ("call me", "GB")])
def test_bad_phone_numbers_are_invalid(typed: str, region: str | None) -> None:
    with pytest.raises(DomainError) as refused:
        normalise_phone(typed, region)
    assert fields(refused.value) == [(("phone",), "INVALID")]


def test_merging_keeps_what_is_not_given_and_clears_what_is_null() -> None:
    current = Profile("Ann", "Lee", "ann@example.com", "+447911123456", date(1990, 1, 1))
    merged = merge_profile(current, ProfileChanges(first_name=" Anne ", phone=None),
                           today=TODAY, phone_region="GB")
    assert merged == Profile("Anne", "Lee", "ann@example.com", None, date(1990, 1, 1))


def test_merging_reports_every_problem_with_its_path() -> None:
    changes = ProfileChanges(
        first_name="", last_name=None, email="bad", date_of_birth=date(2026, 1, 16),
        address=AddressInput(" ", None, "Leeds", "", "UK"),
    )
    with pytest.raises(DomainError) as refused:
        merge_profile(EMPTY_PROFILE, changes, today=TODAY, phone_region=None)
    assert fields(refused.value) == [
        (("firstName",), "INVALID"), (("lastName",), "INVALID"), (("email",), "INVALID"),
        (("dateOfBirth",), "INVALID"), (("address", "line1"), "INVALID"),
        (("address", "postalCode"), "INVALID"), (("address", "country"), "INVALID"),
    ]


def test_a_date_of_birth_may_be_today_but_not_absurdly_long_ago() -> None:
    ok = merge_profile(Profile("A", "B"), ProfileChanges(date_of_birth=TODAY), today=TODAY,
                       phone_region=None)
    assert ok.date_of_birth == TODAY
    with pytest.raises(DomainError):
        merge_profile(Profile("A", "B"), ProfileChanges(date_of_birth=date(1800, 1, 1)),
                      today=TODAY, phone_region=None)


def test_self_pay_needs_email_phone_date_of_birth_and_address() -> None:
    assert Profile("A", "B").missing_for_self_pay() == ["email", "phone", "dateOfBirth",
                                                        "address"]
    problems = profile_incomplete(["phone", "address"], "profile").items
    assert [(p.field, p.code) for p in problems] == [
        (("profile", "phone"), ErrorCode.PROFILE_INCOMPLETE),
        (("profile", "address"), ErrorCode.PROFILE_INCOMPLETE),
    ]


def test_an_unchanged_profile_is_kept_as_is() -> None:
    current = Profile("Ann", "Lee", "ann@example.com")
    assert merge_profile(current, ProfileChanges(), today=TODAY, phone_region=None) == current
    assert ProfileChanges().email is KEEP


def _client(email: str | None = "c@example.com"):  # type: ignore[no-untyped-def]
    return new_client(uuid.uuid4(), Profile("C", "D", email), NOW)


def test_an_invitation_lasts_seven_days_and_works_once() -> None:
    client = _client()
    made = invite(client, lambda invite_id: f"hash-{invite_id}", NOW)
    assert made.expires_at == NOW + timedelta(days=7)
    assert [type(e).__name__ for e in made.pop_events()] == ["ClientInvited"]
    assert made.usable(NOW + timedelta(days=7) - timedelta(seconds=1))
    assert not made.usable(NOW + timedelta(days=7))
    account, membership = open_account(client, made, "hash", NOW)
    assert account.email == "c@example.com"
    assert (membership.account_id, membership.role, membership.client_id,
            membership.practice_id) == (account.id, Role.CLIENT, client.id, client.practice_id)
    assert client.has_account
    with pytest.raises(DomainError) as refused:
        made.use(NOW)
    assert fields(refused.value) == [(("token",), "INVALID_TOKEN")]


def test_who_cannot_be_invited() -> None:
    with pytest.raises(DomainError) as no_email:
        invite(_client(email=None), str, NOW)
    assert fields(no_email.value) == [(None, "INVALID_STATE")]
    signed_up = _client()
    signed_up.has_account = True
    with pytest.raises(DomainError):
        invite(signed_up, str, NOW)


def test_a_revoked_invitation_is_no_longer_usable() -> None:
    made = ClientInvite(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "h", NOW,
                        NOW + timedelta(days=7))
    made.revoke(NOW)
    assert not made.usable(NOW)
