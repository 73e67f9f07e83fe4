"""Helpers for sessions: a practice with a paying client, times in the week, booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from persistence import tables
from persistence.database import Database
from persistence.sandbox_gateway import SandboxGateway
from resolvers.appointments.appointment_money import AppointmentMoney
from schema.shared.ids import decode_id
from tests.support.clients import create_relationship, signed_in_client
from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.jobs import with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

ERRORS = "userErrors { field code message }"
APPOINTMENT_FIELDS = """
  id startsAt endsAt status price { amount currency } cancelledAt
  practitioner { id } relationship { id status party } attendees { id } payer { id }
  bookedBy { id } charge { id status amount { amount currency } }
  attendanceUpdate { attended continuation submittedAt }
"""

BOOK = f"""
mutation Book($input: BookSessionInput!) {{
  bookSession(input: $input) {{ session {{ {APPOINTMENT_FIELDS} }} {ERRORS} }}
}}
"""

ADD_CARD = f"""
mutation Card($input: AddPaymentMethodInput!) {{
  addPaymentMethod(input: $input) {{ client {{ id }} {ERRORS} }}
}}
"""

AVAILABILITY = """
query Free($practitionerId: ID!, $from: DateTime!, $to: DateTime!, $duration: Int! = 50) {
  availability(practitionerId: $practitionerId, from: $from, to: $to,
               durationMinutes: $duration) { startsAt endsAt }
}
"""

APPOINTMENT = (
    f"query One($id: ID!) {{ node(id: $id) {{ ... on Session {{ {APPOINTMENT_FIELDS} }} }} }}"
)


def next_monday(now: datetime, hour: int = 6) -> datetime:
    """A Monday at least three days after `now`, at `hour` UTC (London is UTC in winter,
    BST in summer: tests pick hours well inside 09:00-17:00 either way)."""
    day = (now + timedelta(days=3)).replace(hour=hour, minute=0, second=0, microsecond=0)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Scene:
    """A practice whose owner charges 80.00 GBP, and a signed-in client with a card."""

    owner: Staff
    client_id: str
    client_email: str
    client_token: str


def paying_client_scene(
    client: GraphQLClient, mailbox: Mailbox, card: str = "tok_visa"
) -> Scene:
    owner = register_practice(client, sessionPrice="80.00")
    client_id, email, token = signed_in_client(client, owner, mailbox)
    payload = client.data(ADD_CARD, {"input": {"token": card}}, token=token)["addPaymentMethod"]
    assert payload["userErrors"] == []
    return Scene(owner, client_id, email, token)


def relationship_of(client: GraphQLClient, scene: Scene) -> str:
    return str(create_relationship(client, scene.owner, [scene.client_id])["id"])


def book(
    client: GraphQLClient, token: str, **values: Any
) -> dict[str, Any]:
    for key in ("startsAt",):
        if isinstance(values.get(key), datetime):
            values[key] = iso(values[key])
    return client.data(BOOK, {"input": values}, token=token)["bookSession"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------ changing sessions

RESCHEDULE = f"""
mutation Move($input: RescheduleSessionInput!) {{
  rescheduleSession(input: $input) {{ session {{ {APPOINTMENT_FIELDS} }} {ERRORS} }}
}}
"""

CANCEL = f"""
mutation Cancel($input: CancelSessionInput!) {{
  cancelSession(input: $input) {{ session {{ {APPOINTMENT_FIELDS} }} lateCancellation {ERRORS} }}
}}
"""


def reschedule(
    client: GraphQLClient, token: str, global_id: str, starts_at: datetime, **values: Any
) -> dict[str, Any]:
    variables = {"input": {"sessionId": global_id, "startsAt": iso(starts_at), **values}}
    return client.data(RESCHEDULE, variables, token=token)["rescheduleSession"]  # type: ignore[no-any-return]


def cancel(client: GraphQLClient, token: str, global_id: str, **values: Any) -> dict[str, Any]:
    variables = {"input": {"sessionId": global_id, **values}}
    return client.data(CANCEL, variables, token=token)["cancelSession"]  # type: ignore[no-any-return]


def read_appointment(client: GraphQLClient, token: str, global_id: str) -> dict[str, Any] | None:
    return client.data(APPOINTMENT, {"id": global_id}, token=token)["node"]  # type: ignore[no-any-return]


def booked(client: GraphQLClient, token: str, **values: Any) -> dict[str, Any]:
    """Book and answer the session, asserting it was booked."""
    payload = book(client, token, **values)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["session"]  # type: ignore[no-any-return]


def take_payment(server: RunningServer, global_id: str) -> None:
    """Charge the session's payer now, as the sweep does once the session is inside the
    notice window (the same gateway call and idempotency key)."""
    appointment_id = decode_id(global_id, "Session")
    assert appointment_id is not None

    async def work(db: Database) -> None:
        gateway = SandboxGateway(db, server.clock)
        await AppointmentMoney(db, server.clock(), gateway).take_fee(appointment_id)

    with_database(server, work)


def charge_rows(server: RunningServer, global_id: str) -> list[Any]:
    """The session's charges as stored, with the sandbox gateway's record of each."""
    appointment_id = decode_id(global_id, "Session")

    async def read(db: Database) -> list[Any]:
        c, s = tables.charges, tables.sandbox_charges
        async with db.reading() as tx:
            result = await tx.execute(
                select(c.c.id, c.c.status, c.c.amount, c.c.refund_requested_at,
                       c.c.refunded_at, c.c.idempotency_key, s.c.refund_reference)
                .join(s, s.c.reference == c.c.gateway_reference)
                .where(c.c.appointment_id == appointment_id).order_by(c.c.created_at)
            )
            return list(result)

    return with_database(server, read)


# ------------------------------------------------------------------ the sweep's money

REMOVE_CARD = f"mutation {{ removePaymentMethod {{ client {{ id }} {ERRORS} }} }}"


def add_card(client: GraphQLClient, token: str, card: str = "tok_visa") -> None:
    """The signed-in client puts a (new) card on file, replacing any card there was."""
    payload = client.data(ADD_CARD, {"input": {"token": card}}, token=token)["addPaymentMethod"]
    assert payload["userErrors"] == [], payload["userErrors"]


def remove_card(client: GraphQLClient, token: str) -> None:
    payload = client.data(REMOVE_CARD, token=token)["removePaymentMethod"]
    assert payload["userErrors"] == [], payload["userErrors"]


def card_of(server: RunningServer, client_id: str) -> Any:
    """The client's card on file as stored (id, gateway_reference), or None."""
    owner_id = decode_id(client_id, "Client")

    async def read(db: Database) -> Any:
        m = tables.payment_methods
        async with db.reading() as tx:
            result = await tx.execute(
                select(m.c.id, m.c.gateway_reference).where(m.c.client_id == owner_id)
            )
            return result.one_or_none()

    return with_database(server, read)


