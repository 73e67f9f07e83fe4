"""GraphQL over HTTP: the response media type the client accepts, and the status of a
request error (a document that does not parse or validate, variables that do not coerce)."""

from __future__ import annotations

from typing import Any, cast

import mimeparse
from starlette.responses import Response
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# On a tie (`*/*`, or both listed equally) the legacy type wins: older clients expect it.
_OFFERED = [GRAPHQL_RESPONSE, JSON]


def negotiate(accept: str | None) -> str:
    """The media type to answer in: application/json unless the client prefers the new one."""
    if not accept:
        return JSON
    try:
        return mimeparse.best_match(_OFFERED, accept) or JSON
    except ValueError:  # a malformed Accept header gets the default, as with none
        return JSON


def is_request_error(result: ExecutionResult) -> bool:
    return isinstance(result, PreExecutionError)


def count(state: Any, *, request_error: bool) -> None:
    """Tallies a request's results on its Starlette state, for the status code."""
    state.graphql_results = getattr(state, "graphql_results", 0) + 1
    state.graphql_request_errors = getattr(state, "graphql_request_errors", 0) + request_error


def only_request_error(state: Any) -> bool:
    """One operation, refused before execution (a batch answers 200 with each result)."""
    return getattr(state, "graphql_results", 0) == 1 == getattr(
        state, "graphql_request_errors", 0)


def without_data(body: GraphQLHTTPResponse) -> GraphQLHTTPResponse:
    """A request error never executed, so the response has no `data` entry at all."""
    trimmed = dict(body)
    trimmed.pop("data", None)
    return cast(GraphQLHTTPResponse, trimmed)


def finish(response: Response, accept: str | None, *, request_error: bool) -> Response:
    """Sets the negotiated media type; a request error under the new type answers 400."""
    if not response.headers.get("content-type", "").startswith(JSON):
        return response  # GraphiQL's page, for one
    media_type = negotiate(accept)
    response.headers["content-type"] = f"{media_type}; charset=utf-8"
    if media_type == GRAPHQL_RESPONSE and request_error and response.status_code == 200:
        response.status_code = 400
    return response
