"""Clients of a practice, and the single-use invitations that give them a sign-in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.accounts.practice import Account, Membership, Role
from domain.clients.profile import Address, Profile, missing_for_self_pay
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate, Event

INVITE_LIFETIME = timedelta(days=7)


@dataclass(eq=False)
class Client(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    first_name: str
    last_name: str
    created_at: datetime
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    address: Address | None = None
    has_account: bool = False

    @property
    def profile(self) -> Profile:
        return Profile(self.first_name, self.last_name, self.email, self.phone,
                       self.date_of_birth, self.address)

    def apply(self, profile: Profile) -> None:
        self.first_name = profile.first_name
        self.last_name = profile.last_name
        self.email = profile.email
        self.phone = profile.phone
        self.date_of_birth = profile.date_of_birth
        self.address = profile.address

    def missing_profile_fields(self) -> list[str]:
        return missing_for_self_pay(self.email, self.phone, self.date_of_birth, self.address)


def new_client(practice_id: uuid.UUID, profile: Profile, now: datetime) -> Client:
    client = Client(id=uuid.uuid4(), practice_id=practice_id, first_name="", last_name="",
                    created_at=now)
    client.apply(profile)
    return client


@dataclass(frozen=True)
class ClientInvited(Event):
    practice_id: uuid.UUID
    client_id: uuid.UUID
    invite_id: uuid.UUID


@dataclass(eq=False)
class ClientInvite(Aggregate):
    """A link that lets a client set a password once. Only a hash of its token is kept."""

    id: uuid.UUID
    practice_id: uuid.UUID
    client_id: uuid.UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def use(self, now: datetime) -> None:
        if not self.usable(now):
            raise invalid_token()
        self.used_at = now

    def revoke(self, now: datetime) -> None:
        """A newer invitation replaces this one."""
        if self.used_at is None:
            self.used_at = now


def invite(
    client: Client, token_hash_for: Callable[[uuid.UUID], str], now: datetime,
    *, announce: bool = True,
) -> ClientInvite:
    """A new invitation; `announce` emails it (a migration sends its own email instead)."""
    ensure_invitable(client)
    invite_id = uuid.uuid4()
    created = ClientInvite(
        id=invite_id, practice_id=client.practice_id, client_id=client.id,
        token_hash=token_hash_for(invite_id), created_at=now, expires_at=now + INVITE_LIFETIME,
    )
    if announce:
        created.record(ClientInvited(client.practice_id, client.id, invite_id))
    return created


def open_account(
    client: Client, invite: ClientInvite, password_hash: str, now: datetime
) -> tuple[Account, Membership]:
    """A new sign-in on the client's email, for a person who has none; the invitation is
    spent."""
    account = Account(id=uuid.uuid4(), email=client.email or "", password_hash=password_hash,
                      created_at=now)
    return account, join_as_client(client, invite, account, now)


def join_as_client(
    client: Client, invite: ClientInvite, account: Account, now: datetime
) -> Membership:
    """The person's sign-in becomes this client's too (the caller checked their password);
    the invitation is spent."""
    if client.has_account or not client.email:
        raise invalid_token()
    invite.use(now)
    client.has_account = True
    return Membership(
        id=uuid.uuid4(), account_id=account.id, practice_id=client.practice_id,
        role=Role.CLIENT, created_at=now, client_id=client.id,
    )


def ensure_invitable(client: Client) -> None:
    if client.has_account:
        raise DomainError.one(ErrorCode.INVALID_STATE, "The client already has a sign-in.")
    if not client.email:
        raise DomainError.one(
            ErrorCode.INVALID_STATE, "The client needs an email address to be invited."
        )


def invalid_token() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID_TOKEN, "This invitation link is not valid; ask for a new one.",
        ["token"],
    )
