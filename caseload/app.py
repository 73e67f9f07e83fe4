"""The Starlette app factory: /graphql (with GraphiQL), /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from caseload import graphiql, graphql_http, tracing
from caseload.calendar_feed import calendar_feed_route
from caseload.client_address import ClientAddressMiddleware
from caseload.client_pages import client_page_routes
from caseload.client_pages.api import Api
from caseload.client_pages.web import Site
from caseload.cost_budget import WindowCostBudget
from caseload.deadline import RequestDeadlineMiddleware
from caseload.edge import EdgeLimitsMiddleware, RequestIdMiddleware
from caseload.live_socket import MAX_SUBSCRIPTIONS, live_sign_in, start_live, watch_expiry
from caseload.metrics import OperationMetrics, ScrapeTimeGauges, metrics_route, outbox_gauges
from caseload.runtime import Runtime
from caseload.settings import Settings
from caseload.widget.edge import PublishableKeyMiddleware
from caseload.widget.pages import widget_routes
from jobs.scheduler import run_scheduler
from persistence.database import ReadScope
from resolvers.accounts.authentication import authenticate
from resolvers.shared.auth import TokenRefusal, Viewer
from resolvers.shared.context import TOKEN_REFUSAL, RequestContext, Services
from resolvers.widgets.publishable_keys import WIDGET_ACCESS
from schema.build import create_schema
from schema.shared.cost import BUDGET_KEY, COST_BUDGET

logger = logging.getLogger("caseload")


def settle_heap() -> None:
    """What start-up built (schema, mappers, tables) lives as long as the process: keep it out
    of every collection, which otherwise walks it every few requests (a full collection of
    that heap cost more than a dashboard request)."""
    gc.collect()
    gc.freeze()

_HTTP_ERROR_CODES = {400: "BAD_REQUEST", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}


class GraphQLEndpoint(GraphQL[RequestContext, None]):
    def __init__(
        self, services: Services, settings: Settings, cost_budget: WindowCostBudget,
        tracer_provider: Any = None,
    ) -> None:
        observers: list[Any] = [OperationMetrics]
        if tracer_provider is not None:
            observers.append(tracing.strawberry_extension(tracer_provider))
        super().__init__(
            create_schema(introspection=settings.introspection, observers=observers),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,  # queries only: Strawberry refuses mutations over GET
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS,
        )
        self.services = services
        self.cost_budget = cost_budget

    def encode_json(self, data: object) -> bytes:
        # A page of 1,500 fields encodes in a tenth of the standard library's time.
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page()  # the packaged release, never Strawberry's CDN page

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        state = request.scope.get("state", {})
        request_id = state.get("request_id") or uuid.uuid4().hex
        widget = state.get(WIDGET_ACCESS)  # a publishable key opens the public surface only
        # A socket lives long: its reads take a session each rather than hold one open.
        scope = None if isinstance(request, WebSocket) else ReadScope(self.services.db)
        if scope is not None:
            request.state.read_scope = scope  # ended by run(), whatever the outcome
        found = None if widget else await authenticate(
            self.services, request.headers.get("authorization", ""), self.services.clock(),
            scope)
        viewer = found if isinstance(found, Viewer) else None
        context = RequestContext.build(
            self.services, viewer, request_id, request, read_scope=scope)
        if scope is not None:
            request.state.request_context = context  # released by run(), as the scope
        if isinstance(found, TokenRefusal):
            context.extra[TOKEN_REFUSAL] = found
        if widget is not None:
            context.extra[WIDGET_ACCESS] = widget
        context.extra[COST_BUDGET] = self.cost_budget
        context.extra[BUDGET_KEY] = _budget_key(context.viewer, widget, request)
        return context

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object]:
        """Sign-in is the connection_init payload's `authorization` (as the HTTP header);
        anything else is refused (4403). The socket closes when the token expires."""
        found = await live_sign_in(self.services, context.connection_params)
        if found is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.viewer, expires_at = found
        watch_expiry(context.request, self.services.clock, expires_at)
        return UNSET

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        body = await super().process_result(request, result)
        request_error = graphql_http.is_request_error(result)
        graphql_http.count(request.state, request_error=request_error)
        return graphql_http.without_data(body) if request_error else body

    async def run(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            response = await self._run(request, *args, **kwargs)
        finally:
            scope = getattr(request.state, "read_scope", None)
            if scope is not None:
                await scope.release()
            context = getattr(request.state, "request_context", None)
            if context is not None:
                context.release()
        if not isinstance(response, Response):
            return response
        return graphql_http.finish(
            response, request.headers.get("accept"),
            request_error=graphql_http.only_request_error(request.state),
        )

    async def _run(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """Refusals before execution (batch too large, mutation over GET) answer in GraphQL's
        error shape rather than plain text, so clients parse one format."""
        try:
            return await super().run(request, *args, **kwargs)
        except HTTPException as error:
            reason = error.reason
            if "Too many operations" in reason:
                code = "BATCH_TOO_LARGE"
            elif "mutations are not allowed" in reason:
                code = "MUTATION_OVER_GET"
            else:
                code = _HTTP_ERROR_CODES.get(error.status_code, "BAD_REQUEST")
            return JSONResponse(
                {"data": None, "errors": [{"message": reason, "extensions": {"code": code}}]},
                status_code=error.status_code,
            )


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    run_jobs_in_process: bool | None = None,
    run_scheduler_in_process: bool | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI app. With no Redis, the in-process worker and scheduler run inside it."""
    settings = settings or Settings.from_env()
    runtime = runtime or Runtime(settings)
    in_process = runtime.embedded_broker if run_jobs_in_process is None else run_jobs_in_process
    schedule = in_process if run_scheduler_in_process is None else run_scheduler_in_process
    graphql = GraphQLEndpoint(
        runtime.services, settings, WindowCostBudget(runtime.limiter, settings.rate_limit_cost),
        runtime.tracer_provider)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            await runtime.db.ping()
            checks["database"] = "ok"
        except Exception as error:  # reported, not raised: this is the health answer
            checks["database"] = f"unreachable: {type(error).__name__}"
        try:
            await asyncio.to_thread(_ping_broker, runtime)
            checks["broker"] = "ok"
        except Exception as error:
            checks["broker"] = f"unreachable: {type(error).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", **checks},
            status_code=200 if ready else 503,
        )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        scheduler: asyncio.Task[None] | None = None
        if in_process:
            runtime.start_worker()
        if schedule:
            scheduler = asyncio.create_task(
                run_scheduler(runtime.sweeper(), stop)
            )
        live = await start_live(runtime, stop)
        settle_heap()
        try:
            yield
        finally:
            stop.set()
            if live is not None:
                await live
            if scheduler is not None:
                await scheduler
            if in_process:
                await asyncio.to_thread(runtime.stop_worker)
            await runtime.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *widget_routes(runtime.db),
            *(client_page_routes(_site(graphql, runtime)) if settings.client_pages else []),
            *(graphiql.graphiql_routes() if settings.graphiql else ()),
            *([_metrics(runtime)] if settings.metrics else []),
            calendar_feed_route(runtime.db, runtime.clock),
            *extra_routes,
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    # Added last runs first: the request id wraps everything, then the client address is
    # settled, the time budget starts, limits come next, then publishable keys (after the
    # per-address limit, so junk keys cost no query over it).
    app.add_middleware(
        PublishableKeyMiddleware, db=runtime.db, limiter=runtime.limiter,
        per_key=settings.rate_limit_publishable_key,
    )
    app.add_middleware(
        EdgeLimitsMiddleware, limiter=runtime.limiter,
        anonymous=settings.rate_limit_anonymous, signed_in=settings.rate_limit_signed_in,
        max_body_bytes=settings.max_body_bytes, identify=_account_of(runtime),
    )
    app.add_middleware(RequestDeadlineMiddleware, seconds=settings.request_timeout_seconds)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(RequestIdMiddleware, expose_sql_count=settings.expose_sql_count)
    if runtime.tracer_provider is not None:  # outermost: the span holds the whole request
        middleware, options = tracing.asgi_middleware(runtime.tracer_provider)
        app.add_middleware(middleware, **options)
    return app


