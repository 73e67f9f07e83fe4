"""Idempotency keys: a retry with the same key answers the first result and does nothing
again; the same key with different input is IDEMPOTENCY_CONFLICT."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from domain.shared.errors import DomainError, ErrorCode
from persistence.uow import UnitOfWork

MAX_KEY_LENGTH = 200


def request_hash(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Idempotency:
    """One mutation call's key (or none) and the fingerprint of its input."""

    account_id: uuid.UUID
    operation: str
    key: str | None
    fingerprint: str

    @classmethod
    def of(
        cls, account_id: uuid.UUID, operation: str, key: str | None, values: dict[str, Any]
    ) -> Idempotency:
        if key is not None and not 1 <= len(key.strip()) <= MAX_KEY_LENGTH:
            raise DomainError.one(
                ErrorCode.INVALID,
                f"idempotencyKey must be 1 to {MAX_KEY_LENGTH} characters.", ["idempotencyKey"],
            )
        return cls(account_id, operation, key.strip() if key else None, request_hash(values))

    async def earlier_result(self, uow: UnitOfWork) -> uuid.UUID | None:
        """The id the first call with this key answered, or None when this is the first."""
        if self.key is None:
            return None
        found = await uow.idempotency_keys.find(self.account_id, self.operation, self.key)
        if found is None:
            return None
        if found.request_hash != self.fingerprint:
            raise DomainError.one(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "This idempotencyKey was used for a different request.", ["idempotencyKey"],
            )
        return found.result_id  # type: ignore[no-any-return]

    async def remember(self, uow: UnitOfWork, result_id: uuid.UUID) -> None:
        if self.key is not None:
            await uow.idempotency_keys.remember(
                self.account_id, self.operation, self.key, self.fingerprint, result_id, uow.now
            )
