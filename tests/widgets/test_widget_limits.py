"""Abuse limits on the widget surface: a budget per publishable key and per client address
(in Redis when it is set, in the process otherwise), 429 RATE_LIMITED with Retry-After and
the CORS headers the widget needs to read it; and oversize input refused before it reaches
the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from caseload.settings import Settings
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff
from tests.support.server import RunningServer, start_server
from tests.support.widgets import (
    BOOK_AS_GUEST,
    ORIGIN,
    PUBLIC_PRACTICE,
    create_key,
    guest_input,
    practice_clients,
    widget_post,
)

KEY_BUDGET = 3
ADDRESS_BUDGET = 8


@pytest.fixture
def strict_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """A second server on the same database, with tight limits and its own Redis namespace;
    one per test, so each test starts with whole budgets (they are moving windows)."""
    env = {**test_env, "RATE_LIMIT_PUBLISHABLE_KEY": f"{KEY_BUDGET}/60",
           "RATE_LIMIT_ANONYMOUS": f"{ADDRESS_BUDGET}/60", "MAX_BODY_BYTES": "20000",
           "REDIS_NAMESPACE": f"{test_env['REDIS_NAMESPACE']}-widget-limits-{uuid.uuid4().hex}"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


@pytest.fixture
def strict(strict_server: RunningServer) -> Iterator[GraphQLClient]:
    graphql = GraphQLClient(strict_server.base_url)
    yield graphql
    graphql.http.close()


def test_each_key_has_a_budget_then_429_with_retry_after(
    strict: GraphQLClient, client: GraphQLClient, owner: Staff
) -> None:
    key, other_key = create_key(client, owner), create_key(client, owner, name="Other")
    statuses = [widget_post(strict, key, PUBLIC_PRACTICE, {"slug": key.slug}).status
                for _ in range(KEY_BUDGET)]
    assert statuses == [200] * KEY_BUDGET

    # when the key goes over its budget
    limited = widget_post(strict, key, PUBLIC_PRACTICE, {"slug": key.slug})

    # then a clear refusal the widget can read (CORS for its origin), with Retry-After
    assert limited.status == 429
    assert limited.error_codes == ["RATE_LIMITED"]
    assert limited.errors[0]["message"].startswith("Too many requests for this key; try again")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["access-control-allow-origin"] == ORIGIN
    # and another key keeps its own budget
    assert widget_post(strict, other_key, PUBLIC_PRACTICE, {"slug": key.slug}).status == 200


def test_keyed_requests_count_against_the_client_address(
    strict: GraphQLClient, client: GraphQLClient, owner: Staff
) -> None:
    keys = [create_key(client, owner, name=f"Key {n}") for n in range(7)]
    # when one address sends more requests than its budget, none over a key's budget
    responses = [widget_post(strict, keys[n % len(keys)], PUBLIC_PRACTICE, {"slug": "x"})
                 for n in range(2 * ADDRESS_BUDGET + 1)]

    # then the address's budget answers, and the rest are refused
    assert [r.status for r in responses] == [200] * ADDRESS_BUDGET + [429] * (ADDRESS_BUDGET + 1)
    limited = responses[ADDRESS_BUDGET:]
    assert {tuple(r.error_codes) for r in limited} == {("RATE_LIMITED",)}
    assert all(r.errors[0]["message"].startswith("Too many requests; try again")
               for r in limited)
    assert all(1 <= int(r.headers["retry-after"]) <= 60 for r in limited)
    # and the widget can read why: the refusal carries CORS for its origin
    assert all(r.headers["access-control-allow-origin"] == ORIGIN for r in limited)
    assert all("Retry-After" in r.headers["access-control-expose-headers"] for r in limited)


def test_an_oversize_booking_is_refused_before_the_database(
    strict: GraphQLClient, client: GraphQLClient, owner: Staff
) -> None:
    key = create_key(client, owner)
    later = datetime.now(UTC) + timedelta(days=30)
    values = guest_input(owner.practitioner_id, later, "big@example.com")
    values["booker"]["firstName"] = "x" * 30_000
    response = widget_post(strict, key, BOOK_AS_GUEST, {"input": values})
    assert response.status == 413
    assert response.error_codes == ["REQUEST_TOO_LARGE"]
    assert response.sql_statements == 0
    assert practice_clients(client, owner) == []

