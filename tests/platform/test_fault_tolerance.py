"""Faults on PostgreSQL + Redis: the worker and the relay (the API process, which hands
each commit's outbox rows to Redis) are killed in the middle of a burst of mutations that
send email and charge cards, then started again. No email is lost, none goes out as two
messages (one Message-ID each, at most two copies of it), no card is charged twice, and
nothing due is left undone."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from jobs.sweep.run import STEPS
from persistence.database import Database
from persistence.tables import email_deliveries, outbox, sandbox_charges
from schema.shared.ids import decode_id
from tests.support.appointments import BOOK, CANCEL, Scene, paying_client_scene, relationship_of
from tests.support.deployment import Deployment, serving
from tests.support.graphql import GraphQLClient

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres")
         and os.environ.get("REDIS_URL")),
    reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): the embedded default has "
    "no separate worker or relay to kill; test_crash_delivery.py covers its crash",
)

SCENES = 4
T = TypeVar("T")


@pytest.fixture
def deployment(test_env: dict[str, str], tmp_path: Path) -> Iterator[Deployment]:
    with serving(test_env, tmp_path, "faults", delay=0.3) as running:
        yield running


def resilient(call: Callable[[], T], deadline: float = 30) -> T:
    """Retried while the API is down; a retry of a mutation is safe (see each caller)."""
    until = time.monotonic() + deadline
    while True:
        try:
            return call()
        except httpx.TransportError:
            assert time.monotonic() < until, "the API did not come back"
            time.sleep(0.2)


def book(client: GraphQLClient, scene: Scene, relationship: str, starts: datetime) -> str:
    """The same idempotency key on a retry answers the first booking."""
    variables = {"input": {"relationshipId": relationship, "durationMinutes": 50,
                           "startsAt": starts.isoformat(), "idempotencyKey": uuid.uuid4().hex}}
    payload = resilient(lambda: client.data(BOOK, variables, token=scene.owner.token))
    assert payload["bookSession"]["userErrors"] == []
    return str(payload["bookSession"]["session"]["id"])


def cancel_late(client: GraphQLClient, scene: Scene, appointment_id: str) -> None:
    """The client cancels inside the notice window: the fee is taken at once. A retry of a
    cancellation that went through is refused as already cancelled."""
    variables = {"input": {"sessionId": appointment_id}}
    payload = resilient(lambda: client.data(CANCEL, variables, token=scene.client_token))
    errors = payload["cancelSession"]["userErrors"]
    assert errors == [] or [e["code"] for e in errors] == ["INVALID_STATE"], errors


def read_back(deployment: Deployment) -> tuple[list[Any], list[Any], list[Any]]:
    async def read() -> tuple[list[Any], list[Any], list[Any]]:
        db = Database(deployment.env["DATABASE_URL"], pool_size=1)
        try:
            async with db.reading() as tx:
                rows = list(await tx.execute(select(outbox.c.id, outbox.c.delivered_at)))
                sent = list(await tx.execute(select(email_deliveries)))
                charges = list(await tx.execute(select(sandbox_charges)))
            return rows, sent, charges
        finally:
            await db.dispose()

    return asyncio.run(read())


def all_delivered(deployment: Deployment) -> bool:
    rows, _, _ = read_back(deployment)
    return all(r.delivered_at for r in rows)


def test_killing_the_worker_and_the_relay_mid_burst_loses_and_doubles_nothing(
    deployment: Deployment,
) -> None:
    started = time.monotonic()
    client = GraphQLClient(deployment.base_url, deployment.mailbox)
    # given practices, each with a signed-in client who keeps a card
    scenes = [paying_client_scene(client, deployment.mailbox) for _ in range(SCENES)]
    relationships = [relationship_of(client, scene) for scene in scenes]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0,
                                                               microsecond=0)

    # when each practice books two sessions inside the notice window and each client
    # cancels one (its fee is taken at once), with the worker killed after the first
    # practice, the API and with it the relay after the second, both started again later
    booked: list[str] = []
    for number, (scene, relationship) in enumerate(zip(scenes, relationships, strict=True)):
        kept = book(client, scene, relationship, tomorrow)
        late = book(client, scene, relationship, tomorrow + timedelta(hours=2))
        cancel_late(client, scene, late)
        booked += [kept, late]
        if number == 0:
            deployment.kill_worker()
        if number == 1:
            deployment.kill_serve()
            deployment.start_serve()
            deployment.start_worker()
    deployment.cli("sweep")  # takes payment for the kept sessions
    deployment.settle(lambda: all_delivered(deployment))

    rows, sent, charges = read_back(deployment)
    copies = deployment.mailbox.copies_per_message_id()
    # then every email recorded as sent went out, under the one Message-ID it was recorded
    # with, at most twice, and no Message-ID went out that no record names (a record left in
    # doubt by the crash whose email is no longer wanted, a booking cancelled since, stays so)
    assert rows and all(r.delivered_at is not None for r in rows)
    assert {d.message_id for d in sent if d.sent_at} <= set(copies)
    assert set(copies) <= {d.message_id for d in sent}
    assert max(copies.values()) <= 2
    # and each client heard of the session kept (of the other, cancelled at once, maybe not:
    # a confirmation is not sent for a session cancelled since) and of the late cancellation
    for scene in scenes:
        told = Counter(m.subject.split(" with ")[0].split(":")[0].strip()
                       for m in deployment.mailbox.to(scene.client_email)
                       if str(m.message["Message-ID"]) in copies)
        assert told["Your session"] >= 1 and told["Late cancellation"] >= 1, told
    # and every session was charged exactly once, none twice
    taken = Counter(c.idempotency_key.split(":card:")[0] for c in charges
                    if c.status == "SUCCEEDED" and c.idempotency_key.startswith("appointment:"))
    assert sorted(taken.values()) == [1] * len(booked)
    assert set(taken) == {f"appointment:{decode_id(s, 'Session')}" for s in booked}
    # and nothing due is left undone
    dry = deployment.cli("sweep", "--dry-run")
    assert re.findall(r": (\d+)", dry) == ["0"] * len(STEPS) + ["0"], dry  # and the outbox
    assert time.monotonic() - started < 90
