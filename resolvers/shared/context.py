"""What every use case gets: the services of the composition root and who is asking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.accounts.payments import PaymentGateway
from domain.shared.errors import DomainError, ErrorCode
from persistence.database import Database, Reads, ReadScope
from persistence.uow import AfterCommit, UnitOfWork
from resolvers.shared.auth import Tokens, Viewer
from resolvers.shared.limits import DEFAULT_SIGN_IN_FAILURES, Limit, RateLimiter
from resolvers.shared.live_feed import LiveFeed
from resolvers.shared.loaders import Loaders

Clock = Callable[[], datetime]
# In RequestContext.extra: why the request's access token signed nobody in (a TokenRefusal).
TOKEN_REFUSAL = "token_refusal"


@dataclass
class Services:
    """Built once per process by the composition root."""

    db: Database
    clock: Clock
    tokens: Tokens
    public_url: str
    after_commit: AfterCommit | None = None
    payments: PaymentGateway | None = None
    limiter: RateLimiter | None = None
    sign_in_failures: Limit = DEFAULT_SIGN_IN_FAILURES
    live: LiveFeed | None = None  # the live updates this process receives


@dataclass
class RequestContext:
    """Built per request: `now` is read once, so one request sees one instant."""

    services: Services
    viewer: Viewer | None
    now: datetime
    request_id: str
    loaders: Loaders
    request: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    # A WebSocket's connection_init payload (Strawberry sets it on subscriptions).
    connection_params: dict[str, Any] | None = None
    # One request's shared read transaction; None: each batch reads in a session of its own.
    read_scope: ReadScope | None = None
    # Answer types built from the loaders' rows, by type and id of the row: see schema.shared.
    built: defaultdict[type, dict[int, tuple[Any, Any]]] = field(
        default_factory=lambda: defaultdict(dict))

    @classmethod
    def build(
        cls, services: Services, viewer: Viewer | None, request_id: str, request: Any = None,
        *, read_scope: ReadScope | None = None,
    ) -> RequestContext:
        now = services.clock()
        reads: Reads = read_scope or services.db
        return cls(services, viewer, now, request_id, Loaders(reads, now), request,
                   read_scope=read_scope)

    def release(self) -> None:
        """The answer is sent: let the rows read for it go (loaders still work if asked)."""
        self.loaders.release()
        self.built.clear()

    def refresh(self) -> None:
        """A new instant and new loaders, for a long-lived subscription's next answer."""
        self.now = self.services.clock()
        self.loaders = Loaders(self.services.db, self.now)
        self.built.clear()

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def reads(self) -> Reads:
        return self.read_scope or self.services.db

    async def end_reads(self) -> None:
        if self.read_scope is not None:
            await self.read_scope.release()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.services.db, self.now, after_commit=self.services.after_commit,
                          read_scope=self.read_scope, committed=self.loaders.prime_committed)

    @property
    def payments(self) -> PaymentGateway:
        if self.services.payments is None:
            raise RuntimeError("no payment gateway is configured")
        return self.services.payments

    def reading(self) -> UnitOfWork:
        """Repositories for a use case that only reads (in the request's read transaction, so
        they must not wait on a loader inside the block: loaders take turns with them)."""
        return UnitOfWork(self.services.db, self.now, read_only=True,
                          read_scope=self.read_scope)

    def signed_in(self) -> Viewer:
        if self.viewer is None:  # the schema refuses these earlier; this is a second lock
            raise DomainError.one(ErrorCode.NOT_PERMITTED, "Sign in first.")
        return self.viewer

    def staff(self) -> Viewer:
        viewer = self.signed_in()
        if not viewer.is_staff:
            raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only the practice's staff may do this.")
        return viewer
