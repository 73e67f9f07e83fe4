"""The rows of a realistic caseload, built in memory for bulk insertion.

Clients come in a repeating mix: individual first-party relationships, couples (the first
attendee pays), a child whose parent pays (third party) and an ended relationship (an
inactive client). Practitioners take relationships in turn; about half the payers have a
card on file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.clients.profile import Address
from domain.clients.relationships import EndReason, RelationshipKind, RelationshipParty
from domain.clients.relationships import RelationshipStatus as Status
from domain.shared.validation import fold

FIRST = ("Amara", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Gareth", "Hana", "Ines",
         "Jonas", "Kai", "Léa", "Mateo", "Noor", "Oscar", "Pía", "Quinn", "Rosa", "Søren",
         "Tomás", "Uma", "Valentina", "Wen", "Yusuf", "Zoë")
LAST = ("Abara", "Brennan", "Castillo", "Dubois", "Eriksen", "Fernández", "Green", "Haddad",
        "Ito", "Jansen", "Kowalski", "Lefèvre", "Moreau", "Nakamura", "O'Brien", "Petrov",
        "Quintero", "Rossi", "Schäfer", "Tanaka", "Ueda", "Vargas", "Walsh", "Xu", "Yilmaz",
        "Zielińska")
# (kind, party, status, attendees, payer attends)
PATTERNS: tuple[tuple[RelationshipKind, RelationshipParty, Status, int, bool], ...] = (
    (RelationshipKind.INDIVIDUAL, RelationshipParty.FIRST_PARTY, Status.ACTIVE, 1, True),
    (RelationshipKind.INDIVIDUAL, RelationshipParty.FIRST_PARTY, Status.ACTIVE, 1, True),
    (RelationshipKind.COUPLES, RelationshipParty.FIRST_PARTY, Status.ACTIVE, 2, True),
    (RelationshipKind.INDIVIDUAL, RelationshipParty.FIRST_PARTY, Status.ACTIVE, 1, True),
    (RelationshipKind.CHILD, RelationshipParty.THIRD_PARTY, Status.ACTIVE, 1, False),
    (RelationshipKind.INDIVIDUAL, RelationshipParty.FIRST_PARTY, Status.ENDED, 1, True),
)


@dataclass
class Caseload:
    clients: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    attendees: list[dict[str, Any]] = field(default_factory=list)
    payment_methods: list[dict[str, Any]] = field(default_factory=list)


def build_caseload(practice_id: uuid.UUID, practitioner_ids: list[uuid.UUID], count: int,
                   now: datetime) -> Caseload:
    caseload = Caseload()
    numbers = iter(range(count))
    for index, pattern in enumerate(_cycle()):
        people = _take(numbers, pattern[3] + (0 if pattern[4] else 1))
        if not people:
            break
        clients = [client_row(practice_id, n, now) for n in people]
        caseload.clients.extend(clients)
        if len(people) < pattern[3] + (0 if pattern[4] else 1):
            break  # too few left for the pattern: they stay without a relationship
        practitioner = practitioner_ids[index % len(practitioner_ids)]
        _relate(caseload, practice_id, practitioner, pattern, clients, now, index)
    return caseload


def _cycle() -> Iterator[tuple[RelationshipKind, RelationshipParty, Status, int, bool]]:
    while True:
        yield from PATTERNS


def _take(numbers: Iterator[int], how_many: int) -> list[int]:
    return [n for _, n in zip(range(how_many), numbers, strict=False)]


def client_row(practice_id: uuid.UUID, number: int, now: datetime) -> dict[str, Any]:
    first = FIRST[number % len(FIRST)]
    last = f"{LAST[(number // len(FIRST)) % len(LAST)]}-{number:05d}"
    email = f"client{number:05d}@bench.example"
    complete = number % 2 == 0
    return {
        "id": uuid.uuid4(), "practice_id": practice_id, "first_name": first,
        "last_name": last, "email": email,
        "phone": f"+4477009{number:05d}" if complete else None,
        "date_of_birth": date(1960 + number % 40, 1 + number % 12, 1 + number % 28)
        if complete else None,
        "address": Address(f"{1 + number % 200} High Street", None, "London", "N1 9GU", "GB")
        if complete else None,
        "has_account": False,
        "search_text": fold(f"{first} {last} {email}"),
        "sort_last_name": fold(last), "sort_first_name": fold(first),
        "created_at": now - timedelta(days=400) + timedelta(seconds=number),
    }


def _relate(caseload: Caseload, practice_id: uuid.UUID, practitioner_id: uuid.UUID,
            pattern: tuple[RelationshipKind, RelationshipParty, Status, int, bool],
            clients: list[dict[str, Any]], now: datetime, index: int) -> None:
    kind, party, status, attending, payer_attends = pattern
    attendees = clients[:attending]
    payer = clients[0] if payer_attends else clients[-1]
    started = now - timedelta(days=365) + timedelta(minutes=index)
    ended = status is Status.ENDED
    relationship_id = uuid.uuid4()
    caseload.relationships.append({
        "id": relationship_id, "practice_id": practice_id, "practitioner_id": practitioner_id,
        "kind": kind, "party": party, "status": status, "payer_id": payer["id"],
        "started_at": started, "ended_at": started + timedelta(days=90) if ended else None,
        "end_reason": EndReason.THERAPY_COMPLETED if ended else None,
        "end_note": "Goals met." if ended else None, "completed_at": None,
        "migrated_from_id": None, "migrated_to_id": None,
    })
    caseload.attendees.extend(
        {"relationship_id": relationship_id, "client_id": c["id"], "position": position}
        for position, c in enumerate(attendees)
    )
    if index % 2 == 0:
        caseload.payment_methods.append(card_row(practice_id, payer["id"], index, now))


def card_row(practice_id: uuid.UUID, client_id: uuid.UUID, index: int,
             now: datetime) -> dict[str, Any]:
    brand, last4 = (("visa", "4242"), ("mastercard", "4444"), ("amex", "8431"))[index % 3]
    return {
        "id": uuid.uuid4(), "practice_id": practice_id, "client_id": client_id,
        "gateway_reference": f"card_bench_{index:06d}", "brand": brand, "last4": last4,
        "exp_month": 1 + index % 12, "exp_year": now.year + 2, "created_at": now,
    }
