"""What the steps around a payment gateway call work with, shared by session and invoice money."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.accounts.payments import PaymentGateway
from persistence.database import Database, ReadScope
from persistence.uow import AfterCommit, UnitOfWork


@dataclass(frozen=True)
class PaymentContext:
    """The database, the instant and the gateway; `after_commit` hands new outbox rows to the
    broker (None in the sweep, which relays them itself). The gateway commits on its own, so
    it is called between these units of work, never inside one."""

    db: Database
    now: datetime
    gateway: PaymentGateway
    after_commit: AfterCommit | None = None
    read_scope: ReadScope | None = None  # the request's, ended around each write
    committed: Callable[[list[Any]], None] | None = None  # the request's loaders, primed

    def reading(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.now, read_only=True, read_scope=self.read_scope)

    def writing(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.now, after_commit=self.after_commit,
                          read_scope=self.read_scope, committed=self.committed)
