"""The pages speak the GraphQL API as any front end does: the same schema, executed in the
process with the context /graphql builds for a request carrying the page's access token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request


class Endpoint(Protocol):
    """What the pages need of caseload.app's GraphQLEndpoint."""

    schema: Any

    async def get_context(self, request: Any, response: Any) -> Any: ...


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.errors]

    @property
    def unauthenticated(self) -> bool:
        return "UNAUTHENTICATED" in self.codes

    def payload(self, name: str) -> dict[str, Any]:
        return self.data.get(name) or {}

    def user_errors(self, name: str) -> list[dict[str, Any]]:
        return list(self.payload(name).get("userErrors") or [])


class Api:
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def run(
        self, request: Request, document: str, variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> Answer:
        context = await self.endpoint.get_context(_as_bearer(request, token), None)
        try:
            result = await self.endpoint.schema.execute(
                document, variable_values=variables or {}, context_value=context)
        finally:
            await context.end_reads()
        errors = [e.formatted for e in result.errors or []]
        return Answer(result.data or {}, errors)


def _as_bearer(request: Request, token: str | None) -> Request:
    """The page's request as /graphql would see it: its cookie's token as the bearer."""
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"authorization"]
    if token:
        headers.append((b"authorization", b"Bearer " + token.encode("latin-1", "replace")))
    return Request({**request.scope, "headers": headers})
