"""The HTTP edge of /graphql: request ids, SQL statement counts, body size and rate limits
(a live-updates WebSocket handshake counts as one operation).
Refusals answer in GraphQL's error shape so clients parse one format."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseload.logs import current_request_id
from caseload.metrics import observe_request
from persistence.database import StatementCounter, statement_counter
from resolvers.shared.limits import RATE_LIMIT_REFUSALS, BudgetUnavailable, Limit, RateLimiter
from schema.shared.extensions import MAX_BATCH

logger = logging.getLogger("caseload")


class RequestTooLarge(Exception):
    pass


async def refuse(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None,
    **extensions: str,
) -> None:
    body = json.dumps({"data": None, "errors": [
        {"message": message, "extensions": {"code": code, **extensions}}]}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length",
                                                            str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def budgets_unavailable(
    send: Send, unavailable: BudgetUnavailable, headers: dict[str, str] | None = None
) -> None:
    await refuse(send, 503, "SERVICE_UNAVAILABLE",
                 "Request budgets cannot be counted right now; try again in "
                 f"{unavailable.retry_after} seconds.",
                 {"Retry-After": str(unavailable.retry_after), **(headers or {})})


class RequestIdMiddleware:
    """Gives each request an id (or keeps the caller's X-Request-ID) and echoes it back;
    optionally reports how many SQL statements the request cost. Whatever fails beneath it
    answers 500 in GraphQL's error shape with the request id (never a bare text page) and is
    logged under that id."""

    def __init__(self, app: ASGIApp, *, expose_sql_count: bool) -> None:
        self.app = app
        self.expose_sql_count = expose_sql_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode()[:64]
        request_id = given or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        counter = StatementCounter()
        token = statement_counter.set(counter)
        logged_as = current_request_id.set(request_id)
        began, status = time.perf_counter(), 500

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                if self.expose_sql_count:
                    headers.append((b"x-sql-statements", str(counter.count).encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("request %s: unexpected error", request_id)
            if started:
                raise  # too late for an answer of our own: the connection is closed
            await refuse(send_with_headers, 500, "INTERNAL_SERVER_ERROR",
                         "Internal server error.", requestId=request_id)
        finally:
            observe_request(scope["path"], status, time.perf_counter() - began,
                            counter.count)
            statement_counter.reset(token)
            current_request_id.reset(logged_as)


Identify = Callable[[str], str | None]
"""A bearer token to the account it verifiably stands for (None: forged, expired, junk)."""


class EdgeLimitsMiddleware:
    """On /graphql: bodies over `max_body_bytes` are refused before anything parses them, and
    each caller gets a request budget in which every operation of a batch counts. The caller
    is the account of a token that verifies, else the client address: a token that does not
    verify counts against its address, so made-up tokens buy no budget of their own."""

    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, anonymous: Limit, signed_in: Limit,
        max_body_bytes: int, identify: Identify,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.anonymous = anonymous
        self.signed_in = signed_in
        self.max_body_bytes = max_body_bytes
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/graphql":
            await self._handshake(scope, receive, send)
            return
        if scope["type"] != "http" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(send)
            return
        try:
            body = await self._read_body(receive)
        except RequestTooLarge:
            await self._too_large(send)
            return
        bucket, limit = self._bucket(scope, headers)
        try:
            retry_after = await self.limiter.hit(bucket, limit, cost=operations(scope, body))
        except BudgetUnavailable as unavailable:
            await budgets_unavailable(send, unavailable, readable_by(headers))
            return
        if retry_after is not None:
            RATE_LIMIT_REFUSALS.labels(
                "signed_in" if bucket.startswith("account:") else "anonymous").inc()
            await refuse(send, 429, "RATE_LIMITED",
                         f"Too many requests; try again in {retry_after} seconds.",
                         {"Retry-After": str(retry_after), **readable_by(headers)})
            return
        await self.app(scope, _replay(body, receive), send)

    async def _handshake(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Opening a live-updates socket costs one operation of the address's budget (its
        sign-in comes later, inside the socket); over it the handshake is refused (403)."""
        client = scope.get("client") or ("unknown", 0)
        if await self.limiter.hit(f"address:{client[0]}", self.anonymous) is not None:
            message = await receive()  # websocket.connect, answered with a refusal
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(scope, receive, send)

    def _bucket(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[str, Limit]:
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        account = self.identify(token.strip()) if scheme.lower() == "bearer" else None
        if account is not None:
            return f"account:{account}", self.signed_in
        client = scope.get("client") or ("unknown", 0)
        return f"address:{client[0]}", self.anonymous

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_body_bytes:
                raise RequestTooLarge
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        await refuse(send, 413, "REQUEST_TOO_LARGE",
                     f"The request body is larger than {self.max_body_bytes} bytes.")


def operations(scope: Scope, body: bytes) -> int:
    """How many operations a request runs: each one of a batch counts. A batch over the
    allowed size counts one, since it is refused without running anything."""
    if scope["method"] != "POST" or not body.lstrip().startswith(b"["):
        return 1
    try:
        parsed = json.loads(body)
    except ValueError:
        return 1
    count = len(parsed) if isinstance(parsed, list) else 1
    return count if 1 <= count <= MAX_BATCH else 1


def cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "Retry-After, X-Request-ID",
        "Vary": "Origin",
    }


def readable_by(headers: dict[bytes, bytes]) -> dict[str, str]:
    """CORS for a refusal: it says nothing private, so the calling origin may read it; this
    way a refusal costs no lookup of which origins a key allows."""
    origin = headers.get(b"origin")
    return cors_headers(origin.decode("latin-1")[:300]) if origin else {}


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the connection says next (a disconnect)."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replaying
