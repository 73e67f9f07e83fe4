"""No request holds the server: past REQUEST_TIMEOUT_SECONDS a request is cancelled, answered
503 REQUEST_TIMEOUT and rolled back, and /healthz answers all the while; password hashing
runs off the event loop."""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caseload.settings import ARGON2_MEMORY_KIB, Settings, SettingsError
from resolvers.shared.auth import hash_password, use_argon2_memory, verify_password
from tests.support.clients import CREATE_CLIENT
from tests.support.clock import TestClock
from tests.support.graphql import PASSWORD, SIGN_IN, GraphQLClient, Staff
from tests.support.server import RunningServer, start_server

SEARCH = "query Find($q: String) { clients(search: $q, includeInactive: true) { totalCount } }"
BUDGET_SECONDS = 1.0
STALL_SECONDS = 4.0


class StalledCommit(AsyncSession):
    """A database that takes longer to commit than the request budget allows, while the
    request holds `release` unset."""

    release = threading.Event()

    async def commit(self) -> None:
        deadline = time.monotonic() + STALL_SECONDS
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await super().commit()


@pytest.fixture(scope="module")
def budget_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """A second server on the same database with a one-second budget and slow commits."""
    env = {**test_env, "REQUEST_TIMEOUT_SECONDS": str(BUDGET_SECONDS),
           "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-budget"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    db = running.runtime.db
    db.new_write_tx = async_sessionmaker(  # type: ignore[method-assign]
        db.write_engine, class_=StalledCommit, expire_on_commit=False)
    yield running
    running.stop()


def _create(base_url: str, token: str, last_name: str) -> httpx.Response:
    variables = {"input": {"firstName": "Slow", "lastName": last_name}}
    return httpx.post(f"{base_url}/graphql", timeout=30, headers={
        "Authorization": f"Bearer {token}"}, json={"query": CREATE_CLIENT, "variables": variables})


def _health_while(pending: Any, base_url: str) -> list[float]:
    timings = []
    while not pending.done():
        started = time.monotonic()
        assert httpx.get(f"{base_url}/healthz", timeout=5).json() == {"status": "ok"}
        timings.append(time.monotonic() - started)
        time.sleep(0.05)
    return timings


def test_a_request_past_its_budget_is_cancelled_rolled_back_and_healthz_answers_meanwhile(
    budget_server: RunningServer, client: GraphQLClient, owner: Staff
) -> None:
    # given a mutation whose commit stalls for longer than the one-second budget
    StalledCommit.release.clear()
    last_name = f"Budget-{time.monotonic_ns()}"
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        pending = pool.submit(_create, budget_server.base_url, owner.token, last_name)
        # when /healthz is read while it runs
        timings = _health_while(pending, budget_server.base_url)
        answer = pending.result()
    elapsed = time.monotonic() - started
    # then /healthz answered at once each time, and the mutation was cut off at the budget
    assert len(timings) >= 5 and max(timings) < 0.5, timings
    assert answer.status_code == 503
    assert answer.json() == {"data": None, "errors": [{
        "message": "The request took longer than 1 seconds and was cancelled; nothing it "
                   "started was kept.",
        "extensions": {"code": "REQUEST_TIMEOUT"}}]}
    assert BUDGET_SECONDS <= elapsed < STALL_SECONDS
    assert answer.headers["x-request-id"]
    # and the client it had already written was rolled back, and the server still serves
    StalledCommit.release.set()
    found = client.data(SEARCH, {"q": last_name}, token=owner.token)
    assert found["clients"]["totalCount"] == 0
    quick = _create(budget_server.base_url, owner.token, last_name)
    assert quick.status_code == 200
    assert quick.json()["data"]["createClient"]["userErrors"] == []
    assert client.data(SEARCH, {"q": last_name}, token=owner.token)["clients"]["totalCount"] == 1


def _one_hash_seconds() -> float:
    started = time.monotonic()
    verify_password(hash_password(PASSWORD), PASSWORD)
    return (time.monotonic() - started) / 2


@pytest.fixture
def real_argon2_cost() -> Iterator[None]:
    """The process's hashing at argon2-cffi's real cost for one test (the suite hashes
    cheaply); the test servers share the process's hasher."""
    use_argon2_memory(ARGON2_MEMORY_KIB)
    yield
    use_argon2_memory(int(os.environ.get("ARGON2_MEMORY_KIB", "256")))


@pytest.mark.usefixtures("real_argon2_cost")
def test_password_hashing_leaves_the_event_loop_free(server: RunningServer) -> None:
    # given a burst of sign-ins for unknown emails, each a full Argon2 check of the dummy
    # hash, and what one hash costs here
    one_hash = _one_hash_seconds()
    # and what /healthz costs here with nothing hashing (a loaded machine makes it slow)
    baseline = statistics.median(_healthz_seconds(server) for _ in range(5))

    def sign_in(n: int) -> None:
        body = {"query": SIGN_IN, "variables": {"input": {
            "email": f"nobody-{n}-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}}}
        response = httpx.post(f"{server.base_url}/graphql", json=body, timeout=30)
        assert response.json()["data"]["signIn"]["accessToken"] is None, response.text

    with ThreadPoolExecutor(1) as pool:
        burst = [pool.submit(sign_in, i) for i in range(6)]
        time.sleep(0.05)
        # when /healthz is read while they hash
        timings = []
        while not all(f.done() for f in burst):
            timings.append(_healthz_seconds(server))
            time.sleep(0.01)
        for f in burst:
            f.result()
    # then /healthz did not wait behind the hashing (on the loop it would wait for what is
    # left of a hash on top of its own cost, more than half of one in the median)
    waited = statistics.median(timings) - baseline
    assert len(timings) >= 3 and waited < one_hash / 2, (timings, baseline, one_hash)


def _healthz_seconds(server: RunningServer) -> float:
    started = time.monotonic()
    httpx.get(f"{server.base_url}/healthz", timeout=5)
    return time.monotonic() - started


def test_the_budget_is_a_setting_of_a_few_seconds(tmp_path: Path) -> None:
    base = {"CASELOAD_VAR_DIR": str(tmp_path)}
    assert Settings.from_env(base).request_timeout_seconds == 5.0
    assert Settings.from_env({**base, "REQUEST_TIMEOUT_SECONDS": "2.5"}
                             ).request_timeout_seconds == 2.5
    for refused in ("0", "-1", "abc", "inf"):
        with pytest.raises(SettingsError, match=f"REQUEST_TIMEOUT_SECONDS='{refused}'"):
            Settings.from_env({**base, "REQUEST_TIMEOUT_SECONDS": refused})
