"""One owner of each retry: with SMTP down, an email is handed to the broker again by the
outbox relay alone, waiting longer each time, OUTBOX_MAX_ATTEMPTS times at most; then it is
given up but kept, `caseload outbox list` shows it, and `caseload outbox retry` sends it once
SMTP is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from persistence.database import Database
from persistence.tables import outbox
from tests.support.deployment import Deployment, deploy, tear_down
from tests.support.graphql import PASSWORD, REGISTER, REGISTERED, GraphQLClient, unique_email


@pytest.fixture
def smtp_down(test_env: dict[str, str], tmp_path: Path) -> Iterator[Deployment]:
    """A deployment whose SMTP server is stopped; rows wait 1 s, then 2 s, 3 attempts."""
    running = deploy(test_env, tmp_path, "retries", delay=0)
    running.env.update({"OUTBOX_REDISPATCH_SECONDS": "1", "OUTBOX_MAX_ATTEMPTS": "3"})
    stopped = running.controller
    stopped.stop()
    try:
        running.start_serve()
        running.start_worker()
        yield running
    finally:
        if running.controller is stopped:  # tear_down stops a running one
            running.controller = smtp_on(running, stopped.port)
        tear_down(running)


def smtp_on(running: Deployment, port: int) -> Controller:
    controller = Controller(running.mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def rows(running: Deployment) -> list[Any]:
    async def read() -> list[Any]:
        db = Database(running.env["DATABASE_URL"], pool_size=1)
        try:
            async with db.reading() as tx:
                return list(await tx.execute(select(outbox)))
        finally:
            await db.dispose()

    return asyncio.run(read())


def dead_letters(running: Deployment) -> list[bytes]:
    if not running.redis:
        return []  # the in-process broker keeps none
    import redis

    found = redis.Redis.from_url(running.env["REDIS_URL"]).scan_iter(
        f"{running.env['REDIS_NAMESPACE']}:*.XQ*")
    return list(found)


def register(client: GraphQLClient) -> str:
    email = unique_email("owner")
    payload = client.data(REGISTER, {"input": {
        "practiceName": "Calm Waters Therapy", "name": "Ada Owner", "email": email,
        "password": PASSWORD, "timezone": "Europe/London"}})
    assert payload == {"registerPractice": REGISTERED}
    return email


def test_an_email_smtp_refuses_is_tried_a_bounded_number_of_times_then_kept_and_retried(
    smtp_down: Deployment,
) -> None:
    running = smtp_down
    client = GraphQLClient(running.base_url, running.mailbox)
    # given a sign-up whose verification email SMTP refuses
    email = register(client)
    assert "1 waiting for delivery" in running.cli("outbox", "list")

    # when the sweep runs again and again, until the row is given up
    deadline = time.monotonic() + 40
    while "; 1 given up after 3 attempts" not in (listed := running.cli("outbox", "list")):
        assert time.monotonic() < deadline, listed
        running.cli("sweep")
    running.cli("sweep")
    running.cli("sweep")

    # then it was handed over exactly three times, each failure recorded, and the row is
    # kept, undelivered, and listed with its error; nothing was sent
    [row] = rows(running)
    assert row.attempts == 3
    assert row.delivered_at is None
    assert "Connect" in row.last_error or "refused" in row.last_error, row.last_error
    assert listed.startswith("Outbox: 0 waiting for delivery; 1 given up after 3 attempts.")
    assert f"{row.id}  {row.kind}" in listed
    assert running.mailbox.to(email) == []
    # and the broker retried nothing on its own: no message was dead-lettered
    assert dead_letters(running) == []

    # when SMTP is back and the operator retries every row given up
    running.controller = smtp_on(running, running.controller.port)
    retried = running.cli("outbox", "retry", "--all")

    # then the email arrives, once, and nothing is left given up
    assert retried.strip() == "Outbox: 1 row(s) handed to the broker again."
    assert len(running.mailbox.wait_for(email)) == 1
    running.settle(lambda: rows(running)[0].delivered_at is not None)
    assert running.cli("outbox", "list").startswith(
        "Outbox: 0 waiting for delivery; 0 given up after 3 attempts.")
    assert len(running.mailbox.to(email)) == 1


def test_retrying_an_id_that_is_no_row_says_so(smtp_down: Deployment) -> None:
    # when the operator retries a row id that does not exist
    result = smtp_down.cli_result("outbox", "retry", "00000000-0000-0000-0000-000000000000")

    # then nothing is handed over, and the command says so and fails
    assert result.returncode == 1
    assert "0 row(s) handed to the broker again; 1 id(s) not found or already delivered" \
        in result.stdout
