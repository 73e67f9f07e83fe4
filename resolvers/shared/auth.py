"""Password hashing (Argon2) and signed, expiring access tokens (JWT)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.accounts.practice import Account, Role

_hasher = PasswordHasher()
# Verifying against this when the email is unknown costs the same as a real check,
# so response time does not tell which emails have accounts.
_DUMMY_HASH = _hasher.hash("caseload-dummy-password")


def use_argon2_memory(kib: int) -> None:
    """Hash new passwords (and the dummy) with this much memory; argon2-cffi's default is
    64 MiB. The process has one setting, so a real check and the dummy cost the same."""
    global _hasher, _DUMMY_HASH
    if kib != _hasher.memory_cost:
        _hasher = PasswordHasher(memory_cost=kib)
        _DUMMY_HASH = _hasher.hash("caseload-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as the signed token says."""

    account_id: uuid.UUID
    practice_id: uuid.UUID
    role: Role
    practitioner_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OWNER, Role.PRACTITIONER)


class Tokens:
    ALGORITHM = "HS256"

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self.secret = secret
        self.ttl = ttl

    def issue(self, account: Account, now: datetime) -> str:
        claims = {
            "sub": str(account.id),
            "practice": str(account.practice_id),
            "role": account.role.value,
            "practitioner": str(account.practitioner_id) if account.practitioner_id else None,
            "client": str(account.client_id) if account.client_id else None,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.secret, algorithm=self.ALGORITHM)

    def read(self, token: str, now: datetime) -> Viewer | None:
        """The viewer a token stands for, or None when it is forged, malformed or expired."""
        found = self.read_until(token, now)
        return None if found is None else found[0]

    def read_until(self, token: str, now: datetime) -> tuple[Viewer, datetime] | None:
        """The viewer and when the token expires (a WebSocket is closed then), or None."""
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=[self.ALGORITHM],
                # exp is checked below against our clock; PyJWT would check iat against the
                # wall clock, which refuses every token issued while the clock is moved ahead.
                options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
            )
            if claims["exp"] <= now.timestamp():
                return None
            return Viewer(
                account_id=uuid.UUID(claims["sub"]),
                practice_id=uuid.UUID(claims["practice"]),
                role=Role(claims["role"]),
                practitioner_id=_uuid(claims.get("practitioner")),
                client_id=_uuid(claims.get("client")),
            ), datetime.fromtimestamp(claims["exp"], UTC)
        except (jwt.PyJWTError, KeyError, ValueError):
            return None


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
