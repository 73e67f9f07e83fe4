"""Live updates between processes. Each `caseload serve` process fans the updates it receives
out to its own subscribers (LocalFanout); with REDIS_URL, workers publish on a Redis pub/sub
channel that every serve process listens to (RedisLive), so a subscriber on any process
hears an event whichever process committed it. Without Redis, the worker lives inside
`caseload serve` and publishes straight to its fanout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from domain.shared.live import LiveEvent

logger = logging.getLogger("caseload.live")

QUEUE_SIZE = 1000  # a subscriber this far behind loses updates (and is told in the log)


class LocalFanout:
    """This process's subscribers; `deliver` may be called from any thread (the in-process
    worker has an event loop of its own)."""

    def __init__(self) -> None:
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[LiveEvent]]] = set()
        self._lock = threading.Lock()

    def deliver(self, event: LiveEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for loop, queue in listeners:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(_offer, queue, event)

    async def publish(self, event: LiveEvent) -> None:
        self.deliver(event)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[AsyncIterator[LiveEvent]]:
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(QUEUE_SIZE)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._listeners.add(entry)
        try:
            yield _drain(queue)
        finally:
            with self._lock:
                self._listeners.discard(entry)

    @property
    def listeners(self) -> int:
        return len(self._listeners)


def _offer(queue: asyncio.Queue[LiveEvent], event: LiveEvent) -> None:
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:
        logger.warning("a live subscriber is %d updates behind; dropped %s", QUEUE_SIZE,
                       event.id)


async def _drain(queue: asyncio.Queue[LiveEvent]) -> AsyncIterator[LiveEvent]:
    while True:
        yield await queue.get()


class RedisLive:
    """Publishes on, and listens to, one Redis channel of the deployment's namespace."""

    def __init__(self, url: str, namespace: str, fanout: LocalFanout) -> None:
        self.url = url
        self.channel = f"{namespace}:live"
        self.fanout = fanout
        self._clients: dict[int, aioredis.Redis] = {}  # one per event loop that publishes

    async def publish(self, event: LiveEvent) -> None:
        loop = id(asyncio.get_running_loop())
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = aioredis.Redis.from_url(self.url)
        await client.publish(self.channel, event.to_json())

    async def run(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        """Hands what the channel carries to this process's subscribers until `stop`; sets
        `ready` once subscribed. A lost connection is opened again (what was published
        meanwhile is lost: a dashboard refetches when its own socket reconnects)."""
        delay = 0.5
        while not stop.is_set():
            try:
                await self._listen(ready, stop)
                return
            except (OSError, aioredis.RedisError) as error:
                logger.warning("live updates: Redis listener lost (%s); again in %.1fs",
                               error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _listen(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        client = aioredis.Redis.from_url(self.url)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(self.channel)
                ready.set()
                while not stop.is_set():
                    message = await pubsub.get_message(timeout=0.5)
                    if message is None:
                        continue
                    event = LiveEvent.from_json(message["data"])
                    if event is not None:
                        self.fanout.deliver(event)
        finally:
            await client.aclose()

    async def close(self) -> None:
        for client in self._clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()
        self._clients.clear()
