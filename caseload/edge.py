"""The HTTP edge of /graphql: request ids, SQL statement counts, body size and rate limits.
Refusals answer in GraphQL's error shape so clients parse one format."""

from __future__ import annotations

import hashlib
import json
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseload.ratelimit import Limit, RateLimiter
from persistence.database import StatementCounter, statement_counter


class RequestTooLarge(Exception):
    pass


async def refuse(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps({"data": None, "errors": [
        {"message": message, "extensions": {"code": code}}]}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length",
                                                            str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class RequestIdMiddleware:
    """Gives each request an id (or keeps the caller's X-Request-ID) and echoes it back;
    optionally reports how many SQL statements the request cost."""

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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                if self.expose_sql_count:
                    headers.append((b"x-sql-statements", str(counter.count).encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            statement_counter.reset(token)


class EdgeLimitsMiddleware:
    """On /graphql: bodies over `max_body_bytes` are refused before anything reads them, and
    each caller (a token, else the client address) gets a request budget per window."""

    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, anonymous: Limit, signed_in: Limit,
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.anonymous = anonymous
        self.signed_in = signed_in
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(send)
            return
        bucket, limit = self._bucket(scope, headers)
        retry_after = await self.limiter.hit(bucket, limit)
        if retry_after is not None:
            await refuse(send, 429, "RATE_LIMITED",
                         f"Too many requests; try again in {retry_after} seconds.",
                         {"Retry-After": str(retry_after)})
            return
        await self._call_counting_body(scope, receive, send)

    def _bucket(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[str, Limit]:
        authorization = headers.get(b"authorization", b"")
        if authorization:
            digest = hashlib.sha256(authorization).hexdigest()[:24]
            return f"token:{digest}", self.signed_in
        client = scope.get("client") or ("unknown", 0)
        return f"address:{client[0]}", self.anonymous

    async def _call_counting_body(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise RequestTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except RequestTooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        await refuse(send, 413, "REQUEST_TOO_LARGE",
                     f"The request body is larger than {self.max_body_bytes} bytes.")
