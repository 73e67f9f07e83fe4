"""Failures at the HTTP edge answer in GraphQL's error shape with the request id, never a
bare text page; with RATE_LIMIT_WITHOUT_REDIS=refuse-anonymous and Redis down, anonymous
callers are refused 503 (and told when to come back) while signed-in callers are served."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from limits.aio.storage import RedisStorage
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp

from caseload.app import create_app
from caseload.ratelimit import FallbackRateLimiter, Limit
from caseload.settings import Settings
from domain.accounts.practice import Role
from resolvers.shared.auth import Tokens
from tests.support.databases import drop_database, prepare_database
from tests.support.graphql import PASSWORD, REGISTER, REGISTERED, unique_email
from tests.support.mailbox import free_port

TYPENAME = {"query": "{ __typename }"}


def settings_for(test_env: dict[str, str], **env: str) -> Settings:
    return Settings.from_env({**test_env, **env})


def app_for(test_env: dict[str, str], **env: str) -> ASGIApp:
    return create_app(settings_for(test_env, **env), run_jobs_in_process=False,
                      run_scheduler_in_process=False, extra_routes=[Route("/boom", boom)])


def call(app: ASGIApp, method: str, path: str, **options: Any) -> httpx.Response:
    """One request to the app in this process, errors answered as a server would."""
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.request(method, path, **options)

    return asyncio.run(send())


def boom(_: Request) -> None:
    raise RuntimeError("a bug beneath the middleware")


def test_an_unexpected_error_answers_graphqls_shape_with_the_request_id(
    test_env: dict[str, str], caplog: pytest.LogCaptureFixture,
) -> None:
    # when a request meets a bug no handler catches
    with caplog.at_level(logging.ERROR, logger="caseload"):
        response = call(app_for(test_env), "GET", "/boom", headers={"X-Request-ID": "req-123"})

    # then it answers 500 in JSON, in GraphQL's error shape, naming the request id, which
    # the log names too
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "req-123"
    assert response.json() == {"data": None, "errors": [{
        "message": "Internal server error.",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}}]}
    assert any("req-123" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_failing_database_under_the_widget_edge_answers_json_not_text(
    test_env: dict[str, str], tmp_path: Path,
) -> None:
    # given a server whose database cannot be opened
    missing = tmp_path / "no-such-folder" / "caseload.db"
    app = app_for(test_env, DATABASE_URL=f"sqlite+aiosqlite:///{missing}")

    # when a page asks whether its origin may call (which looks up publishable keys)
    response = call(app, "OPTIONS", "/graphql", headers={
        "Origin": "https://a.example", "Access-Control-Request-Method": "POST"})

    # then the answer is a JSON 500 with the request id
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert response.json()["errors"][0]["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR", "requestId": request_id}


def test_refusing_anonymous_callers_without_redis_still_serves_signed_in_ones(
    test_env: dict[str, str],
) -> None:
    # given Redis down and budgets set to refuse anonymous callers rather than count them
    # in the process
    redis = {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
             "RATE_LIMIT_WITHOUT_REDIS": "refuse-anonymous"}
    settings = settings_for(test_env, **redis)
    app = app_for(test_env, **redis)
    account = SimpleNamespace(id=uuid.uuid4(), token_version=0)
    membership = SimpleNamespace(id=uuid.uuid4(), practice_id=uuid.uuid4(), role=Role.OWNER,
                                 practitioner_id=None, client_id=None)
    token = Tokens(settings.secret_key, settings.token_ttl).issue(
        account, membership, datetime.now(UTC))  # type: ignore[arg-type]

    # when an anonymous caller and a signed-in one ask
    anonymous = call(app, "POST", "/graphql", json=TYPENAME,
                     headers={"Origin": "https://a.example"})
    signed_in = call(app, "POST", "/graphql", json=TYPENAME,
                     headers={"Authorization": f"Bearer {token}"})

    # then the anonymous one is refused 503, told when to try again, in GraphQL's shape and
    # readable by its page; the signed-in one is answered
    assert anonymous.status_code == 503
    assert anonymous.headers["retry-after"] == "2"
    assert anonymous.headers["access-control-allow-origin"] == "https://a.example"
    assert anonymous.json() == {"data": None, "errors": [{
        "message": "Request budgets cannot be counted right now; try again in 2 seconds.",
        "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
    assert signed_in.status_code == 200
    assert signed_in.json()["data"] == {"__typename": "Query"}


def test_by_default_anonymous_callers_are_counted_in_the_process_without_redis(
    test_env: dict[str, str],
) -> None:
    # given Redis down and the default setting, and a budget of 3 requests a minute
    app = app_for(test_env, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                  RATE_LIMIT_ANONYMOUS="3/60")

    # when an anonymous caller asks four times
    statuses = [call(app, "POST", "/graphql", json=TYPENAME).status_code for _ in range(4)]

    # then the budget still holds, counted in this process
    assert statuses == [200, 200, 200, 429]


@pytest.fixture
def hanging_redis() -> Iterator[str]:
    """A port that takes connections and never answers, as a Redis that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


def test_a_write_commits_and_answers_within_its_budget_though_redis_hangs(
    test_env: dict[str, str], tmp_path: Path, hanging_redis: str,
) -> None:
    # given a Redis that takes connections and never answers, on a database of this test's
    database_url = prepare_database(os.environ.get("DATABASE_URL"), tmp_path, name="hang")
    try:
        app = app_for(test_env, REDIS_URL=hanging_redis, DATABASE_URL=database_url)
        values = {"practiceName": "Calm Waters Therapy", "name": "Ada Owner",
                  "email": unique_email("owner"), "password": PASSWORD,
                  "timezone": "Europe/London"}

        # when a stranger signs up, which counts a budget and hands an email to the broker
        started = time.monotonic()
        response = call(app, "POST", "/graphql",
                        json={"query": REGISTER, "variables": {"input": values}})

        # then the sign-up is answered as usual, inside the request's time budget (not cut
        # off as REQUEST_TIMEOUT after its commit); the email waits in the outbox
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"registerPractice": REGISTERED}
        assert time.monotonic() - started < settings_for(test_env).request_timeout_seconds
    finally:
        drop_database(database_url)


def test_without_redis_budgets_still_hold_and_the_warning_comes_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given the request budgets of a process whose Redis is down, on a clock of our own
    now = [1000.0]
    storage = RedisStorage(f"async+redis://127.0.0.1:{free_port()}/0", wrap_exceptions=True,
                           implementation="redispy")
    limiter = FallbackRateLimiter(storage, clock=lambda: now[0])

    async def hits(count: int) -> list[int | None]:
        return [await limiter.hit("account:a", Limit(5, 3600)) for _ in range(count)]

    # when a caller spends its budget of 5 and more, at once and then two minutes later
    with caplog.at_level(logging.WARNING, logger="caseload.ratelimit"):
        first = asyncio.run(hits(7))
        warned_at_once = len(caplog.records)
        now[0] += 120
        later = asyncio.run(hits(1))

    # then the budget held, counted in the process, and the warning came once, and again
    # once only after a minute
    assert first[:5] == [None] * 5 and all(first[5:])
    assert all(later)
    assert warned_at_once == 1
    assert len(caplog.records) == 2
    assert limiter.redis_down
