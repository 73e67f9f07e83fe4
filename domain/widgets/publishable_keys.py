"""Publishable keys: what a practice gives a booking widget. A key opens only the public
booking surface, from the web origins it names. Its secret part is shown once and only a
hash of the whole key is kept."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.validation import invalid, required_text

KEY_SCHEME = "pk_live_"
MAX_ORIGINS = 10
MAX_ORIGIN_LENGTH = 200
MAX_NAME_LENGTH = 100
# pk_live_<12 hex: the public lookup part>_<secret>
_KEY_FORMAT = re.compile(r"^pk_live_([0-9a-f]{12})_([A-Za-z0-9_-]{20,64})$")


@dataclass(eq=False)
class PublishableKey:
    id: uuid.UUID
    practice_id: uuid.UUID
    name: str
    prefix: str
    secret_hash: str
    allowed_origins: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def opens(self, presented: str) -> bool:
        """The whole presented key matches, and the key was not revoked."""
        return self.active and hmac.compare_digest(self.secret_hash, hash_key(presented))

    def allows(self, origin: str | None) -> bool:
        return origin is not None and origin.lower() in self.allowed_origins

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise DomainError.one(ErrorCode.INVALID_STATE, "This key is already revoked.",
                                  ["id"])
        self.revoked_at = now


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its full text, which is shown once."""

    key: PublishableKey
    text: str


def hash_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def key_prefix(text: str) -> str | None:
    """The lookup part (pk_live_<12 hex>) of a well-formed key; None for anything else, so
    a malformed key never reaches the database."""
    match = _KEY_FORMAT.match(text)
    return f"{KEY_SCHEME}{match.group(1)}" if match else None


def issue_key(
    practice_id: uuid.UUID, name: str, origins: list[str], now: datetime
) -> IssuedKey:
    problems = Problems()
    clean_name = problems.check(required_text, name, "name", max_length=MAX_NAME_LENGTH)
    clean_origins = problems.check(check_origins, origins)
    problems.raise_if_any()
    prefix = f"{KEY_SCHEME}{secrets.token_hex(6)}"
    text = f"{prefix}_{secrets.token_urlsafe(24)}"
    key = PublishableKey(
        id=uuid.uuid4(), practice_id=practice_id, name=clean_name, prefix=prefix,
        secret_hash=hash_key(text), allowed_origins=tuple(clean_origins), created_at=now,
    )
    return IssuedKey(key, text)


def check_origins(origins: list[str], field: str = "allowedOrigins") -> list[str]:
    """One to MAX_ORIGINS web origins (scheme://host[:port]), lower-cased, each once, in
    order (as the database answers them)."""
    if not 1 <= len(origins) <= MAX_ORIGINS:
        raise invalid(f"Give 1 to {MAX_ORIGINS} allowed origins.", field)
    problems = Problems()
    clean: list[str] = []
    for index, origin in enumerate(origins):
        normalised = problems.check(normalise_origin, origin, field, str(index))
        if normalised is not None and normalised not in clean:
            clean.append(normalised)
    problems.raise_if_any()
    return sorted(clean)


def normalise_origin(value: str, *field: str) -> str:
    text = value.strip().lower().rstrip("/")
    refusal = DomainError.one(
        ErrorCode.INVALID,
        f"{value[:MAX_ORIGIN_LENGTH]!r} is not a web origin like https://www.example.com.",
        field,
    )
    if len(text) > MAX_ORIGIN_LENGTH:
        raise refusal
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise refusal from None
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path
            or parts.query or parts.fragment or parts.username or parts.password):
        raise refusal
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port is not None else "")
