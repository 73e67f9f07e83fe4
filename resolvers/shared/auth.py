"""Password hashing (Argon2) and signed, expiring access tokens (JWT)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.accounts.practice import Account, Membership, Role

VERIFIED_TOKENS_KEPT = 1024  # the tokens of the callers seen last, per process
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
    """Who is asking, as the signed token says: an account, through one of its memberships
    (the practice it sees, and as whom)."""

    account_id: uuid.UUID
    practice_id: uuid.UUID
    role: Role
    practitioner_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    token_version: int = 0
    membership_id: uuid.UUID | None = None
    expires_at: datetime | None = None

    @property
    def membership(self) -> uuid.UUID:
        """Tokens from before memberships stand for the one under the account's own id."""
        return self.membership_id or self.account_id

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OWNER, Role.PRACTITIONER)


class TokenRefusal(Enum):
    """Why a sent access token signs nobody in; each answers UNAUTHENTICATED with its message.
    A forged token and one with bad claims read alike: the answer does not say which check
    failed."""

    MALFORMED = "The access token is malformed: send the accessToken that signIn answered, " \
        "as `Authorization: Bearer <accessToken>`."
    INVALID = "The access token is not valid; sign in again."
    EXPIRED = "The access token has expired; sign in again."
    REVOKED = "The access token is no longer valid: the password was changed or the " \
        "account signed out everywhere since it was issued; sign in again."


class Tokens:
    ALGORITHM = "HS256"

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self.secret = secret
        self.ttl = ttl
        # What a token's signature and claims say never changes, and a request reads its
        # token more than once (its rate-limit bucket, then its viewer): verified once per
        # token. Expiry against the clock, and revocation (the account's version), are
        # checked on every request all the same.
        self._verified = lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify)

    def issue(self, account: Account, membership: Membership, now: datetime) -> str:
        claims = {
            "sub": str(account.id),
            "membership": str(membership.id),
            "practice": str(membership.practice_id),
            "role": membership.role.value,
            "practitioner": _text(membership.practitioner_id),
            "client": _text(membership.client_id),
            "ver": account.token_version,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.secret, algorithm=self.ALGORITHM)

    def read(self, token: str, now: datetime) -> Viewer | None:
        """The viewer a token stands for, or None when it is forged, malformed or expired
        (whether it was revoked since takes the account's version: see `check`)."""
        found = self.check(token, now)
        return found if isinstance(found, Viewer) else None

    def check(self, token: str, now: datetime) -> Viewer | TokenRefusal:
        """The viewer a token stands for, or why it stands for nobody."""
        found = self._verified(token)
        if isinstance(found, TokenRefusal):
            return found
        viewer, expires = found
        return TokenRefusal.EXPIRED if expires <= now.timestamp() else viewer

    def _verify(self, token: str) -> tuple[Viewer, float] | TokenRefusal:
        """The viewer a well-signed token names and when it expires, or why it names nobody."""
        try:
            jwt.decode(token, options={"verify_signature": False})  # a JWS of a JSON object
        except jwt.DecodeError:
            return TokenRefusal.MALFORMED
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=[self.ALGORITHM],
                # exp is checked below against our clock; PyJWT would check iat against the
                # wall clock, which refuses every token issued while the clock is moved ahead.
                options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
            )
            viewer = Viewer(
                account_id=uuid.UUID(claims["sub"]),
                practice_id=uuid.UUID(claims["practice"]),
                role=Role(claims["role"]),
                practitioner_id=_uuid(claims.get("practitioner")),
                client_id=_uuid(claims.get("client")),
                token_version=int(claims.get("ver") or 0),  # tokens from before versions: 0
                membership_id=_uuid(claims.get("membership")),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
            expires = float(claims["exp"])
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            return TokenRefusal.INVALID
        return viewer, expires


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None
