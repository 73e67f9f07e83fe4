"""Relay connections over keyset pages: `first`/`after` forward, `last`/`before` backward;
a cursor is the item's sort key and id, opaque to clients and checked when it comes back."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from graphql import GraphQLError

from domain.shared.paging import Key, KeyPart, Paged, Slice
from schema.shared.common import PageInfo

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

# What each part of a key is: a connection's cursors have one shape.
APPOINTMENT_KEY: tuple[type, ...] = (datetime, uuid.UUID)
CLIENT_KEY: tuple[type, ...] = (str, str, uuid.UUID)

_PARSE: dict[str, Callable[[str], KeyPart]] = {
    "t": datetime.fromisoformat, "u": uuid.UUID, "s": str,
}


def _bad(argument: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "argument": argument})


def _size(value: int | None, argument: str) -> int:
    size = DEFAULT_PAGE_SIZE if value is None else value
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise _bad(argument, f"{argument} must be between 0 and {MAX_PAGE_SIZE}.")
    return size


def window(
    shape: tuple[type, ...], first: int | None, after: str | None,
    last: int | None = None, before: str | None = None,
) -> Slice:
    """The slice the arguments ask for; bad arguments are a top-level BAD_USER_INPUT."""
    if first is not None and last is not None:
        raise _bad("last", "Pass first or last, not both.")
    backward = last is not None
    return Slice(
        limit=_size(last if backward else first, "last" if backward else "first"),
        after=None if after is None else decode(after, shape, "after"),
        before=None if before is None else decode(before, shape, "before"),
        backward=backward,
    )


def encode(key: Key) -> str:
    parts = [_tagged(part) for part in key]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def _tagged(part: KeyPart) -> list[str]:
    """isinstance, not type: a driver may answer a subclass (asyncpg's UUID)."""
    if isinstance(part, datetime):
        return ["t", part.isoformat()]
    return ["u" if isinstance(part, uuid.UUID) else "s", str(part)]


def decode(cursor: str, shape: tuple[type, ...], argument: str) -> Key:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key = tuple(_PARSE[tag](text) for tag, text in parts)
    except (ValueError, TypeError, KeyError, binascii.Error):
        key = ()
    if tuple(type(part) for part in key) != shape:
        raise _bad(argument, f"{argument} is not a cursor from this connection.")
    return key


E = TypeVar("E")


def edges_and_info(
    paged: Paged[Any], at: Slice, edge: Callable[[str, Any], E]
) -> tuple[list[E], PageInfo]:
    """Edges with their cursors, and PageInfo as Relay defines it for the direction read."""
    cursors = [encode(key) for key in paged.keys]
    edges = [edge(c, item) for c, item in zip(cursors, paged.items, strict=True)]
    info = PageInfo(
        has_next_page=paged.more if not at.backward else at.before is not None,
        has_previous_page=paged.more if at.backward else at.after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
    return edges, info


def empty_info() -> PageInfo:
    return PageInfo(has_next_page=False, has_previous_page=False,
                    start_cursor=None, end_cursor=None)
