"""Shared GraphQL pieces: Node, PageInfo, UserError, enums, Money, pagination, payload helper."""

from __future__ import annotations

import base64
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


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


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def page(first: int | None, after: str | None) -> Page:
    """Offset cursors, at most MAX_PAGE_SIZE a page; bad arguments are a top-level error."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"first must be between 0 and {MAX_PAGE_SIZE}.",
            extensions={"code": "BAD_USER_INPUT", "argument": "first"},
        )
    offset = 0
    if after is not None:
        position = _cursor_position(after)
        if position is None:
            raise GraphQLError(
                "after is not a cursor from this connection.",
                extensions={"code": "BAD_USER_INPUT", "argument": "after"},
            )
        offset = position + 1
    return Page(offset, size)


def cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{position}".encode()).decode()


def _cursor_position(value: str) -> int | None:
    try:
        kind, _, number = base64.urlsafe_b64decode(value.encode()).decode().partition(":")
        position = int(number)
    except ValueError:
        return None
    return position if kind == "offset" and position >= 0 else None


def page_info(page: Page, count: int, total: int) -> PageInfo:
    return PageInfo(
        has_next_page=page.offset + count < total,
        has_previous_page=page.offset > 0,
        start_cursor=cursor(page.offset) if count else None,
        end_cursor=cursor(page.offset + count - 1) if count else None,
    )
