"""OpenTelemetry traces: off unless the OTEL_* variables ask; on, a request's spans (HTTP,
GraphQL, SQL) join the caller's trace, and a job's span joins the trace that queued it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from caseload.logs import handler
from caseload.settings import Settings, SettingsError, tracing_wanted
from caseload.tracing import JobTracing, spans
from jobs.sweep.run import Sweeper, run_sweep
from persistence.database import Database
from persistence.sandbox_gateway import SandboxGateway
from tests.platform.test_e2e import process_env
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff
from tests.support.server import RunningServer, start_server

ME = 'query Me { viewer { role practice { name } } clients(search: "Ada") { totalCount } }'
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def traced_server(test_env: dict[str, str], provider: TracerProvider) -> Iterator[RunningServer]:
    running = start_server(Settings.from_env(test_env), TestClock(), jobs=False,
                           tracer_provider=provider)
    yield running
    running.stop()


def trace_of(span: ReadableSpan) -> str:
    return format(span.context.trace_id, "032x")


def test_a_requests_spans_join_the_callers_trace(
    traced_server: RunningServer, owner: Staff, exporter: InMemorySpanExporter
) -> None:
    # given a caller inside a trace of its own
    client = GraphQLClient(traced_server.base_url)
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"

    # when it asks who it is, sending its traceparent
    answer = client.post({"query": ME}, owner.token, traceparent=traceparent)
    assert answer.data["viewer"]["role"] == "OWNER"

    # then the server's span is a child of the caller's, and every span is in its trace
    spans = exporter.get_finished_spans()
    [server] = [s for s in spans if s.name == "POST /graphql"]
    assert server.kind == SpanKind.SERVER
    assert server.parent is not None and format(server.parent.span_id, "016x") == CALLER_SPAN
    assert {trace_of(s) for s in spans} == {CALLER_TRACE}
    # and the GraphQL operation and its SQL statements are spans of that request
    names = [s.name for s in spans]
    assert "GraphQL Query: Me" in names
    assert "GraphQL Resolving: practice" in names
    # and no argument (an input holds emails and names) is recorded on a span
    assert "GraphQL Resolving: clients" in names
    assert not [k for s in spans for k, v in (s.attributes or {}).items()
                if k.startswith("graphql.param") or v == "Ada"]
    sql = [s for s in spans if {"db.system", "db.system.name"} & set(s.attributes or {})]
    assert sql, names
    assert answer.sql_statements == len(sql)


def test_without_a_traceparent_a_request_starts_a_trace_of_its_own(
    traced_server: RunningServer, exporter: InMemorySpanExporter
) -> None:
    # when someone calls without a trace
    GraphQLClient(traced_server.base_url).execute("{ __typename }")

    # then its spans share one new trace
    traces = {trace_of(s) for s in exporter.get_finished_spans()}
    assert len(traces) == 1 and CALLER_TRACE not in traces


def test_a_jobs_span_joins_the_trace_that_queued_it(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    # given a broker of its own with job tracing, and an actor
    broker = StubBroker()
    broker.add_middleware(JobTracing(provider))
    actor = dramatiq.actor(lambda: None, actor_name="traced_job_test", broker=broker,
                           max_retries=0)
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        # when a job is queued inside a span
        with provider.get_tracer("test").start_as_current_span("queues a job") as queuing:
            actor.send()
        broker.join(actor.queue_name)
        worker.join()
    finally:
        worker.stop()

    # then the job ran as a consumer span, child of the span that queued it
    [job] = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    assert job.name == "traced_job_test process"
    assert job.context.trace_id == queuing.get_span_context().trace_id
    assert job.parent is not None and job.parent.span_id == queuing.get_span_context().span_id


@pytest.mark.parametrize(("environ", "on"), [
    ({}, False),
    ({"OTEL_SERVICE_NAME": "caseload"}, False),
    ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
    ({"OTEL_TRACES_EXPORTER": "console"}, True),
    ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, False),
])
def test_the_otel_variables_turn_tracing_on(environ: dict[str, str], on: bool) -> None:
    assert tracing_wanted(environ) is on


def test_an_unknown_trace_exporter_stops_start_up() -> None:
    with pytest.raises(SettingsError, match="OTEL_TRACES_EXPORTER='zipkin' is not allowed"):
        tracing_wanted({"OTEL_TRACES_EXPORTER": "zipkin"})


OFF = """
import sys
from caseload.app import create_app
from caseload.logs import handler
from caseload.settings import Settings
app = create_app(Settings.from_env())
names = [m.cls.__name__ for m in app.user_middleware]
tracing = ("opentelemetry.sdk.trace", "opentelemetry.instrumentation",
           "strawberry.extensions.tracing")  # (redis-py loads OpenTelemetry's API itself)
print(sorted(n for n in sys.modules if n.startswith(tracing)), names)
"""


def test_with_tracing_off_nothing_of_opentelemetry_is_loaded_or_installed(
    test_env: dict[str, str], tmp_path: Path
) -> None:
    # when the app is built from an environment that names no OTEL_* variable
    env = {k: v for k, v in process_env(test_env, tmp_path).items()
           if not k.startswith("OTEL_")}
    result = subprocess.run([sys.executable, "-c", OFF], env=env, capture_output=True,
                            text=True, timeout=120)

    # then no tracing module was imported and no tracing middleware stands in front
    assert result.returncode == 0, result.stderr
    loaded, middleware = result.stdout.strip().split(" ", 1)
    assert loaded == "[]"
    assert "OpenTelemetryMiddleware" not in middleware
    assert "RequestIdMiddleware" in middleware


def test_a_sweeps_steps_are_spans_of_one_trace(
    test_env: dict[str, str], provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    # given a sweep traced as the runtime traces it (its hand-over to the broker refused,
    # so that no outbox row is claimed for a broker that no worker reads)
    def refuse(ids: list[uuid.UUID]) -> None:
        raise RuntimeError("no broker in this test")

    async def sweep() -> None:
        db = Database(test_env["DATABASE_URL"], pool_size=2)
        clock = TestClock()
        sweeper = Sweeper(db, clock, refuse, SandboxGateway(db, clock),
                          trace=spans(provider, "caseload.sweep"))
        try:
            with contextlib.suppress(RuntimeError):
                await run_sweep(sweeper)
        finally:
            await db.dispose()

    # when it runs
    asyncio.run(sweep())

    # then the sweep is one span, and each of its steps a span inside it
    finished = exporter.get_finished_spans()
    [root] = [s for s in finished if s.name == "sweep"]
    steps = [s.name for s in finished if s.parent is not None
             and s.parent.span_id == root.context.span_id]
    assert steps == [f"sweep {name}" for name in (
        "expire_offers", "release_unconfirmed", "retry_refunds", "charge_due_appointments",
        "auto_cancel_unpaid", "send_reminders", "bill_subscriptions", "offer_group_places",
        "relay_outbox")]


def test_a_log_line_written_inside_a_span_names_its_trace(provider: TracerProvider) -> None:
    # given JSON logs
    stream = io.StringIO()
    logger = logging.getLogger("caseload.test-trace-logs")
    logger.addHandler(handler("json", stream))
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        # when a line is written inside a span, and one outside
        with provider.get_tracer("test").start_as_current_span("work") as span:
            logger.info("inside")
        logger.info("outside")
    finally:
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.NOTSET)

    # then the first names the span's trace, the second none
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "trace_id" not in outside