def appointment_charges(server: RunningServer, global_id: str) -> list[Any]:
    """Every charge recorded for the session, oldest first (a refusal without a card too)."""
    appointment_id = decode_id(global_id, "Session")

    async def read(db: Database) -> list[Any]:
        c = tables.charges
        async with db.reading() as tx:
            result = await tx.execute(
                select(c.c.id, c.c.status, c.c.amount, c.c.idempotency_key,
                       c.c.gateway_reference, c.c.refund_requested_at)
                .where(c.c.appointment_id == appointment_id).order_by(c.c.created_at)
            )
            return list(result)

    return with_database(server, read)


def gateway_charges(server: RunningServer, global_id: str) -> list[Any]:
    """What the sandbox gateway charged (or refused) for the session, under any card."""
    prefix = f"appointment:{decode_id(global_id, 'Session')}:"

    async def read(db: Database) -> list[Any]:
        s = tables.sandbox_charges
        async with db.reading() as tx:
            result = await tx.execute(
                select(s.c.reference, s.c.status, s.c.idempotency_key)
                .where(s.c.idempotency_key.startswith(prefix, autoescape=True))
                .order_by(s.c.created_at)
            )
            return list(result)

    return with_database(server, read)


# ------------------------------------------------------------------ after a session

SLOT_FIELDS = "id weekday startTime durationMinutes relationship { id }"

AWAITING = f"""
query Awaiting($first: Int, $after: String) {{
  awaitingUpdates(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {APPOINTMENT_FIELDS} }} }}
  }}
}}
"""

SUBMIT_UPDATE = f"""
mutation Update($input: SubmitAttendanceUpdateInput!) {{
  submitAttendanceUpdate(input: $input) {{
    session {{ {APPOINTMENT_FIELDS} }} followUpSession {{ {APPOINTMENT_FIELDS} }}
    reservedSlot {{ {SLOT_FIELDS} }} reservedSlotRemoved {ERRORS}
  }}
}}
"""

RESERVE_SLOT = f"""
mutation Reserve($input: ReserveSlotInput!) {{
  reserveSlot(input: $input) {{ reservedSlot {{ {SLOT_FIELDS} }} {ERRORS} }}
}}
"""

RELEASE_SLOT = f"""
mutation Release($input: ReleaseReservedSlotInput!) {{
  releaseReservedSlot(input: $input) {{ releasedReservedSlotId {ERRORS} }}
}}
"""

