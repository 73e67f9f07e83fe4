"""Inviting a person to be a practitioner of a practice, with their consent: the owner's
invitation is a single-use, expiring link emailed to them; only accepting it gives their
sign-in (an existing one, or one they open with a password of their own) a staff
membership of the practice. The practitioner record exists from the invitation on, but
nobody signs in as it until then."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.accounts.practice import (
    Account,
    Membership,
    NewPractitioner,
    Practice,
    Practitioner,
    Role,
)
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate, Event

STAFF_INVITE_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class PractitionerInvited(Event):
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID
    invite_id: uuid.UUID


@dataclass(eq=False)
class PractitionerInvite(Aggregate):
    """A link that makes the person at `email` a practitioner of the practice, once, within
    STAFF_INVITE_LIFETIME. Only a hash of its token is kept."""

    id: uuid.UUID
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID
    email: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        """Withdrawn by the owner, or replaced by a newer invitation."""
        if self.used_at is None and self.revoked_at is None:
            self.revoked_at = now


def new_invited_practitioner(
    practice: Practice, details: NewPractitioner, now: datetime
) -> Practitioner:
    """The practice's record of the practitioner; it signs nobody in until accepted."""
    return Practitioner(
        id=uuid.uuid4(), practice_id=practice.id, name=details.name, email=details.email,
        timezone=details.timezone, created_at=now,
    )


def invite(
    practitioner: Practitioner, earlier: list[PractitionerInvite],
    token_hash_for: Callable[[uuid.UUID], str], now: datetime,
) -> PractitionerInvite:
    """A fresh link, emailed; the earlier open ones stop working."""
    for old in earlier:
        old.revoke(now)
    invite_id = uuid.uuid4()
    created = PractitionerInvite(
        id=invite_id, practice_id=practitioner.practice_id, practitioner_id=practitioner.id,
        email=practitioner.email, token_hash=token_hash_for(invite_id), created_at=now,
        expires_at=now + STAFF_INVITE_LIFETIME,
    )
    created.record(PractitionerInvited(practitioner.practice_id, practitioner.id, invite_id))
    return created


def revoke_all(open_invites: list[PractitionerInvite], now: datetime) -> None:
    if not open_invites:
        raise DomainError.one(
            ErrorCode.INVALID_STATE, "The practitioner has no open invitation to revoke.",
            ["practitionerId"])
    for found in open_invites:
        found.revoke(now)


def join_as_staff(
    invite: PractitionerInvite, account: Account, now: datetime
) -> Membership:
    """The person's sign-in (the caller checked its password, or just opened it) becomes a
    practitioner of the practice; the link is spent."""
    if not invite.usable(now):
        raise invalid_staff_invite()
    invite.used_at = now
    return Membership(
        id=uuid.uuid4(), account_id=account.id, practice_id=invite.practice_id,
        role=Role.PRACTITIONER, created_at=now, practitioner_id=invite.practitioner_id,
    )


def open_staff_account(
    invite: PractitionerInvite, password_hash: str, now: datetime
) -> tuple[Account, Membership]:
    """A new sign-in on the invited email, for a person who has none."""
    account = Account(id=uuid.uuid4(), email=invite.email, password_hash=password_hash,
                      created_at=now)
    return account, join_as_staff(invite, account, now)


def invalid_staff_invite() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID_TOKEN,
        "This practitioner invitation link is not valid: it was already used, withdrawn or "
        "replaced, or has expired. Ask the practice for a new one.", ["token"],
    )


def already_in_practice(field: str | None) -> DomainError:
    return DomainError.one(
        ErrorCode.EMAIL_TAKEN, "This email already signs in to this practice.",
        [field] if field else None)
