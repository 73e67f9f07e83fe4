"""Limits at the HTTP edge: request budgets per caller, and oversize bodies, refused before
anything reaches the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caseload.settings import Settings
from tests.support.clock import TestClock, fresh_window
from tests.support.graphql import PASSWORD, REGISTER, SIGN_IN, GraphQLClient, unique_email
from tests.support.server import RunningServer, start_server

VIEWER = "{ viewer { role } }"


@pytest.fixture(scope="module")
def strict_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """A second server on the same database, with tight limits and its own Redis namespace."""
    env = {**test_env, "RATE_LIMIT_ANONYMOUS": "3/60", "RATE_LIMIT_SIGNED_IN": "5/60",
           "MAX_BODY_BYTES": "2000", "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-edge"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


def test_anonymous_callers_get_a_budget_then_429_with_retry_after(
    strict_server: RunningServer, client: GraphQLClient
) -> None:
    strict = GraphQLClient(strict_server.base_url)
    fresh_window()
    email = unique_email("budget")
    for _ in range(3):
        refused = strict.execute(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
        assert refused.status == 200
    limited = strict.execute(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    assert limited.status == 429
    assert limited.error_codes == ["RATE_LIMITED"]
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_a_signed_in_caller_has_a_budget_of_its_own(
    strict_server: RunningServer, client: GraphQLClient
) -> None:
    # given a token from the main server (same database, same secret)
    email = unique_email("signed")
    token = client.data(REGISTER, {"input": {
        "practiceName": "Budget", "name": "Bea", "email": email, "password": PASSWORD,
        "timezone": "UTC"}})["registerPractice"]["accessToken"]
    strict = GraphQLClient(strict_server.base_url)
    fresh_window()
    statuses = [strict.execute(VIEWER, token=token).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_an_oversize_body_is_refused_and_creates_nothing(
    strict_server: RunningServer, client: GraphQLClient
) -> None:
    strict = GraphQLClient(strict_server.base_url)
    email = unique_email("big")
    response = strict.http.post("/graphql", json={"query": REGISTER, "variables": {"input": {
        "practiceName": "x" * 5000, "name": "Big", "email": email, "password": PASSWORD,
        "timezone": "UTC"}}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    signed_in = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    assert signed_in["signIn"]["accessToken"] is None
