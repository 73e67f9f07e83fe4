"""A time budget per /graphql request: past it, the request is cancelled (its transaction
rolls back as the unit of work closes) and answered 503 REQUEST_TIMEOUT, so no single
request holds a connection, a lock or the caller for longer than the budget."""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseload.edge import refuse

logger = logging.getLogger("caseload")


class RequestDeadlineMiddleware:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            request_id = scope.get("state", {}).get("request_id")
            logger.warning("request %s: cancelled after %ss", request_id, self.seconds)
            if not started:
                await refuse(send, 503, "REQUEST_TIMEOUT",
                             f"The request took longer than {self.seconds:g} seconds and was "
                             "cancelled; nothing it started was kept.")