RELATIONSHIP_SLOTS = f"""
query Slots($id: ID!) {{
  node(id: $id) {{ ... on Relationship {{ reservedSlots {{ {SLOT_FIELDS} }} }} }}
}}
"""

PRACTITIONER_SLOTS = f"""
query Slots($id: ID!) {{
  node(id: $id) {{ ... on Practitioner {{ reservedSlots {{ {SLOT_FIELDS} }} }} }}
}}
"""


def submit_update(
    client: GraphQLClient, token: str, global_id: str, *, attended: bool = True,
    continuation: str = "SAME_WEEKLY_SLOT", **values: Any,
) -> dict[str, Any]:
    if isinstance(values.get("nextStartsAt"), datetime):
        values["nextStartsAt"] = iso(values["nextStartsAt"])
    variables = {"input": {"sessionId": global_id, "attended": attended,
                           "continuation": continuation, **values}}
    return client.data(SUBMIT_UPDATE, variables, token=token)["submitAttendanceUpdate"]  # type: ignore[no-any-return]


def reserve_slot(
    client: GraphQLClient, token: str, relationship_id: str, weekday: str, start_time: str,
    **values: Any,
) -> dict[str, Any]:
    variables = {"input": {"relationshipId": relationship_id, "weekday": weekday,
                           "startTime": start_time, **values}}
    return client.data(RESERVE_SLOT, variables, token=token)["reserveSlot"]  # type: ignore[no-any-return]


def release_slot(client: GraphQLClient, token: str, slot_id: str) -> dict[str, Any]:
    variables = {"input": {"reservedSlotId": slot_id}}
    return client.data(RELEASE_SLOT, variables, token=token)["releaseReservedSlot"]  # type: ignore[no-any-return]


def relationship_slots(client: GraphQLClient, token: str, relationship_id: str) -> Any:
    node = client.data(RELATIONSHIP_SLOTS, {"id": relationship_id}, token=token)["node"]
    return None if node is None else node["reservedSlots"]


def practitioner_slots(client: GraphQLClient, token: str, practitioner_id: str) -> Any:
    node = client.data(PRACTITIONER_SLOTS, {"id": practitioner_id}, token=token)["node"]
    return None if node is None else node["reservedSlots"]


def awaiting(client: GraphQLClient, token: str, **arguments: Any) -> dict[str, Any]:
    return client.data(AWAITING, arguments, token=token)["awaitingUpdates"]  # type: ignore[no-any-return]


def local_hhmm(when: datetime, timezone: str = "Europe/London") -> tuple[str, str]:
    """The weekday name and HH:MM of an instant on a practitioner's clock."""
    local = when.astimezone(ZoneInfo(timezone))
    return local.strftime("%A").upper(), local.strftime("%H:%M")


def next_week_same_local_time(when: datetime, timezone: str = "Europe/London") -> datetime:
    """A week later at the same wall-clock time (worked out independently of the domain)."""
    zone = ZoneInfo(timezone)
    wall = when.astimezone(zone).replace(tzinfo=None) + timedelta(days=7)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def follow_up_of(server: RunningServer, global_id: str) -> Any:
    """The stored follow_up_of_id of a session (None when it is not a follow-up)."""
    appointment_id = decode_id(global_id, "Session")

    async def read(db: Database) -> Any:
        t = tables.appointments
        async with db.reading() as tx:
            return await tx.scalar(
                select(t.c.follow_up_of_id).where(t.c.id == appointment_id))

    return with_database(server, read)


def booked_events(server: RunningServer, global_id: str) -> list[str]:
    """Kinds of the outbox rows about the session (AppointmentBooked, ...), oldest first."""
    appointment_id = str(decode_id(global_id, "Session"))

    async def read(db: Database) -> list[str]:
        o = tables.outbox
        async with db.reading() as tx:
            rows = await tx.execute(select(o.c.kind, o.c.payload).order_by(o.c.created_at))
            return [kind for kind, payload in rows
                    if (payload or {}).get("appointment_id") == appointment_id]

    return with_database(server, read)


class SettledClock:
    """The test clock, moved only once the broker is idle. The relay dispatches again an
    email dispatched more than five minutes ago and not delivered yet, by the clock; jumping
    the clock while one is still in flight would have it sent twice."""

    def __init__(self, clock: Any, server: RunningServer) -> None:
        self.clock = clock
        self.server = server

    def __call__(self) -> datetime:
        return self.clock()  # type: ignore[no-any-return]

    def set(self, when: datetime) -> None:
        self.server.drain()
        self.clock.set(when)

    def advance(self, delta: timedelta) -> None:
        self.set(self() + delta)
