"""Plain Starlette twins of the session benchmarks: availability for a week, bookSession from
the practice's side, and awaitingUpdates. Each does the same work as the GraphQL resolver
(the same checks, the same rows; availability through the same pure domain function) with
SQLAlchemy Core, and answers the same JSON (see bench/plain.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from bench.plain import DEFAULT_PAGE_SIZE, answer, runtime_of, signed_in, unauthenticated
from bench.plain import variables_of as read_variables
from domain.accounts.practice import Role
from domain.appointments import availability as rules
from domain.appointments.appointments import BLOCKING, AppointmentBooked
from domain.appointments.policy import AppointmentStatus
from domain.clients.relationships import RelationshipStatus
from persistence import outbox, tables
from resolvers.shared.auth import Viewer
from schema.shared.connections import encode
from schema.shared.ids import decode_id, to_global_id

A, AA, C = tables.appointments, tables.appointment_attendees, tables.clients
R, RC, P = tables.relationships, tables.relationship_clients, tables.practitioners


def instant(value: datetime) -> str:
    """As the DateTime scalar answers: ISO 8601 in UTC with a Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


# ---------------------------------------------------------------- availability


async def availability(request: Request) -> Response:
    """operations' AVAILABILITY_DOCUMENT: bookable times for a week."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    variables = await read_variables(request)
    practitioner_id = decode_id(str(variables["practitionerId"]), "Practitioner")
    start, end = parse_instant(variables["from"]), parse_instant(variables["to"])
    minutes = int(variables.get("durationMinutes", 50))
    runtime = runtime_of(request)
    now = runtime.services.clock()
    async with runtime.db.reading() as tx:
        practitioner = (await tx.execute(
            select(P.c.practice_id, P.c.timezone, P.c.working_hours)
            .where(P.c.id == practitioner_id)
        )).one_or_none()
        if practitioner is None or practitioner.practice_id != who.practice_id:
            return answer({"data": None, "errors": [{"message": "Practitioner not found."}]})
        busy = [(row.starts_at, row.ends_at) for row in await tx.execute(
            select(A.c.starts_at, A.c.ends_at).where(
                A.c.practitioner_id == practitioner_id, A.c.status.in_(BLOCKING),
                A.c.starts_at < end + timedelta(minutes=minutes), A.c.ends_at > start))]
        s = tables.reserved_slots
        reserved = [rules.Reservation(row.relationship_id, row.weekday, row.start_time,
                                      row.duration_minutes)
                    for row in await tx.execute(
                        select(s.c.relationship_id, s.c.weekday, s.c.start_time,
                               s.c.duration_minutes).where(s.c.practitioner_id == practitioner_id))]
        own = await _own_relationship(tx, who, practitioner_id)
    slots = rules.available_slots(
        working_hours=practitioner.working_hours, timezone=practitioner.timezone, start=start,
        end=end, duration_minutes=minutes, busy=busy, reserved=reserved, for_relationship=own,
        not_before=now)
    return answer({"data": {"availability": [
        {"startsAt": instant(slot.starts_at), "endsAt": instant(slot.ends_at)} for slot in slots
    ]}})


async def _own_relationship(tx: Any, who: Viewer, practitioner_id: Any) -> Any:
    """A client's own ACTIVE relationship with the practitioner (its reserved slots are
    theirs to book); staff have none."""
    if who.client_id is None:
        return None
    return await tx.scalar(
        select(R.c.id).join(RC, RC.c.relationship_id == R.c.id).where(
            R.c.practitioner_id == practitioner_id, RC.c.client_id == who.client_id,
            R.c.status == RelationshipStatus.ACTIVE).limit(1))


# ---------------------------------------------------------------- bookSession


async def book_appointment(request: Request) -> Response:
    """operations' BOOK_DOCUMENT from the practice's side: the relationship locked, the payer's
    card, the practitioner's price, no overlap; the session, its attendees and its
    AppointmentBooked outbox row in one transaction."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    values = (await read_variables(request))["input"]
    relationship_id = decode_id(str(values["relationshipId"]), "Relationship")
    starts_at = parse_instant(values["startsAt"])
    ends_at = starts_at + timedelta(minutes=int(values.get("durationMinutes", 50)))
    runtime = runtime_of(request)
    now = runtime.services.clock()
    try:
        async with runtime.db.new_write_tx() as tx, tx.begin():
            booked = await _book(tx, who, relationship_id, starts_at, ends_at, now)
    except IntegrityError:
        booked = _refused("SLOT_UNAVAILABLE", "That time is not available.", ["startsAt"])
    return answer({"data": {"bookSession": booked}})


