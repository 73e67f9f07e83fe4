"""Shared GraphQL pieces: Node, PageInfo, UserError, enums, Money, payload helpers."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError

from domain.accounts import practice as domain_practice
from domain.shared import errors as domain_errors
from domain.shared.errors import DomainError
from resolvers.shared.context import RequestContext

ErrorCode = strawberry.enum(domain_errors.ErrorCode, name="ErrorCode")
Weekday = strawberry.enum(domain_practice.Weekday, name="Weekday")
Role = strawberry.enum(domain_practice.Role, name="Role")

# Codes added after the contract, described here (the domain's enum knows no GraphQL).
_ERROR_CODE_DESCRIPTIONS = {
    "TIME_OFF": "The time falls in the practitioner's time off or a practice closure; the "
    "practice may book it anyway with allowDuringTimeOff.",
}
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _ERROR_CODE_DESCRIPTIONS.get(_value.name, _value.description)

@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path into the operation\'s arguments, e.g. ["input", "profile", "phone"].'
    )
    code: ErrorCode  # type: ignore[valid-type]
    message: str


@strawberry.type
class Money:
    amount: Decimal
    currency: str


def context(info: strawberry.Info) -> RequestContext:
    return info.context  # type: ignore[no-any-return]


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(
            field=["input", *problem.field] if problem.field is not None else None,
            code=problem.code,
            message=problem.message,
        )
        for problem in error.problems
    ]


P = TypeVar("P")


def refusals_as_user_errors(
    payload: type[P],
) -> Callable[[Callable[..., Awaitable[P]]], Callable[..., Awaitable[P]]]:
    """A mutation whose domain refusals become `payload(userErrors=[...])`."""

    def decorate(fn: Callable[..., Awaitable[P]]) -> Callable[..., Awaitable[P]]:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> P:
            try:
                return await fn(*args, **kwargs)
            except DomainError as error:
                return payload(user_errors=user_errors(error))  # type: ignore[call-arg]

        return wrapper

    return decorate


def refusals_as_query_errors(fn: Callable[..., Awaitable[P]]) -> Callable[..., Awaitable[P]]:
    """A query has no payload: a domain refusal becomes a top-level error with its code and
    the argument it concerns."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> P:
        try:
            return await fn(*args, **kwargs)
        except DomainError as error:
            first = error.problems[0]
            extensions: dict[str, Any] = {"code": first.code.name}
            if first.field is not None:
                extensions["argument"] = list(first.field)
            raise GraphQLError(str(error), extensions=extensions) from None

    return wrapper