def _site(graphql: GraphQLEndpoint, runtime: Runtime) -> Site:
    """The client pages: the same API, budgets and secret as /graphql."""
    settings = runtime.settings
    return Site(
        api=Api(graphql), secret=settings.secret_key, limiter=runtime.limiter,
        anonymous=settings.rate_limit_anonymous, signed_in=settings.rate_limit_signed_in,
        identify=_account_of(runtime), max_body_bytes=settings.max_body_bytes,
        sign_in_lasts=settings.token_ttl, https=settings.app_url.startswith("https:"),
        clock=runtime.clock,
    )
def _metrics(runtime: Runtime) -> BaseRoute:
    gauges = ScrapeTimeGauges([outbox_gauges(runtime.db, runtime.outbox_policy())])
    return metrics_route(gauges, runtime.clock, runtime.settings.metrics_token)


def _budget_key(viewer: Any, widget: Any, request: Any) -> str:
    """Whose cost budget: a verified account, else a publishable key, else the address."""
    if viewer is not None:
        return f"account:{viewer.account_id}"
    if widget is not None:
        return f"key:{widget.key_id}"
    client = getattr(request, "client", None)
    return f"address:{client.host if client else 'unknown'}"


def _account_of(runtime: Runtime) -> Callable[[str], str | None]:
    def identify(token: str) -> str | None:
        viewer = runtime.services.tokens.read(token, runtime.clock()) if token else None
        return str(viewer.account_id) if viewer else None

    return identify


def _ping_broker(runtime: Runtime) -> None:
    client = getattr(runtime.broker, "client", None)
    if client is not None:
        client.ping()
