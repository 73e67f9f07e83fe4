"""What actors and the sweep work with; built by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from domain.shared.live import LiveEvent
from jobs.email.adapters import Mailer
from persistence.database import Database


@dataclass
class JobContext:
    db: Database
    mailer: Mailer
    clock: Callable[[], datetime]
    app_url: str
    sender: str
    secret_key: str = ""  # derives invitation links (resolvers.invite_links)
    # Hands a live update to every `caseload serve` process (Redis pub/sub, or this one).
    publish: Callable[[LiveEvent], Awaitable[None]] | None = None
