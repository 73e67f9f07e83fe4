"""Publishable keys at the HTTP edge of /graphql. A request presenting `X-Caseload-Key` must
come from one of the key's origins (or from Caseload's own widget page: same origin); it is
answered with CORS headers for that origin only and counted against the key's request
budget. CORS preflights are answered for origins a live key names, and for no others."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseload.edge import budgets_unavailable, cors_headers, refuse
from persistence.database import Database
from resolvers.shared.limits import RATE_LIMIT_REFUSALS, BudgetUnavailable, Limit, RateLimiter
from resolvers.widgets.publishable_keys import (
    WIDGET_ACCESS,
    KeyRefused,
    origin_has_a_key,
    widget_access,
)

KEY_HEADER = b"x-caseload-key"
MAX_KEY_LENGTH = 200
PREFLIGHT_MAX_AGE = "600"
ALLOWED_HEADERS = "content-type, x-caseload-key, x-request-id"


class PublishableKeyMiddleware:
    def __init__(
        self, app: ASGIApp, *, db: Database, limiter: RateLimiter, per_key: Limit
    ) -> None:
        self.app = app
        self.db = db
        self.limiter = limiter
        self.per_key = per_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_origin = headers.get(b"origin")
        origin = raw_origin.decode("latin-1")[:300] if raw_origin else None
        if scope["method"] == "OPTIONS":
            await self._preflight(origin, send)
            return
        presented = headers.get(KEY_HEADER)
        if presented is None:
            await self.app(scope, receive, send)
            return
        try:
            access = await widget_access(
                self.db, presented.decode("latin-1")[:MAX_KEY_LENGTH].strip(), origin,
                same_origin=origin is not None and _host(origin) == headers.get(b"host"),
            )
        except KeyRefused as refusal:
            await refuse(send, refusal.status, refusal.code, refusal.message)
            return
        cors = cors_headers(access.origin)
        try:
            retry_after = await self.limiter.hit(f"publishable-key:{access.key_id}",
                                                 self.per_key)
        except BudgetUnavailable as unavailable:
            await budgets_unavailable(send, unavailable, cors)
            return
        if retry_after is not None:
            RATE_LIMIT_REFUSALS.labels("publishable_key").inc()
            await refuse(send, 429, "RATE_LIMITED",
                         f"Too many requests for this key; try again in {retry_after} seconds.",
                         {"Retry-After": str(retry_after), **cors})
            return
        scope.setdefault("state", {})[WIDGET_ACCESS] = access
        await self.app(scope, receive, _with_headers(send, cors))

    async def _preflight(self, origin: str | None, send: Send) -> None:
        if origin is None or not await origin_has_a_key(self.db, origin):
            await refuse(send, 403, "ORIGIN_NOT_ALLOWED",
                         "No publishable key allows this origin.")
            return
        headers = {
            **cors_headers(origin),
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": 204, "headers": raw})
        await send({"type": "http.response.body", "body": b""})


def _with_headers(send: Send, extra: dict[str, str]) -> Send:
    raw = [(k.lower().encode(), v.encode()) for k, v in extra.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *raw]
        await send(message)

    return sending


def _host(origin: str) -> bytes:
    """The host[:port] of an Origin header, as a Host header spells it."""
    return urlsplit(origin).netloc.encode("latin-1")
