"""A family for the myAppointments benchmark (seed 003): a parent who signs in, and CHILDREN
linked children who each let the parent book and manage their appointments.

The parent has sessions of their own; the younger half of the children's sessions are paid by
the parent (THIRD_PARTY relationships), the older half's by the children themselves, so the
parent's list comes from all three sources: attending, paying and managing. Every
relationship has WEEKS sessions a week apart before the measured week and WEEKS after, with
the last practitioner on weekend mornings, clear of every other seeded session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.caseload import client_row
from domain.accounts.practice import Role
from domain.appointments.availability import to_utc
from domain.appointments.policy import AppointmentStatus
from domain.clients.links import LinkType
from domain.clients.relationships import RelationshipKind, RelationshipParty, RelationshipStatus
from persistence import tables
from resolvers.shared.auth import hash_password

PARENT_EMAIL = "parent@bench.example"
CHILDREN = 4
WEEKS = 12
FIRST_NUMBER = 900_000  # client numbers clear of the caseload's
LENGTH = timedelta(minutes=50)
PRICE = Decimal("80.00")


@dataclass(frozen=True)
class SeededFamily:
    parent_email: str
    children: int
    appointments: int


async def seed_family(connection: AsyncConnection, practice_id: uuid.UUID, password: str,
                      now: datetime) -> SeededFamily | None:
    """None when the practice has a single practitioner (the owner's sessions fill every
    other hour of the past weeks)."""
    staff = list((await connection.execute(
        select(tables.practitioners.c.id, tables.practitioners.c.timezone)
        .where(tables.practitioners.c.practice_id == practice_id)
        .order_by(tables.practitioners.c.created_at))).all())
    if len(staff) < 2:
        return None
    practitioner_id, timezone = staff[-1]
    rows = _FamilyRows(practice_id, practitioner_id, now)
    parent = rows.client(0, has_account=True)
    rows.relate(parent, parent, RelationshipKind.INDIVIDUAL)
    for number in range(1, CHILDREN + 1):
        child = rows.client(number)
        rows.link(child, parent)
        payer = parent if number <= CHILDREN // 2 else child
        rows.relate(child, payer, RelationshipKind.CHILD if payer == parent
                    else RelationshipKind.INDIVIDUAL)
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    for week in range(-WEEKS, WEEKS):
        for turn, relationship in enumerate(rows.relationships):
            starts_at = to_utc(saturday + timedelta(weeks=week), time(8 + turn), zone)
            rows.appointment(relationship, starts_at)
    account = {"id": uuid.uuid4(), "email": PARENT_EMAIL, "password_hash": hash_password(password),
               "created_at": now, "token_version": 0}
    membership = {"id": uuid.uuid4(), "account_id": account["id"], "practice_id": practice_id,
                  "role": Role.CLIENT, "practitioner_id": None, "client_id": parent,
                  "created_at": now}
    for table, batch in ((tables.clients, rows.clients), (tables.accounts, [account]),
                         (tables.memberships, [membership]),
                         (tables.client_links, rows.links),
                         (tables.relationships, rows.relationships),
                         (tables.relationship_clients, rows.relationship_clients),
                         (tables.appointments, rows.appointments),
                         (tables.appointment_attendees, rows.attendees),
                         (tables.appointment_linked_clients, rows.assigned)):
        await connection.execute(table.insert(), batch)
    return SeededFamily(PARENT_EMAIL, CHILDREN, len(rows.appointments))


class _FamilyRows:
    def __init__(self, practice_id: uuid.UUID, practitioner_id: uuid.UUID,
                 now: datetime) -> None:
        self.practice_id = practice_id
        self.practitioner_id = practitioner_id
        self.now = now
        self.clients: list[dict[str, Any]] = []
        self.links: list[dict[str, Any]] = []
        self.relationships: list[dict[str, Any]] = []
        self.relationship_clients: list[dict[str, Any]] = []
        self.appointments: list[dict[str, Any]] = []
        self.attendees: list[dict[str, Any]] = []
        self.assigned: list[dict[str, Any]] = []
        self.parent: uuid.UUID | None = None

    def client(self, number: int, *, has_account: bool = False) -> uuid.UUID:
        row = client_row(self.practice_id, FIRST_NUMBER + number, self.now)
        row["has_account"] = has_account
        if has_account:
            row["email"] = PARENT_EMAIL
            self.parent = row["id"]
        self.clients.append(row)
        return row["id"]  # type: ignore[no-any-return]

    def link(self, child: uuid.UUID, parent: uuid.UUID) -> None:
        low, high = sorted((child, parent), key=str)
        self.links.append({
            "id": uuid.uuid4(), "practice_id": self.practice_id, "client_id": child,
            "linked_client_id": parent, "low_client_id": low, "high_client_id": high,
            "type": LinkType.PARENT, "client_can_book": False,
            "client_can_complete_forms": False, "client_can_receive_copies": False,
            "client_can_use_packages": False, "linked_can_book": True,
            "linked_can_complete_forms": False, "linked_can_receive_copies": False,
            "linked_can_use_packages": False, "created_at": self.now})

    def relate(self, attendee: uuid.UUID, payer: uuid.UUID, kind: RelationshipKind) -> None:
        relationship_id = uuid.uuid4()
        self.relationships.append({
            "id": relationship_id, "practice_id": self.practice_id,
            "practitioner_id": self.practitioner_id, "kind": kind,
            "party": RelationshipParty.FIRST_PARTY if payer == attendee
            else RelationshipParty.THIRD_PARTY,
            "status": RelationshipStatus.ACTIVE, "payer_id": payer,
            "started_at": self.now - timedelta(days=200), "ended_at": None, "end_reason": None,
            "end_note": None, "completed_at": None, "migrated_from_id": None,
            "migrated_to_id": None})
        self.relationship_clients.append(
            {"relationship_id": relationship_id, "client_id": attendee, "position": 0})

    def appointment(self, relationship: dict[str, Any], starts_at: datetime) -> None:
        appointment_id = uuid.uuid4()
        past = starts_at < self.now
        self.appointments.append({
            "id": appointment_id, "practice_id": self.practice_id,
            "practitioner_id": self.practitioner_id, "relationship_id": relationship["id"],
            "payer_id": relationship["payer_id"], "starts_at": starts_at,
            "ends_at": starts_at + LENGTH,
            "status": AppointmentStatus.ATTENDED if past else AppointmentStatus.SCHEDULED,
            "price": PRICE, "currency": "GBP", "created_at": starts_at - timedelta(days=7)})
        attendee = next(row["client_id"] for row in self.relationship_clients
                        if row["relationship_id"] == relationship["id"])
        self.attendees.append(
            {"appointment_id": appointment_id, "client_id": attendee, "position": 0})
        if attendee != self.parent:  # the parent manages every child's session
            self.assigned.append({"appointment_id": appointment_id, "client_id": self.parent})
