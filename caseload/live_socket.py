"""The WebSocket side of live updates: who a connection signs in as, closing it when the
token expires, and this process's Redis listener."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from caseload.runtime import Runtime
from resolvers.accounts.authentication import authenticate
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services

logger = logging.getLogger("caseload.live")

MAX_SUBSCRIPTIONS = 10  # per connection: a dashboard needs one
EXPIRED = 4401  # graphql-transport-ws's "Unauthorized"
EXPIRY_CHECK_SECONDS = 1.0  # the clock may be moved (tests), so it is read, not slept on
_watches: set[asyncio.Task[None]] = set()


async def live_sign_in(
    services: Services, params: dict[str, Any] | None
) -> tuple[Viewer, datetime] | None:
    """The viewer of `{"authorization": "Bearer <token>"}`, and when its token expires; a
    token ended since (its account's token version moved on) signs in nobody, as over HTTP."""
    header = (params or {}).get("authorization")
    if not isinstance(header, str):
        return None
    found = await authenticate(services, header, services.clock())
    if not isinstance(found, Viewer) or found.expires_at is None:
        return None
    return found, found.expires_at


def watch_expiry(
    websocket: WebSocket, clock: Callable[[], datetime], expires_at: datetime
) -> None:
    task = asyncio.create_task(_close_at_expiry(websocket, clock, expires_at))
    _watches.add(task)
    task.add_done_callback(_watches.discard)


async def _close_at_expiry(
    websocket: WebSocket, clock: Callable[[], datetime], expires_at: datetime
) -> None:
    while _open(websocket):
        left = (expires_at - clock()).total_seconds()
        if left <= 0:
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                await websocket.close(code=EXPIRED, reason="The access token has expired.")
            return
        await asyncio.sleep(min(left, EXPIRY_CHECK_SECONDS))


def _open(websocket: WebSocket) -> bool:
    return (websocket.application_state is not WebSocketState.DISCONNECTED
            and websocket.client_state is not WebSocketState.DISCONNECTED)


async def start_live(runtime: Runtime, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """With Redis, listen to the deployment's live channel, subscribed before this process
    serves anything, so a subscriber told SUBSCRIBED misses nothing published after."""
    if runtime.live_redis is None:
        return None
    ready = asyncio.Event()
    task = asyncio.create_task(runtime.live_redis.run(ready, stop))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiting}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiting.cancel()
        logger.warning("live updates: not subscribed to Redis yet; carrying on")
    return task
