"""`/metrics` as Prometheus scrapes it: operations by name and outcome, latency, SQL
statements per request, jobs, sweep steps, the outbox backlog and rate-limit refusals; and
only for the token's bearer when METRICS_TOKEN is set."""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dramatiq
import httpx
import pytest
from dramatiq.brokers.stub import StubBroker
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from caseload.metrics import OperationNames
from caseload.settings import Settings, SettingsError
from jobs.metrics import JobMetrics
from persistence import outbox
from persistence.database import Database
from persistence.tables import outbox as outbox_table
from tests.platform.test_e2e import CLI, process_env
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff, register_practice, unique_email
from tests.support.jobs import sweep, with_database
from tests.support.mailbox import Mailbox, free_port
from tests.support.server import RunningServer, start_server

ME = "query Me { viewer { role practice { name } } }"
TOKEN = "metrics-token-" + "x" * 20

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: GraphQLClient, token: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_operations_are_counted_by_name_and_outcome_with_latency_and_sql_statements(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a scrape before
    before = scrape(client)

    # when an owner asks who they are twice, and someone without a token once
    answers = [client.execute(ME, token=owner.token) for _ in range(2)]
    refused = client.execute(ME)
    after = scrape(client)

    # then each is counted under its name and outcome, and timed
    assert [a.data["viewer"]["role"] for a in answers] == ["OWNER"] * 2
    assert refused.error_codes == ["UNAUTHENTICATED"]
    operations = "caseload_graphql_operations_total"
    assert grew(before, after, operations, operation="Me", type="query", outcome="ok") == 2
    assert grew(before, after, operations, operation="Me", type="query",
                outcome="UNAUTHENTICATED") == 1
    assert grew(before, after, "caseload_graphql_operation_duration_seconds_count",
                operation="Me", type="query") == 3

    # and the SQL statements of those requests are the ones their headers reported
    statements = sum(r.sql_statements for r in [*answers, refused])
    assert statements > 0
    assert grew(before, after, "caseload_sql_statements_per_request_sum",
                route="/graphql") == statements
    assert grew(before, after, "caseload_sql_statements_per_request_count",
                route="/graphql") == 3
    assert grew(before, after, "caseload_http_requests_total", route="/graphql",
                status="200") == 3
    assert grew(before, after, "caseload_http_request_duration_seconds_count",
                route="/graphql") == 3


def test_a_caller_cannot_grow_the_metrics_with_made_up_operation_names() -> None:
    # given room for two operation names
    names = OperationNames(limit=2)

    # when operations arrive under three names, a name that is no GraphQL name, and none
    given: list[object] = ["Me", "Clients", "Made1234", "Me", "x y", None, {"a": 1}, ["Me"]]
    labels = [names.label(n) for n in given]

    # then the first two are labels, the rest count as other, and a nameless one as such
    assert labels == ["Me", "Clients", "other", "Me", "other", "anonymous", "other", "other"]


def test_an_operation_name_the_document_does_not_have_is_not_a_label(
    client: GraphQLClient, owner: Staff
) -> None:
    # when requests name an operation with text that is no GraphQL name, or with an object
    before = scrape(client)
    answers = [client.post({"query": ME, "operationName": name}, owner.token)
               for name in ("drop table; --", {"name": "Me"})]
    after = scrape(client)

    # then each is refused as the caller's error, and counted as other
    assert [(a.status, a.error_codes) for a in answers] == [(400, ["BAD_REQUEST"])] * 2
    grown = {dict(labels)["operation"] for (name, labels) in after
             if name == "caseload_graphql_operations_total"
             and after[(name, labels)] != before.get((name, labels), 0.0)}
    assert grown == {"other"}


def test_email_jobs_and_sweep_steps_are_counted(
    server: RunningServer, client: GraphQLClient, mailbox: Mailbox
) -> None:
    # given a scrape before
    before = scrape(client)

    # when a practice signs up (two email jobs) and a sweep runs
    email = unique_email("metered")
    register_practice(client, email=email)
    mailbox.wait_for(email, count=2)
    server.drain()
    sweep(server)
    after = scrape(client)

    # then the jobs are counted by actor, and every step of the sweep was timed
    jobs = "caseload_jobs_processed_total"
    assert grew(before, after, jobs, actor="process_outbox") >= 2
    assert grew(before, after, "caseload_job_duration_seconds_count",
                actor="process_outbox") >= 2
    for step in ("release_unconfirmed", "retry_refunds", "charge_due_appointments",
                 "auto_cancel_unpaid", "send_reminders", "bill_subscriptions", "relay_outbox"):
        assert grew(before, after, "caseload_sweep_step_duration_seconds_count",
                    step=step) == 1, step


def test_a_failing_job_counts_as_processed_and_failed_for_its_actor() -> None:
    # given a broker of its own with the metrics middleware, and an actor that fails
    broker = StubBroker()
    broker.add_middleware(JobMetrics())

    def refuses() -> None:
        raise RuntimeError("the relay is down")

    actor = dramatiq.actor(refuses, actor_name="refuses_metrics_test", broker=broker,
                           max_retries=0)
    from prometheus_client import REGISTRY

    def count(name: str) -> float:
        return REGISTRY.get_sample_value(name, {"actor": "refuses_metrics_test"}) or 0.0

    failed, processed = count("caseload_jobs_failed_total"), count(
        "caseload_jobs_processed_total")
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        # when it runs once
        actor.send()
        broker.join(actor.queue_name, fail_fast=False)
        worker.join()
    finally:
        worker.stop()

    # then it counts as processed and as failed
    assert count("caseload_jobs_processed_total") - processed == 1
    assert count("caseload_jobs_failed_total") - failed == 1


def test_the_outbox_backlog_is_read_at_scrape_time(
    server: RunningServer, client: GraphQLClient
) -> None:
    # given an outbox row waiting for ten minutes (nothing dispatches it), and one out of
    # attempts
    waiting_id, given_up_id = uuid.uuid4(), uuid.uuid4()
    created = server.clock() - timedelta(minutes=10)
    most = server.runtime.outbox_policy().max_attempts

    async def add(db: Database) -> None:
        async with db.new_write_tx() as tx, tx.begin():
            await outbox.write(tx, [
                {"id": waiting_id, "kind": "metrics_test_only", "payload": {},
                 "created_at": created, "attempts": 0, "dispatched_at": server.clock()},
                {"id": given_up_id, "kind": "metrics_test_only", "payload": {},
                 "created_at": created, "attempts": most, "dispatched_at": created},
            ])

    async def deliver(db: Database) -> None:
        async with db.new_write_tx() as tx, tx.begin():
            await tx.execute(update(outbox_table)
                             .where(outbox_table.c.id.in_([waiting_id, given_up_id]))
                             .values(delivered_at=server.clock()))

    before = scrape(client)
    with_database(server, add)
    try:
        # when Prometheus scrapes
        waiting = scrape(client)
    finally:
        with_database(server, deliver)
    delivered = scrape(client)

    # then one row is counted as waiting, the oldest waiting is at least its age, and the
    # other as given up
    assert grew(before, waiting, "caseload_outbox_waiting") == 1
    assert value(waiting, "caseload_outbox_oldest_waiting_age_seconds") >= 600
    assert grew(before, waiting, "caseload_outbox_given_up") == 1
    # and once delivered neither is
    assert grew(waiting, delivered, "caseload_outbox_waiting") == -1
    assert grew(waiting, delivered, "caseload_outbox_given_up") == -1


@pytest.fixture(scope="module")
def guarded_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """Production, with a metrics token and a tight budget for callers without a token."""
    env = {**test_env, "CASELOAD_ENV": "production", "METRICS_TOKEN": TOKEN,
           "RATE_LIMIT_ANONYMOUS": "2/60", "ARGON2_MEMORY_KIB": "19456",
           "REDIS_NAMESPACE": f"{test_env['REDIS_NAMESPACE']}-metrics"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


def test_with_a_metrics_token_only_its_bearer_may_scrape_and_refusals_are_counted(
    guarded_server: RunningServer,
) -> None:
    client = GraphQLClient(guarded_server.base_url)
    before = scrape(client, TOKEN)

    # when a caller without a token goes over its budget
    statuses = [client.execute("{ __typename }").status for _ in range(3)]

    # then the refusal is counted under its limit
    assert statuses == [200, 200, 429]
    after = scrape(client, TOKEN)
    assert grew(before, after, "caseload_rate_limit_refusals_total", limit="anonymous") == 1

    # and /metrics answers 401 without the token, or with another one
    for headers in ({}, {"Authorization": "Bearer " + "y" * 34}, {"Authorization": TOKEN}):
        refused = client.http.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert "caseload_" not in refused.text
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'


def test_production_serves_no_metrics_without_a_token(test_env: dict[str, str]) -> None:
    # given production settings with no metrics token
    settings = Settings.from_env({**test_env, "CASELOAD_ENV": "production",
                                  "ARGON2_MEMORY_KIB": "19456"})
    assert not settings.metrics
    running = start_server(settings, TestClock(), jobs=False)
    try:
        # when Prometheus asks
        response = GraphQLClient(running.base_url).http.get("/metrics")
    finally:
        running.stop()

    # then there is no such page
    assert response.status_code == 404


def test_a_scheduler_serves_its_own_metrics_on_the_port_asked_for(
    test_env: dict[str, str], tmp_path: Path
) -> None:
    # given `caseload scheduler --metrics-port`, which sweeps at once
    port = free_port()
    scheduler = subprocess.Popen(
        [*CLI, "scheduler", "--metrics-port", str(port)], env=process_env(test_env, tmp_path),
        stdout=subprocess.DEVNULL)
    try:
        # when Prometheus scrapes that port once the first sweep's last step has ended (the
        # step's series shows up when it starts, its count when it ends)
        deadline, samples = time.monotonic() + 60, {}
        while not samples.get(RELAY_COUNT):
            assert time.monotonic() < deadline and scheduler.poll() is None, samples
            time.sleep(0.2)
            with contextlib.suppress(httpx.TransportError):
                samples = _samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text)
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)

    # then each step of that sweep was timed, once
    assert samples[RELAY_COUNT] == 1


RELAY_COUNT = ("caseload_sweep_step_duration_seconds_count", "relay_outbox")


def _samples(text: str) -> dict[tuple[str, str | None], float]:
    return {(s.name, s.labels.get("step")): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_a_short_metrics_token_is_refused_without_being_shown(tmp_path: Path) -> None:
    # when the token is too short to be a secret
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"CASELOAD_VAR_DIR": str(tmp_path), "METRICS_TOKEN": "hunter2"})

    # then start-up stops naming the variable, and the value given is not repeated
    assert str(refused.value) == ("METRICS_TOKEN='***' is not allowed: use a secret of at "
                                  "least 16 characters, sent as Authorization: Bearer.")
