"""Shared GraphQL pieces: Node, PageInfo, UserError, enums, Money, payload helpers."""

from __future__ import annotations

import enum
import functools
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError

from domain.accounts import practice as domain_practice
from domain.shared import errors as domain_errors
from domain.shared.errors import DomainError
from resolvers.shared.context import RequestContext

IDEMPOTENCY_KEY = (
    "Any 1 to 200 characters, new for each intended operation (a UUID, say): a retry with the "
    "same key answers the first result and does nothing again; the same key with another input "
    "is IDEMPOTENCY_CONFLICT."
)

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


def described_enum(
    cls: type[E], *, name: str, description: str, values: Mapping[E, str]
) -> type[E]:
    """A domain enum served as `name`, each value with its description: the domain layer
    knows nothing of GraphQL, so the descriptions live here, and every value needs one."""
    missing = [member.name for member in cls if not values.get(member)]
    if missing:
        raise ValueError(f"enum {name} has no description for {missing}")
    served = strawberry.enum(cls, name=name, description=description)
    for value in served.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[cls[value.name]]
    return served


_Code = domain_errors.ErrorCode
ErrorCode = described_enum(_Code, name="ErrorCode", description=(
    "Why a mutation refused its input, in a userErrors entry. A refused mutation changed "
    "nothing."
), values={
    _Code.INVALID: "A value is malformed or out of range; the entry's field says which.",
    _Code.NOT_FOUND: (
        "No such item, or one the viewer may not see (another practice's items answer the "
        "same)."
    ),
    _Code.NOT_PERMITTED: "The viewer's role or link permissions do not allow this.",
    _Code.INVALID_STATE: (
        "The item's current status does not allow this, e.g. cancelling a cancelled session."
    ),
    _Code.EMAIL_TAKEN: "Another client or sign-in already uses this email address.",
    _Code.INVALID_CREDENTIALS: "Wrong email or password (the answer does not say which).",
    _Code.INVALID_TOKEN: (
        "An emailed link's token that is unknown, already used or expired; ask for a new link."
    ),
    _Code.NOT_THIRD_PARTY: "Only a THIRD_PARTY relationship can migrate to first-party.",
    _Code.PROFILE_INCOMPLETE: (
        "The client's profile lacks a detail this needs; one entry per missing field."
    ),
    _Code.HAS_UPCOMING_SESSIONS: (
        "The relationship still has upcoming sessions: cancel them first, or pass "
        "cancelUpcomingSessions."
    ),
    _Code.SLOT_UNAVAILABLE: (
        "The time is outside working hours, taken by a session or kept by a reserved slot."
    ),
    _Code.NO_PAYMENT_METHOD: "The payer has no card on file (and no package credit is used).",
    _Code.PAYMENT_DECLINED: "The payment provider refused the charge; nothing was kept.",
    _Code.LATE_CHANGE: (
        "A client may not move a session inside the practice's cancellation notice window."
    ),
    _Code.SESSION_FULL: "The group session has no free place on a date asked for.",
    _Code.ALREADY_LINKED: "These two clients are already linked.",
    _Code.NO_PACKAGE_SESSIONS: "The package has no credits left.",
    _Code.IDEMPOTENCY_CONFLICT: (
        "This idempotencyKey was already used with a different input; use a new key."
    ),
    _Code.TIME_OFF: (
        "The time falls in the practitioner's time off or a practice closure; the practice "
        "may book it anyway with allowDuringTimeOff."
    ),
})
_Day = domain_practice.Weekday
Weekday = described_enum(_Day, name="Weekday", description=(
    "A day of the week, in the practitioner's timezone."
), values={
    _Day.MONDAY: "Monday.", _Day.TUESDAY: "Tuesday.", _Day.WEDNESDAY: "Wednesday.",
    _Day.THURSDAY: "Thursday.", _Day.FRIDAY: "Friday.", _Day.SATURDAY: "Saturday.",
    _Day.SUNDAY: "Sunday.",
})
_Role = domain_practice.Role
Role = described_enum(_Role, name="Role", description="What a signed-in viewer is.", values={
    _Role.OWNER: (
        "The practitioner who registered the practice: everything a practitioner may, plus "
        "the practice's team, keys and other practitioners' work."
    ),
    _Role.PRACTITIONER: "A therapist of the practice: their clients, sessions and planning.",
    _Role.CLIENT: (
        "A client with a sign-in: their own profile and sessions, and what their links allow."
    ),
})


@strawberry.interface(description=(
    "An item with a global id: `node(id:)` fetches it again. Ids are opaque strings; never "
    "build or parse them."
))
class Node:
    id: strawberry.ID = strawberry.field(
        description="The item's global id, unique across all types."
    )


@strawberry.type(description="Where a page of a connection lies (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow the last one of this page."
    )
    has_previous_page: bool = strawberry.field(
        description="More items precede the first one of this page."
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor, for `before`; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor, for `after`; null on an empty page."
    )


@strawberry.type(description="One reason a mutation refused its input; it changed nothing.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path into the operation\'s arguments, e.g. ["input", "profile", "phone"].'
    )
    code: ErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What kind of refusal, for the front end to act on."
    )
    message: str = strawberry.field(
        description="A sentence in English for a person; may change, so never match on it."
    )


@strawberry.type(description="An amount of money in one currency.")
class Money:
    amount: Decimal = strawberry.field(
        description="The amount in the currency's main unit (e.g. pounds, not pence)."
    )
    currency: str = strawberry.field(
        description="ISO 4217 code, e.g. GBP; a practice's amounts share its currency."
    )


def context(info: strawberry.Info) -> RequestContext:
    return info.context  # type: ignore[no-any-return]


def built_once(ctx: RequestContext, kind: type[T], build: Callable[..., T], row: Any,
               *args: Any) -> T:
    """`build(row, *args)`, once per loaded row and request. A page names the same
    practitioner, payer or partner many times, and its answer types are never changed once
    built, so they can be shared. Only for rows from the request's loaders, which nothing
    writes to; the row is kept with its type so its id stays its own."""
    built = ctx.built[kind]
    found = built.get(id(row))
    if found is None:
        found = built[id(row)] = (build(row, *args), row)
    return found[0]  # type: ignore[no-any-return]


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
