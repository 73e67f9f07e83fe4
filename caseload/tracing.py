"""OpenTelemetry traces, on only when the standard OTEL_* variables ask for them: then each
request (joining the caller's `traceparent`), GraphQL operation and resolver, SQL statement
and job is a span. Off, nothing of OpenTelemetry is imported or installed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.middleware import Middleware

from caseload.settings import trace_exporters

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

TRACE_OPTION = "otel_context"  # a message option: the enqueuer's traceparent


def provider_from_env(environ: Mapping[str, str]) -> TracerProvider:
    """The SDK reads the rest itself: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
    OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_* (endpoint, headers, protocol, timeout)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": "caseload"}
                                                       if not environ.get("OTEL_SERVICE_NAME")
                                                       else {}))
    for exporter in trace_exporters(environ) or ["otlp"]:
        if exporter == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        elif exporter == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def trace_engine(engine: AsyncEngine, provider: Any) -> None:
    """A span for each SQL statement this engine sends."""
    from opentelemetry import metrics, trace
    from opentelemetry.instrumentation.sqlalchemy import __version__
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    name = "opentelemetry.instrumentation.sqlalchemy"
    # SQLAlchemyInstrumentor instruments once a process; each engine of ours (the app's,
    # the jobs') is traced on its own, with the provider given.
    connections = metrics.get_meter(name, __version__).create_up_down_counter(
        "db.client.connections.usage", unit="connections")
    EngineTracer(trace.get_tracer(name, __version__, provider), engine.sync_engine, connections)


def spans(provider: Any, tracer_name: str) -> Callable[[str], AbstractContextManager[object]]:
    """A span per named block, in the current trace (the sweep's steps, for one)."""
    tracer = provider.get_tracer(tracer_name)
    return lambda name: tracer.start_as_current_span(name)


def asgi_middleware(provider: Any) -> tuple[Any, dict[str, Any]]:
    """A server span per request, in the trace of the caller's `traceparent` if any."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware, {
        "tracer_provider": provider, "exclude_spans": ["receive", "send"],
        "excluded_urls": "healthz,readyz,metrics"}


def strawberry_extension(provider: Any) -> Any:
    """Strawberry's own: a span for the operation, its parsing, validation and resolvers.
    No argument becomes an attribute: inputs hold people's emails and names."""
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return lambda: OpenTelemetryExtension(tracer_provider=provider, arg_filter=_no_arguments)


def _no_arguments(arguments: dict[str, Any], info: Any) -> dict[str, Any]:
    return {}


class JobTracing(Middleware):
    """Dramatiq: the enqueuer's trace context travels in the message, and each job run is a
    consumer span in that trace (SQL and email spans of the job nest under it)."""

    def __init__(self, provider: Any) -> None:
        from opentelemetry import trace

        self.tracer = trace.get_tracer("caseload.jobs", tracer_provider=provider)
        self._running = threading.local()

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int) -> None:
        from opentelemetry.propagate import inject

        carrier: dict[str, str] = {}
        inject(carrier)
        if carrier:
            message.options[TRACE_OPTION] = carrier

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        from opentelemetry import context, trace
        from opentelemetry.propagate import extract

        parent = extract(message.options.get(TRACE_OPTION) or {})
        span = self.tracer.start_span(
            f"{message.actor_name} process", context=parent, kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "dramatiq", "messaging.message.id":
                        message.message_id, "messaging.destination.name": message.queue_name})
        token = context.attach(trace.set_span_in_context(span, parent))
        self._running.current = (span, token)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self._end(exception)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._end(None)

    def _end(self, exception: BaseException | None) -> None:
        from opentelemetry import context, trace

        running = getattr(self._running, "current", None)
        if running is None:
            return
        span, token = running
        self._running.current = None
        if exception is not None:
            span.record_exception(exception)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(exception).__name__))
        span.end()
        context.detach(token)
