"""The Dramatiq broker (Redis, or in-process) and the actors bound to it.

Actors are declared on an explicit broker instead of the module-level global, so the
composition root decides which broker a process uses and nothing depends on import order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from jobs.context import JobContext
from jobs.delivery import process_outbox_row
from jobs.metrics import JobMetrics
from jobs.running import JobIds, on_event_loop

QUEUE = "caseload"
REDIS_CONNECT_TIMEOUT = 0.5  # seconds
REDIS_TIMEOUT = 2.0


def make_broker(redis_url: str | None, namespace: str = "caseload") -> dramatiq.Broker:
    broker: dramatiq.Broker
    if redis_url:
        # Timeouts so a Redis that hangs fails a send fast instead of holding the request
        # that committed (the outbox relay sends the rows later); Dramatiq's Redis consumer
        # polls, so no command waits on the server for long.
        client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT)
        broker = RedisBroker(client=client, namespace=namespace)
    else:
        # The in-process broker of the embedded default: a real Dramatiq broker and worker
        # in this process. Messages lost in a crash are redispatched from the outbox.
        broker = StubBroker()
        broker.emit_after("process_boot")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(JobIds())
    broker.add_middleware(JobMetrics())
    return broker


@dataclass
class Actors:
    broker: dramatiq.Broker
    process_outbox: dramatiq.Actor  # type: ignore[type-arg]

    def send_outbox(self, outbox_ids: list[uuid.UUID]) -> None:
        for outbox_id in outbox_ids:
            self.process_outbox.send(str(outbox_id))


def declare_actors(broker: dramatiq.Broker, job_context: Callable[[], JobContext]) -> Actors:
    """`job_context` is called inside the worker's event loop, where its engine must live."""

    async def process_outbox(outbox_id: str) -> None:
        await process_outbox_row(job_context(), uuid.UUID(outbox_id))

    return Actors(
        broker=broker,
        process_outbox=dramatiq.actor(
            actor_name="process_outbox", queue_name=QUEUE, broker=broker,
            max_retries=0,  # the outbox relay owns retries (persistence.outbox)
        )(on_event_loop(process_outbox)),
    )
