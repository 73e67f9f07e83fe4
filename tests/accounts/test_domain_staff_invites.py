"""The staff invitation's rules as plain Python: a link works once, until it expires, is
withdrawn or replaced; accepting links the membership to the invited practitioner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts.practice import Account, NewPractitioner, Practice, Role
from domain.accounts.staff_invites import (
    STAFF_INVITE_LIFETIME,
    PractitionerInvited,
    invite,
    join_as_staff,
    new_invited_practitioner,
    open_staff_account,
    revoke_all,
)
from domain.shared.errors import DomainError, ErrorCode

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)
PRACTICE = Practice(id=uuid.uuid4(), name="Calm", slug="calm", timezone="Europe/London",
                    currency="GBP", created_at=NOW)
DETAILS = NewPractitioner("Sam Staff", "sam@example.com", "", "Europe/London")


def hashed(invite_id: uuid.UUID) -> str:
    return f"hash-{invite_id}"


def test_an_invitation_is_announced_and_works_until_it_expires() -> None:
    practitioner = new_invited_practitioner(PRACTICE, DETAILS, NOW)
    created = invite(practitioner, [], hashed, NOW)
    assert created.pop_events() == [PractitionerInvited(PRACTICE.id, practitioner.id, created.id)]
    assert created.token_hash == f"hash-{created.id}" and created.email == "sam@example.com"
    assert created.usable(NOW + STAFF_INVITE_LIFETIME - timedelta(seconds=1))
    assert not created.usable(NOW + STAFF_INVITE_LIFETIME)


def test_a_new_invitation_withdraws_the_open_ones_and_a_used_one_stays_used() -> None:
    practitioner = new_invited_practitioner(PRACTICE, DETAILS, NOW)
    first = invite(practitioner, [], hashed, NOW)
    second = invite(practitioner, [first], hashed, NOW + timedelta(minutes=1))
    assert first.revoked_at == NOW + timedelta(minutes=1) and not first.usable(NOW)
    account, membership = open_staff_account(second, "argon2-hash", NOW)
    assert (membership.account_id, membership.practice_id, membership.role,
            membership.practitioner_id) == (account.id, PRACTICE.id, Role.PRACTITIONER,
                                             practitioner.id)
    second.revoke(NOW)  # too late: it was used
    assert second.revoked_at is None and second.used_at == NOW
    with pytest.raises(DomainError) as refused:
        join_as_staff(second, account, NOW)
    assert [p.code for p in refused.value.problems] == [ErrorCode.INVALID_TOKEN]


def test_an_existing_account_joins_and_revoking_needs_an_open_invitation() -> None:
    practitioner = new_invited_practitioner(PRACTICE, DETAILS, NOW)
    person = Account(id=uuid.uuid4(), email="sam@example.com", password_hash="h",
                     created_at=NOW)
    membership = join_as_staff(invite(practitioner, [], hashed, NOW), person, NOW)
    assert membership.account_id == person.id and membership.client_id is None
    with pytest.raises(DomainError) as refused:
        revoke_all([], NOW)
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.INVALID_STATE, ("practitionerId",))]
