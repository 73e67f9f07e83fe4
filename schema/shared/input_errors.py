"""Values the caller sent that do not parse are the caller's error: BAD_USER_INPUT.

graphql-core reports a bad literal during validation (at the value's node) and a bad
variable while coercing variables (at the variable's definition); a scalar's own refusal
rides along as the original error. Either way the caller gets the message and the location,
never a masked INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

from graphql import GraphQLError, ValueNode, VariableDefinitionNode, VariableNode

from schema.shared.scalars import InvalidScalar

BAD_USER_INPUT = "BAD_USER_INPUT"


def _caused_by_scalar(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, InvalidScalar):
            return True
        error = getattr(error, "original_error", None) or error.__cause__
        seen += 1
    return False


def is_bad_input(error: GraphQLError) -> bool:
    if error.path is not None:
        return _caused_by_scalar(error.original_error)  # an argument coerced while executing
    node = error.nodes[0] if error.nodes else None
    if isinstance(node, ValueNode) and not isinstance(node, VariableNode):
        return True  # a literal in the document
    return isinstance(node, VariableDefinitionNode) and error.message.startswith("Variable '$")


def as_bad_input(error: GraphQLError) -> GraphQLError:
    """The same message and location, with the caller's code and no traceback behind it."""
    return GraphQLError(
        error.message, nodes=error.nodes, path=error.path,
        extensions={**(error.extensions or {}), "code": BAD_USER_INPUT},
    )
