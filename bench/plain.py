"""Plain Starlette twins of the benchmarked GraphQL operations.

Each reads the same rows with SQLAlchemy Core through the server's own Database (so the
request middleware counts its SQL statements too), authenticates the same Bearer token
with the runtime's Tokens, and answers the same bytes as the GraphQL response: the same
{"data": ...} shape, key order and JSON encoding (compact separators, ASCII escapes).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from caseload.runtime import Runtime
from persistence import tables
from resolvers.shared.auth import Viewer
from schema.shared.ids import to_global_id

DEFAULT_PAGE_SIZE = 20  # the connection's default, as schema.common has it


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def signed_in(request: Request) -> Viewer | None:
    """The viewer a Bearer token stands for, read exactly as the GraphQL endpoint does."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    services = runtime_of(request).services
    return services.tokens.read(token.strip(), services.clock())


def answer(data: dict[str, Any], status_code: int = 200) -> Response:
    """Encoded as the GraphQL endpoint encodes its responses."""
    return Response(orjson.dumps(data), status_code=status_code,
                    media_type="application/json")


def unauthenticated() -> Response:
    error = {"message": "Sign in first.", "extensions": {"code": "UNAUTHENTICATED"}}
    return answer({"data": None, "errors": [error]}, status_code=401)


async def variables_of(request: Request) -> dict[str, Any]:
    """The plain endpoints get the same request body as GraphQL and parse it too."""
    body = await request.json()
    return dict(body.get("variables") or {})


async def viewer(request: Request) -> Response:
    """{ viewer { role practice { name practitioners { name email } }
                  practitioner { id name workingHours { weekday start end } } } }"""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    await variables_of(request)
    p = tables.practitioners
    async with runtime_of(request).db.reading() as tx:
        practice_name = await tx.scalar(
            select(tables.practices.c.name).where(tables.practices.c.id == who.practice_id)
        )
        staff = (await tx.execute(
            select(p.c.id, p.c.name, p.c.email, p.c.working_hours)
            .where(p.c.practice_id == who.practice_id)
            .order_by(p.c.created_at)
        )).all()
    mine = next((row for row in staff if row.id == who.practitioner_id), None)
    practice = {"name": practice_name,
                "practitioners": [{"name": row.name, "email": row.email} for row in staff]}
    return answer({"data": {"viewer": {
        "role": who.role.value,
        "practice": practice,
        "practitioner": None if mine is None else _practitioner(mine),
    }}})


def _practitioner(row: Any) -> dict[str, Any]:
    return {
        "id": to_global_id("Practitioner", row.id),
        "name": row.name,
        "workingHours": [
            {"weekday": h.weekday.name, "start": h.start.strftime("%H:%M"),
             "end": h.end.strftime("%H:%M")}
            for h in row.working_hours
        ],
    }


async def clients(request: Request) -> Response:
    """The practitioner dashboard: operations.CLIENTS_DOCUMENT with {"first": n}."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    from bench.plain_clients import read_page  # imported only when used

    first = int((await variables_of(request)).get("first", DEFAULT_PAGE_SIZE))
    async with runtime_of(request).db.reading() as tx:
        data = await read_page(tx, who, first)
    return answer({"data": data})
