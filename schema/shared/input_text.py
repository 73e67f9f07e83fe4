"""Every string the caller sends, as a variable or a literal, is bounded before anything
runs: at most MAX_INPUT_TEXT characters, and no NUL or lone surrogate (no database column
can hold them, and no JSON answer could echo them). Longer than a column allows but under
this bound is the domain's to refuse, field by field, as a userError."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, Node, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from schema.shared.input_errors import BAD_USER_INPUT

MAX_INPUT_TEXT = 10_000


def text_problem(text: str) -> str | None:
    if len(text) > MAX_INPUT_TEXT:
        return f"is longer than {MAX_INPUT_TEXT} characters"
    if "\x00" in text:
        return "contains a NUL character"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "contains a lone surrogate (not Unicode text)"
    return None


def _variable_problems(value: Any, path: list[str]) -> Iterator[tuple[list[str], str]]:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _variable_problems(key, [*path, "(key)"])
            yield from _variable_problems(item, [*path, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _variable_problems(item, [*path, str(index)])


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[tuple[Node, str]] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        problem = text_problem(node.value)
        if problem:
            self.problems.append((node, problem))


def text_errors(document: Any, variables: dict[str, Any] | None) -> list[GraphQLError]:
    errors = [
        GraphQLError(f"The string at {'.'.join(path)} {problem}.",
                     extensions={"code": BAD_USER_INPUT, "field": path})
        for path, problem in _variable_problems(variables or {}, [])
    ]
    literals = _Literals()
    if document is not None:
        visit(document, literals)
    errors += [GraphQLError(f"A string in the document {problem}.", node,
                            extensions={"code": BAD_USER_INPUT})
               for node, problem in literals.problems]
    return errors[:10]


class InputTextLimits(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.result is None:
            errors = text_errors(ctx.graphql_document, ctx.variables)
            if errors:
                ctx.result = GraphQLExecutionResult(data=None, errors=errors)
        yield
