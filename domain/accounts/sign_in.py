"""What sign-in and sign-up tell an account's owner by email."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.shared.events import Event


@dataclass(frozen=True)
class SignInLocked(Event):
    """Repeated wrong passwords paused sign-in for the account: its owner hears of it once."""

    account_id: uuid.UUID
    minutes: int


@dataclass(frozen=True)
class RegistrationOnTakenEmail(Event):
    """Someone tried to register a practice with the account's email; nothing was created."""

    account_id: uuid.UUID
