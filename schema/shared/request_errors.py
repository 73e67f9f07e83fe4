"""Request errors (the document does not parse, validate, or its variables do not coerce):
each gets its code, and none of them describes the schema when introspection is off."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, validate
from graphql.execution.values import get_variable_values
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.execution import PreExecutionError

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"


DOCUMENTS_CACHED = 256


@lru_cache(maxsize=DOCUMENTS_CACHED)
def _validated(schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...],
               hide_suggestions: bool) -> list[GraphQLError]:
    """Validation depends on the document alone (the limits count a variable page size as
    the largest), so each distinct document, parsed once, is validated once."""
    return validate(schema, document, rules, hide_suggestions=hide_suggestions)


def _coded(errors: list[GraphQLError] | None, code: str) -> None:
    for error in errors or ():
        if "code" not in (error.extensions or {}):
            error.extensions = {**(error.extensions or {}), "code": code}


class RequestErrors(SchemaExtension):
    """Runs validation and variable coercion itself so it can hide "Did you mean" hints;
    a result it refuses is a PreExecutionError, which the HTTP layer answers without
    `data` (400 under application/graphql-response+json)."""

    hide_suggestions = False

    def on_parse(self) -> Iterator[None]:
        yield
        _coded(self.execution_context.pre_execution_errors, PARSE_FAILED)

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and ctx.pre_execution_errors is None:
            rules = (*ctx.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
            ctx.pre_execution_errors = list(_validated(
                ctx.schema._schema, ctx.graphql_document, rules, self.hide_suggestions))
        yield
        _coded(ctx.pre_execution_errors, VALIDATION_FAILED)

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)  # type: ignore[arg-type]
        if ctx.result is None and operation is not None:
            coerced = get_variable_values(
                ctx.schema._schema, operation.variable_definitions or (),
                ctx.variables or {}, hide_suggestions=self.hide_suggestions,
            )
            if isinstance(coerced, list):
                # fresh errors: a scalar's own exception is the caller's mistake, not a bug
                errors = [GraphQLError(e.message, e.nodes, extensions=e.extensions)
                          for e in coerced]
                _coded(errors, BAD_USER_INPUT)
                ctx.result = PreExecutionError(data=None, errors=errors)
        yield


class RequestErrorsWithoutSuggestions(RequestErrors):
    hide_suggestions = True
