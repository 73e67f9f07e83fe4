"""Redis going down and coming back, on PostgreSQL with a redis-server of the test's own: the
API keeps answering reads and writes (budgets counted in the process meanwhile, one warning),
and uses Redis again once it is back; emails Redis lost when it restarted empty are handed
over again by the outbox relay and all arrive within a minute."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.clients import CREATE_CLIENT
from tests.support.deployment import Deployment, deploy, tear_down
from tests.support.graphql import (
    PASSWORD,
    REGISTER,
    REGISTERED,
    GraphQLClient,
    register_practice,
    unique_email,
)
from tests.support.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL): serve, worker and scheduler run as processes "
    "of their own on one database, with a redis-server this test starts and stops",
)

CLIENTS = """
query Clients { clients(first: 5) { edges { node { id firstName } } } }
"""
WARNING = "Redis does not answer for request budgets"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


def start(test_env: dict[str, str], folder: Path, redis: RedisServer, name: str,
          **env: str) -> Deployment:
    running = deploy({**test_env, "REDIS_URL": redis.url}, folder, name, delay=0)
    running.env.update(env)
    running.start_serve()
    running.start_worker()
    return running


def stop(running: Deployment, redis: RedisServer) -> None:
    if redis.process is None:
        redis.start()  # tear_down clears the test's keys from it
    tear_down(running)


def register(client: GraphQLClient) -> tuple[str, httpx.Response]:
    """An anonymous write that emails a verification link."""
    email = unique_email("owner")
    response = client.http.post("/graphql", json={"query": REGISTER, "variables": {"input": {
        "practiceName": "Calm Waters Therapy", "name": "Ada Owner", "email": email,
        "password": PASSWORD, "timezone": "Europe/London"}}})
    return email, response


def answered(response: httpx.Response) -> dict[str, object]:
    """A 200 in GraphQL's shape, no error, with the request id header."""
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-request-id"]
    body = response.json()
    assert "errors" not in body, body
    return body  # type: ignore[no-any-return]


def ratelimit_keys(redis: RedisServer, running: Deployment) -> list[bytes]:
    return list(redis.client().scan_iter(f"{running.env['REDIS_NAMESPACE']}:ratelimit*"))


def test_with_redis_down_reads_and_writes_are_answered_and_redis_is_used_again_once_back(
    test_env: dict[str, str], tmp_path: Path, redis: RedisServer,
) -> None:
    running = start(test_env, tmp_path, redis, "redis-down")
    try:
        client = GraphQLClient(running.base_url, running.mailbox)
        # given a signed-in practice owner, served while Redis is up
        owner = register_practice(client)
        assert ratelimit_keys(redis, running)

        # when Redis dies, and the owner reads and writes, and strangers sign up, for a while
        redis.kill()
        strangers = []
        started = time.monotonic()
        for number in range(20):
            answered(client.http.post("/graphql", json={"query": CLIENTS},
                                      headers={"Authorization": f"Bearer {owner.token}"}))
            created = answered(client.http.post(
                "/graphql", json={"query": CREATE_CLIENT, "variables": {"input": {
                    "firstName": f"Robin{number}", "lastName": "Client"}}},
                headers={"Authorization": f"Bearer {owner.token}"}))
            assert created["data"]["createClient"]["userErrors"] == []  # type: ignore[index]
            email, response = register(client)
            assert answered(response)["data"] == {"registerPractice": REGISTERED}
            strangers.append(email)
        down_for = time.monotonic() - started

        # then every one of them was answered (above), quickly, /readyz says the broker is
        # down, and the server warned once, not once per request
        assert down_for < 30, down_for
        ready = httpx.get(f"{running.base_url}/readyz", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["broker"].startswith("unreachable")
        assert len(running.log_lines("serve", WARNING)) == 1

        # when Redis comes back, empty, with a scheduler running
        redis.start()
        running.start_scheduler()
        deadline = time.monotonic() + 15
        while not ratelimit_keys(redis, running):
            assert time.monotonic() < deadline, "request budgets did not go back to Redis"
            answered(client.http.post("/graphql", json={"query": CLIENTS},
                                      headers={"Authorization": f"Bearer {owner.token}"}))
            time.sleep(0.2)

        # then budgets are kept in Redis again, and the strangers' verification emails,
        # which could not be handed over while it was down, arrive
        for email in strangers:
            assert len(running.mailbox.wait_for(email, timeout=30)) == 1
        assert httpx.get(f"{running.base_url}/readyz", timeout=5).status_code == 200
    finally:
        stop(running, redis)


def test_emails_redis_lost_when_it_restarted_empty_all_arrive_within_a_minute(
    test_env: dict[str, str], tmp_path: Path, redis: RedisServer,
) -> None:
    # given the default redispatch delay (30 s), an SMTP server that takes half a second a
    # message, and a burst of sign-ups whose emails are still in Redis's queue
    running = deploy({**test_env, "REDIS_URL": redis.url}, tmp_path, "redis-empty", delay=0.5)
    running.env.pop("OUTBOX_REDISPATCH_SECONDS")
    try:
        running.start_serve()
        running.start_worker()
        running.start_scheduler()
        client = GraphQLClient(running.base_url, running.mailbox)
        emails = []
        for _ in range(30):
            email, response = register(client)
            answered(response)
            emails.append(email)

        # when Redis restarts empty with most of them not yet sent
        redis.kill()
        in_flight = len(emails) - running.mailbox.count()
        redis.start()
        restarted = time.monotonic()

        # then every email arrives, once, within a minute of the restart
        assert in_flight >= 10, in_flight
        for email in emails:
            left = 60 - (time.monotonic() - restarted)
            assert len(running.mailbox.wait_for(email, timeout=max(left, 0.1))) >= 1
        assert max(running.mailbox.copies_per_message_id().values()) <= 2
        print(f"{in_flight} emails in flight; all delivered "
              f"{time.monotonic() - restarted:.1f}s after Redis restarted empty")
    finally:
        stop(running, redis)
