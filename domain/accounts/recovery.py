"""Getting back into an account and ending its other sign-ins: password reset links,
password changes and signing out everywhere. Each of them raises the account's token
version, which ends every access token issued before."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.accounts.practice import Account
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate, Event
from domain.shared.validation import check_password

RESET_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class PasswordResetRequested(Event):
    reset_id: uuid.UUID


@dataclass(frozen=True)
class PasswordChanged(Event):
    """The owner hears of it, in case it was not them."""

    account_id: uuid.UUID


@dataclass(eq=False)
class PasswordReset(Aggregate):
    """A link that sets a new password once, within RESET_WITHIN. Only a hash of its token is
    kept. One asked for an unknown email has no account and never opens anything."""

    id: uuid.UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    account_id: uuid.UUID | None = None
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.account_id is not None and self.used_at is None and now < self.expires_at

    def use(self, now: datetime) -> None:
        if not self.usable(now):
            raise invalid_reset_link()
        self.used_at = now

    def withdraw(self, now: datetime) -> None:
        """The password changed some other way: an earlier link stops working."""
        if self.used_at is None:
            self.used_at = now


def request_reset(
    account: Account | None, token_hash_for: Callable[[uuid.UUID], str], now: datetime
) -> PasswordReset:
    """A reset link for the account, or an inert one when the email is unknown: both are
    kept and announced alike, and only the email job tells them apart."""
    reset_id = uuid.uuid4()
    reset = PasswordReset(
        id=reset_id, token_hash=token_hash_for(reset_id), created_at=now,
        expires_at=now + RESET_WITHIN, account_id=account.id if account else None,
    )
    reset.record(PasswordResetRequested(reset_id))
    return reset


def check_new_password(account: Account, password: str, field: str) -> None:
    check_password(password, email=account.email, field=field)


def set_new_password(account: Account, password_hash: str) -> None:
    """The new password (checked and hashed) replaces the old one, and every access token
    issued before stops working."""
    account.password_hash = password_hash
    account.end_tokens()
    account.record(PasswordChanged(account.id))


def invalid_reset_link() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID_TOKEN,
        "This password reset link is not valid, was already used or has expired; ask for "
        "a new one.", ["token"],
    )


def wrong_current_password() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", ["currentPassword"])