async def _book(tx: Any, who: Viewer, relationship_id: uuid.UUID | None,
                starts_at: datetime, ends_at: datetime, now: datetime) -> dict[str, Any]:
    practice = tables.practices
    relationship = (await tx.execute(
        select(R.c.id, R.c.practice_id, R.c.practitioner_id, R.c.payer_id, R.c.status,
               P.c.appointment_price, practice.c.currency)
        .join(P, P.c.id == R.c.practitioner_id).join(practice, practice.c.id == R.c.practice_id)
        .where(R.c.id == relationship_id).with_for_update(of=R)
    )).one_or_none()
    if relationship is None or relationship.practice_id != who.practice_id or not who.is_staff:
        return _refused("NOT_FOUND", "Relationship not found.", ["relationshipId"])
    if who.role is not Role.OWNER and who.practitioner_id != relationship.practitioner_id:
        return _refused("NOT_PERMITTED",
                        "Only the relationship's practitioner or the owner may do this.", None)
    if relationship.status is not RelationshipStatus.ACTIVE:
        return _refused("INVALID_STATE", "The relationship is not active.", ["relationshipId"])
    attendees = list((await tx.execute(
        select(RC.c.client_id).where(RC.c.relationship_id == relationship.id)
        .order_by(RC.c.position))).scalars())
    card = await tx.scalar(select(tables.payment_methods.c.id).where(
        tables.payment_methods.c.client_id == relationship.payer_id).limit(1))
    if card is None:
        return _refused("NO_PAYMENT_METHOD", "The payer has no card on file; they need to add "
                        "one before a session is booked.", None)
    clash = await tx.scalar(select(A.c.id).where(
        A.c.practitioner_id == relationship.practitioner_id, A.c.status.in_(BLOCKING),
        A.c.starts_at < ends_at, A.c.ends_at > starts_at).limit(1))
    if clash is not None:
        return _refused("SLOT_UNAVAILABLE", "That time is not available.", ["startsAt"])
    appointment_id = uuid.uuid4()
    price = relationship.appointment_price if relationship.appointment_price is not None else (
        Decimal("0.00"))
    await tx.execute(A.insert().values(
        id=appointment_id, practice_id=relationship.practice_id,
        practitioner_id=relationship.practitioner_id, relationship_id=relationship.id,
        payer_id=relationship.payer_id, starts_at=starts_at, ends_at=ends_at,
        status=AppointmentStatus.SCHEDULED, price=price, currency=relationship.currency,
        created_at=now))
    await tx.execute(AA.insert(), [
        {"appointment_id": appointment_id, "client_id": client_id, "position": position}
        for position, client_id in enumerate(attendees)])
    await outbox.write(tx, outbox.outbox_rows(
        [AppointmentBooked(relationship.practice_id, appointment_id)], now))
    return {"session": {
        "id": to_global_id("Session", appointment_id), "startsAt": instant(starts_at),
        "endsAt": instant(ends_at), "status": "SCHEDULED",
        "price": {"amount": str(price), "currency": relationship.currency},
        "relationship": {"id": to_global_id("Relationship", relationship.id)},
    }, "userErrors": []}


def _refused(code: str, message: str, field: list[str] | None) -> dict[str, Any]:
    return {"session": None, "userErrors": [
        {"field": None if field is None else ["input", *field], "code": code,
         "message": message}]}


# ---------------------------------------------------------------- awaitingUpdates


async def awaiting_updates(request: Request) -> Response:
    """operations' AWAITING_DOCUMENT: a page of the signed-in practitioner's started,
    still-SCHEDULED sessions, oldest first, with relationship, attendees and payer."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    first = int((await read_variables(request)).get("first", DEFAULT_PAGE_SIZE))
    runtime = runtime_of(request)
    now = runtime.services.clock()
    if not who.is_staff or who.practitioner_id is None:
        return answer({"data": {"awaitingUpdates": _connection([], 0, {}, {})}})
    waiting = (A.c.practitioner_id == who.practitioner_id,
               A.c.status == AppointmentStatus.SCHEDULED, A.c.starts_at <= now)
    async with runtime.db.reading() as tx:
        rows = (await tx.execute(
            select(A.c.id, A.c.starts_at, A.c.ends_at, A.c.status, A.c.price, A.c.currency,
                   A.c.relationship_id, A.c.payer_id, R.c.kind)
            .join(R, R.c.id == A.c.relationship_id).where(*waiting)
            .order_by(A.c.starts_at, A.c.id).limit(first))).all()
        total = await tx.scalar(select(func.count()).select_from(A).where(*waiting))
        attending, payers = await names_of(tx, rows)
    return answer({"data": {"awaitingUpdates": _connection(rows, int(total or 0), attending,
                                                           payers)}})


async def names_of(tx: Any, rows: Sequence[Any]
                   ) -> tuple[dict[uuid.UUID, list[Any]], dict[uuid.UUID, Any]]:
    """The sessions' attendees (in order) and payers, by session and by client id."""
    attending: dict[uuid.UUID, list[Any]] = {}
    for row in await tx.execute(
        select(AA.c.appointment_id, C.c.id, C.c.first_name, C.c.last_name)
        .join(C, C.c.id == AA.c.client_id)
        .where(AA.c.appointment_id.in_([r.id for r in rows]))
        .order_by(AA.c.appointment_id, AA.c.position)
    ):
        attending.setdefault(row.appointment_id, []).append(row)
    payers = {row.id: row for row in await tx.execute(
        select(C.c.id, C.c.first_name, C.c.last_name)
        .where(C.c.id.in_({r.payer_id for r in rows})))}
    return attending, payers


def _connection(rows: Sequence[Any], total: int, attending: dict[uuid.UUID, list[Any]],
                payers: dict[uuid.UUID, Any]) -> dict[str, Any]:
    return {
        "totalCount": total,
        "pageInfo": {"hasNextPage": len(rows) < total,
                     "endCursor": cursor(rows[-1]) if rows else None},
        "edges": [{"node": {
            "id": to_global_id("Session", row.id), "startsAt": instant(row.starts_at),
            "endsAt": instant(row.ends_at), "status": row.status.value,
            "price": {"amount": str(row.price), "currency": row.currency},
            "relationship": {"id": to_global_id("Relationship", row.relationship_id),
                             "kind": row.kind.value},
            "attendees": [name(c) for c in attending.get(row.id, [])],
            "payer": name(payers[row.payer_id]),
        }} for row in rows],
    }


def cursor(row: Any) -> str:
    """The keyset cursor a sessions connection answers: the row's start and id."""
    return encode((row.starts_at, row.id))


def name(row: Any) -> dict[str, Any]:
    return {"id": to_global_id("Client", row.id), "firstName": row.first_name,
            "lastName": row.last_name}
