"""Query cost on every answer, Shopify-style, and a cost budget per caller:

    "extensions": {"cost": {"requestedQueryCost": 101, "actualQueryCost": 46,
                   "throttleStatus": {"maximumAvailable": 50000, "currentlyAvailable": 49954,
                                      "restoreRate": 833.33}}}

Requested: the most fields the operation could resolve (pages counted at their size).
Actual: the fields the answer holds. The budget is charged the actual cost; an operation
whose requested cost is more than is left is refused with THROTTLED before it runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers.shared.limits import RATE_LIMIT_REFUSALS
from schema.shared.extensions import requested_cost

COST_BUDGET = "cost_budget"  # RequestContext.extra: the CostBudget, set by the app
BUDGET_KEY = "cost_budget_key"  # RequestContext.extra: whose budget this request spends


@dataclass(frozen=True)
class Throttle:
    maximum: int
    left: int
    restore_per_second: float


class CostBudget(Protocol):
    async def left(self, key: str) -> Throttle: ...

    async def spend(self, key: str, cost: int, known: Throttle | None = None) -> Throttle:
        """Charge `cost` (capped at what is left); `known`: what `left` said earlier in this
        request, which spares reading it again when nobody spent in between."""
        ...


def answered_fields(data: Any) -> int:
    """Fields in an answer: each entry once, a list's items each counted; introspection
    is bounded by the schema and costs nothing. (A walk with a stack: answers run to
    thousands of entries and every request counts them.)"""
    count = 0
    pending = [data]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            for key, value in item.items():
                if not key.startswith("__"):  # introspection, as in requested
                    count += 1
                    if type(value) is dict or type(value) is list:
                        pending.append(value)
        elif type(item) is list:
            pending.extend(value for value in item if type(value) is dict or type(value) is list)
    return count


class QueryCost(SchemaExtension):
    requested = 0
    actual = 0
    throttle: Throttle | None = None

    def _budget(self) -> tuple[CostBudget | None, str]:
        extra = getattr(self.execution_context.context, "extra", {})
        return extra.get(COST_BUDGET), str(extra.get(BUDGET_KEY, "anonymous"))

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        budget, key = self._budget()
        operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)  # type: ignore[arg-type]
        before: Throttle | None = None
        if ctx.result is None and operation is not None:
            self.requested = requested_cost(ctx.graphql_document, operation, ctx.variables)
            if budget is not None:
                before = await budget.left(key)
                if self.requested > before.left:
                    RATE_LIMIT_REFUSALS.labels("query_cost").inc()
                    ctx.result = GraphQLExecutionResult(data=None, errors=[_throttled(before)])
        yield
        result = ctx.result
        self.actual = answered_fields(getattr(result, "data", None))
        if budget is not None:
            self.throttle = await budget.spend(key, self.actual, before)

    async def get_results(self) -> dict[str, Any]:
        budget, key = self._budget()
        if self.throttle is None and budget is not None:
            self.throttle = await budget.left(key)  # refused before execution: nothing spent
        cost: dict[str, Any] = {
            "requestedQueryCost": self.requested, "actualQueryCost": self.actual}
        if self.throttle is not None:
            cost["throttleStatus"] = {
                "maximumAvailable": self.throttle.maximum,
                "currentlyAvailable": self.throttle.left,
                "restoreRate": self.throttle.restore_per_second,
            }
        return {"cost": cost}


def _throttled(throttle: Throttle) -> GraphQLError:
    return GraphQLError(
        f"Query cost budget exhausted: {throttle.left} of {throttle.maximum} left, "
        f"restored at {throttle.restore_per_second:g} a second. Ask for smaller pages or "
        "wait.", extensions={"code": "THROTTLED"},
    )
