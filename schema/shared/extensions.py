"""Guards around every operation: sign-in required, size limits, and masking of bugs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import AddValidationRules, ParserCache, SchemaExtension

from resolvers.shared.auth import TokenRefusal
from resolvers.shared.context import TOKEN_REFUSAL
from schema.shared.connections import MAX_PAGE_SIZE
from schema.shared.input_errors import as_bad_input, is_bad_input
from schema.widgets.fields import WIDGET_ROOT_FIELDS

logger = logging.getLogger("caseload.graphql")

# Root fields anyone may call; everything else needs `Authorization: Bearer`.
PUBLIC_ROOT_FIELDS = {
    "__schema", "__type", "__typename", "registerPractice", "verifyEmail", "signIn",
    "acceptClientInvite", "confirmGuestBooking", "claimWaitlistOffer", "requestPasswordReset",
    "resetPassword", "acceptPractitionerInvite",
} | WIDGET_ROOT_FIELDS  # these need a publishable key instead (schema/widgets/scope.py)

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_BATCH = 10
MAX_COST = 25_000
PAGE_ARGUMENTS = ("first", "last")
DEFAULT_PAGE = 20


def _fragments(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _root_fields(fragments[selection.name.value].selection_set, fragments)


class RequireSignIn(SchemaExtension):
    """An operation touching any non-public root field needs a signed-in viewer."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)  # type: ignore[arg-type]
        viewer = getattr(ctx.context, "viewer", None)
        if operation is not None and viewer is None and ctx.result is None:
            fields = set(_root_fields(operation.selection_set, _fragments(ctx.graphql_document)))
            if fields - PUBLIC_ROOT_FIELDS:
                ctx.result = GraphQLExecutionResult(data=None, errors=[_unauthenticated(
                    getattr(ctx.context, "extra", {}).get(TOKEN_REFUSAL))])
        yield


def _unauthenticated(refusal: TokenRefusal | None) -> GraphQLError:
    """No token, or why the one sent signs nobody in (`extensions.reason`)."""
    if refusal is None:
        return GraphQLError("Sign in first: send `Authorization: Bearer <accessToken>`.",
                            extensions={"code": "UNAUTHENTICATED"})
    return GraphQLError(refusal.value,
                        extensions={"code": "UNAUTHENTICATED", "reason": refusal.name})


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection is bounded by the schema itself
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                deepest = max(
                    deepest, _depth(fragments[name].selection_set, fragments, seen | {name})
                )
    return deepest


class DepthLimit(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = _depth(node.selection_set, _fragments(self.context.document))
        if depth > MAX_DEPTH:
            self.report_error(
                GraphQLError(
                    f"Query is {depth} levels deep; at most {MAX_DEPTH} are allowed.",
                    node,
                    extensions={"code": "QUERY_TOO_DEEP"},
                )
            )


class AliasLimit(ValidationRule):
    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.aliases = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.aliases += 1
            if self.aliases == MAX_ALIASES + 1:
                self.report_error(
                    GraphQLError(
                        f"More than {MAX_ALIASES} aliases in one document.",
                        node,
                        extensions={"code": "TOO_MANY_ALIASES"},
                    )
                )


def _multiplier(field: FieldNode, variables: dict[str, Any] | None) -> int:
    """A paginated field repeats its selection up to `first` (or `last`) times; a variable
    counts as the maximum unless its value is known."""
    for argument in field.arguments or ():
        if argument.name.value in PAGE_ARGUMENTS:
            value = getattr(argument.value, "value", None)
            if isinstance(argument.value, VariableNode) and variables is not None:
                value = variables.get(argument.value.name.value)
                value = str(DEFAULT_PAGE if value is None else value)
            # no list answers more than MAX_PAGE_SIZE items (a larger page is refused as such)
            return min(MAX_PAGE_SIZE, max(1, int(value))) if isinstance(value, str) and (
                value.isdigit()) else MAX_PAGE_SIZE
    return 1


def _cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
    variables: dict[str, Any] | None = None,
) -> int:
    """Fields resolved, roughly: each field is 1, and a page multiplies what it selects."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if not selection.name.value.startswith("__"):
                inner = _cost(selection.selection_set, fragments, seen, variables)
                total += 1 + _multiplier(selection, variables) * inner
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, seen, variables)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += _cost(fragments[name].selection_set, fragments, seen | {name},
                               variables)
    return total


def requested_cost(document: Any, operation: OperationDefinitionNode,
                   variables: dict[str, Any] | None) -> int:
    """The most fields the operation can resolve, its page sizes read from `variables`."""
    return _cost(operation.selection_set, _fragments(document), variables=variables or {})


class CostLimit(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        cost = _cost(node.selection_set, _fragments(self.context.document))
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"Query would resolve about {cost} fields; at most {MAX_COST} are allowed. "
                    "Ask for smaller pages.",
                    node,
                    extensions={"code": "QUERY_TOO_COMPLEX"},
                )
            )


class TokenLimit(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield


class ParsedOnce(ParserCache):
    """ParserCache, except that a document that does not parse is left to Strawberry, which
    parses it again and reports the error its usual way (a failed parse is never cached)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


def limit_rules() -> AddValidationRules:
    return AddValidationRules([DepthLimit, AliasLimit, CostLimit])


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return (
        original is not None and not isinstance(original, GraphQLError)
        and not is_bad_input(error)
    )


class ErrorPolicy(SchemaExtension):
    """Bugs become INTERNAL_SERVER_ERROR with the request id; limit errors get their code."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [self._policy(error, request_id) for error in result.errors]

    @staticmethod
    def _policy(error: GraphQLError, request_id: str | None) -> GraphQLError:
        if is_bad_input(error):
            return as_bad_input(error)
        if is_unexpected(error):
            return GraphQLError(
                "Internal server error.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            )
        if "tokens. Parsing aborted" in error.message:
            return GraphQLError(
                f"The document has more than {MAX_TOKENS} tokens.",
                extensions={"code": "TOO_MANY_TOKENS"},
            )
        return error


def log_unexpected(errors: list[GraphQLError], request_id: str | None) -> None:
    for error in errors:
        if is_unexpected(error):
            logger.error(
                "request %s: unexpected error at %s", request_id, error.path,
                exc_info=error.original_error,
            )
        else:
            logger.debug("request %s: %s", request_id, error.message)
