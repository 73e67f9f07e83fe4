"""`/metrics` in Prometheus' text format: requests and GraphQL operations, SQL statements per
request, jobs, sweep steps and rate-limit refusals (counted where they happen), and the
outbox backlog, read from the database at each scrape."""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

from persistence import outbox
from persistence.database import Database
from persistence.outbox import RetryPolicy

HTTP_SECONDS = Histogram(
    "caseload_http_request_duration_seconds", "Time to answer an HTTP request, by route",
    ["route"])
HTTP_REQUESTS = Counter(
    "caseload_http_requests_total", "HTTP requests answered, by route and status",
    ["route", "status"])
SQL_STATEMENTS = Histogram(
    "caseload_sql_statements_per_request", "SQL statements one HTTP request sent, by route",
    ["route"], buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144))
OPERATIONS = Counter(
    "caseload_graphql_operations_total",
    "GraphQL operations by name, type and outcome (ok, or the first error's code)",
    ["operation", "type", "outcome"])
OPERATION_SECONDS = Histogram(
    "caseload_graphql_operation_duration_seconds", "Time to run one GraphQL operation",
    ["operation", "type"])

_ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics")
_PREFIXES = ("/widget/", "/graphiql/")


def route_of(path: str) -> str:
    """A label of few values whatever the path: unknown paths are `other`."""
    if path in _ROUTES:
        return path
    return next((p.rstrip("/") for p in _PREFIXES if path.startswith(p)), "other")


def observe_request(path: str, status: int, seconds: float, statements: int) -> None:
    route = route_of(path)
    HTTP_SECONDS.labels(route).observe(seconds)
    HTTP_REQUESTS.labels(route, str(status)).inc()
    SQL_STATEMENTS.labels(route).observe(statements)


class OperationNames:
    """Operation names are the caller's choice: at most `limit` distinct ones become labels
    (the rest count as `other`), so no caller can grow the metrics without bound."""

    _NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")

    def __init__(self, limit: int = 300) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def label(self, name: object) -> str:
        if not name:
            return "anonymous"
        if not isinstance(name, str):  # a request may send any JSON as operationName
            return "other"
        if name in self.seen:
            return name
        if not self._NAME.match(name) or len(self.seen) >= self.limit:
            return "other"
        self.seen.add(name)
        return name


OPERATION_NAMES = OperationNames()
_CODE = re.compile(r"^[A-Z][A-Z_]{0,47}$")


class OperationMetrics(SchemaExtension):
    """Counts and times each operation (each one of a batch too)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        outcome = "REQUEST_ERROR"  # Strawberry raised (an unknown operation name, for one)
        try:
            yield
            outcome = _outcome(self.execution_context.result)
        finally:
            ctx = self.execution_context
            name = OPERATION_NAMES.label(ctx.operation_name)
            kind = _operation_type(ctx)
            OPERATIONS.labels(name, kind, outcome).inc()
            OPERATION_SECONDS.labels(name, kind).observe(time.perf_counter() - started)


def _operation_type(ctx: Any) -> str:
    try:
        return str(ctx.operation_type.value)
    except Exception:  # a document that did not parse has no operation
        return "unknown"


def _outcome(result: Any) -> str:
    errors = getattr(result, "errors", None) or []
    if not errors:
        return "ok"
    code = (getattr(errors[0], "extensions", None) or {}).get("code")
    if isinstance(code, str) and _CODE.match(code):
        return code
    return "REQUEST_ERROR" if isinstance(result, PreExecutionError) else "ERROR"


Read = Callable[[datetime], Awaitable[list[GaugeMetricFamily]]]


class ScrapeTimeGauges:
    """Gauges read from the database when /metrics is scraped (a Prometheus collector).
    Each reader answers its gauges; to add one, add a reader (see `outbox_gauges`)."""

    def __init__(self, readers: list[Read]) -> None:
        self.readers = readers
        self.latest: list[GaugeMetricFamily] = []

    async def refresh(self, now: datetime) -> None:
        fresh: list[GaugeMetricFamily] = []
        for read in self.readers:
            fresh.extend(await read(now))
        self.latest = fresh

    def collect(self) -> Iterator[Metric]:
        yield from self.latest


def outbox_gauges(db: Database, policy: RetryPolicy) -> Read:
    async def read(now: datetime) -> list[GaugeMetricFamily]:
        async with db.reading() as tx:
            health = await outbox.health(tx, now, policy)
        return [
            GaugeMetricFamily("caseload_outbox_waiting",
                              "Outbox rows (emails, jobs) not delivered yet and still retried",
                              value=health.waiting),
            GaugeMetricFamily("caseload_outbox_oldest_waiting_age_seconds",
                              "Age of the oldest undelivered outbox row (0 when none waits)",
                              value=max(0.0, health.oldest_waiting_seconds or 0.0)),
            GaugeMetricFamily("caseload_outbox_given_up",
                              "Outbox rows past OUTBOX_MAX_ATTEMPTS: `caseload outbox` lists "
                              "and retries them", value=health.given_up),
        ]

    return read


def metrics_route(
    gauges: ScrapeTimeGauges, clock: Callable[[], datetime], token: str | None
) -> Route:
    """The process's metrics and the scrape-time gauges; with `token`, only for a caller
    sending `Authorization: Bearer <token>`."""
    scraped = CollectorRegistry(auto_describe=True)
    scraped.register(gauges)

    async def metrics(request: Request) -> Response:
        if token is not None and not _bearer_is(request, token):
            return Response("Unauthorized\n", status_code=401, media_type="text/plain",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        await gauges.refresh(clock())
        body = generate_latest(REGISTRY) + generate_latest(scraped)
        return Response(body, media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    return Route("/metrics", metrics, methods=["GET"])


def _bearer_is(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())
