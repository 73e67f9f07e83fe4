"""What a publishable key opens: a request that presented one may touch only the public
booking fields, and those fields answer only such a request."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers.widgets.publishable_keys import WIDGET_ACCESS
from schema.shared.extensions import _fragments, _root_fields
from schema.widgets.fields import WIDGET_ROOT_FIELDS

_ALWAYS = frozenset({"__typename"})


class WidgetScope(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)  # type: ignore[arg-type]
        extra = getattr(ctx.context, "extra", {})
        if operation is not None and ctx.result is None:
            fields = set(_root_fields(operation.selection_set, _fragments(ctx.graphql_document)))
            message = _refusal(fields, keyed=WIDGET_ACCESS in extra)
            if message is not None:
                ctx.result = GraphQLExecutionResult(data=None, errors=[
                    GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})])
        yield


def _refusal(fields: set[str], *, keyed: bool) -> str | None:
    if keyed and fields - WIDGET_ROOT_FIELDS - _ALWAYS:
        return ("A publishable key opens only " + ", ".join(sorted(WIDGET_ROOT_FIELDS)) + ".")
    if not keyed and fields & WIDGET_ROOT_FIELDS:
        return "Send a publishable key in the X-Caseload-Key header, from an allowed origin."
    return None
