"""Fixtures: one real server per test run, on SQLite by default or on PostgreSQL + Redis
when DATABASE_URL and REDIS_URL are set (see the README)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from caseload.settings import Settings
from tests.support.appointments import next_monday
from tests.support.clock import TestClock
from tests.support.databases import (
    clear_redis,
    drop_database,
    prepare_database,
    redis_namespace,
)
from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.mailbox import Mailbox, start_smtp
from tests.support.server import RunningServer, start_server


@pytest.fixture(scope="session")
def mailbox_server() -> Iterator[tuple[str, Mailbox]]:
    controller, mailbox = start_smtp()
    yield f"smtp://{controller.hostname}:{controller.port}", mailbox
    controller.stop()


@pytest.fixture(scope="session")
def test_env(  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory, mailbox_server
) -> Iterator[dict[str, str]]:
    folder: Path = tmp_path_factory.mktemp("caseload")
    database_url = prepare_database(os.environ.get("DATABASE_URL"), folder)
    namespace = redis_namespace()
    env = {
        "DATABASE_URL": database_url,
        "SMTP_URL": mailbox_server[0],
        "CASELOAD_VAR_DIR": str(folder / "var"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-production",
        "CASELOAD_SQL_COUNT": "1",
        # Tests move the clock by days; a sign-in lasts long enough to follow it.
        "ACCESS_TOKEN_TTL_MINUTES": str(60 * 24 * 60),
        "REDIS_NAMESPACE": namespace,
        # The suite signs up hundreds of practices from one address; test_edge_limits.py
        # starts a server of its own with tight limits.
        "RATE_LIMIT_ANONYMOUS": "100000/60",
        # Likewise the query cost budget; test_query_cost.py starts a server with a small one.
        "RATE_LIMIT_COST": "100000000/60",
        # Sign-in pauses after 4 failures for an email, for seconds rather than minutes, so
        # tests/accounts/test_sign_in_protection.py can wait for the pause to end.
        "SIGN_IN_FAILURES": "4/6",
        # Cheap password hashes: the suite hashes a password thousands of times, and timing
        # tests measure Caseload's work, not a busy machine's Argon2 (the same for all).
        "ARGON2_MEMORY_KIB": "256",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    yield env
    drop_database(database_url)
    clear_redis(env.get("REDIS_URL"), namespace)


@pytest.fixture(scope="session")
def clock() -> TestClock:
    return TestClock()


@pytest.fixture(scope="session")
def server(test_env: dict[str, str], clock: TestClock) -> Iterator[RunningServer]:
    running = start_server(Settings.from_env(test_env), clock)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _real_time_again(clock: TestClock) -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
def client(server: RunningServer, mailbox: Mailbox) -> Iterator[GraphQLClient]:
    graphql = GraphQLClient(server.base_url, mailbox)
    yield graphql
    graphql.http.close()


@pytest.fixture
def mailbox(mailbox_server: tuple[str, Mailbox]) -> Mailbox:
    return mailbox_server[1]


@pytest.fixture
def monday(clock: TestClock) -> datetime:
    """A Monday 06:00 UTC, with the clock standing three days before it."""
    day = next_monday(clock())
    clock.set(day - timedelta(days=3))
    return day


@pytest.fixture
def owner(client: GraphQLClient) -> Staff:
    """A newly registered practice's owner (every test gets its own practice)."""
    return register_practice(client)
