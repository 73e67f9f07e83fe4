"""Plain Starlette twin of the myAppointments benchmark: the same rows as
resolvers/appointments/my_appointments.py (the sessions the viewer attends or pays for, and
those of the clients who let them book and manage), most recent first, and the same JSON."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, union
from starlette.requests import Request
from starlette.responses import Response

from bench.plain import DEFAULT_PAGE_SIZE, answer, runtime_of, signed_in, unauthenticated
from bench.plain import variables_of as read_variables
from bench.plain_appointments import cursor, instant, name, names_of
from persistence import tables
from schema.shared.ids import to_global_id

A, AA, L = tables.appointments, tables.appointment_attendees, tables.client_links


async def my_appointments(request: Request) -> Response:
    """family_operations' MY_APPOINTMENTS_DOCUMENT."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    first = int((await read_variables(request)).get("first", DEFAULT_PAGE_SIZE))
    if who.client_id is None:
        return answer({"data": {"myAppointments": _connection([], 0, {}, {})}})
    viewer = who.client_id
    async with runtime_of(request).db.reading() as tx:
        managed = await _managed(tx, viewer)
        involved = union(
            select(AA.c.appointment_id.label("id")).where(AA.c.client_id == viewer),
            select(A.c.id.label("id")).where(A.c.payer_id == viewer),
            select(AA.c.appointment_id.label("id")).where(AA.c.client_id.in_(managed)),
        ).subquery()
        rows = (await tx.execute(
            select(A.c.id, A.c.starts_at, A.c.ends_at, A.c.status, A.c.price, A.c.currency,
                   A.c.payer_id, A.c.booked_by_id)
            .where(A.c.id.in_(select(involved.c.id)))
            .order_by(A.c.starts_at.desc(), A.c.id.desc()).limit(first))).all()
        total = await tx.scalar(select(func.count()).select_from(involved))
        attending, payers = await names_of(tx, rows)
    return answer({"data": {"myAppointments": _connection(rows, int(total or 0), attending,
                                                          payers)}})


async def _managed(tx: Any, viewer: uuid.UUID) -> list[uuid.UUID]:
    """The clients who let the viewer book and manage for them, from either side of a link."""
    rows = await tx.execute(
        select(L.c.client_id.label("grantor")).where(L.c.linked_client_id == viewer,
                                                     L.c.linked_can_book.is_(True))
        .union_all(
            select(L.c.linked_client_id).where(L.c.client_id == viewer,
                                               L.c.client_can_book.is_(True))))
    return [row.grantor for row in rows]


def _connection(rows: Any, total: int, attending: dict[uuid.UUID, list[Any]],
                payers: dict[uuid.UUID, Any]) -> dict[str, Any]:
    return {
        "totalCount": total,
        "pageInfo": {"hasNextPage": len(rows) < total,
                     "endCursor": cursor(rows[-1]) if rows else None},
        "edges": [{"node": {
            "id": to_global_id("Session", row.id), "startsAt": instant(row.starts_at),
            "endsAt": instant(row.ends_at), "status": row.status.value,
            "price": {"amount": str(row.price), "currency": row.currency},
            "attendees": [name(c) for c in attending.get(row.id, [])],
            "payer": name(payers[row.payer_id]),
            "bookedBy": None if row.booked_by_id is None
            else {"id": to_global_id("Client", row.booked_by_id)},
        }} for row in rows],
    }
