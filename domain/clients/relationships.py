"""Relationships: a practitioner's engagement with attending clients and one payer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate, Event

MAX_NOTE_LENGTH = 2000


class RelationshipKind(Enum):
    INDIVIDUAL = "INDIVIDUAL"
    COUPLES = "COUPLES"
    FAMILY = "FAMILY"
    CHILD = "CHILD"


class RelationshipParty(Enum):
    FIRST_PARTY = "FIRST_PARTY"
    THIRD_PARTY = "THIRD_PARTY"


class RelationshipStatus(Enum):
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"
    COMPLETED = "COMPLETED"


class EndReason(Enum):
    THERAPY_COMPLETED = "THERAPY_COMPLETED"
    CLIENT_STOPPED = "CLIENT_STOPPED"
    REFERRED_ELSEWHERE = "REFERRED_ELSEWHERE"
    NO_CONTACT = "NO_CONTACT"
    OTHER = "OTHER"


# How many attend each kind: (fewest, most); None means no upper bound.
ATTENDEES: dict[RelationshipKind, tuple[int, int | None]] = {
    RelationshipKind.INDIVIDUAL: (1, 1),
    RelationshipKind.CHILD: (1, 1),
    RelationshipKind.COUPLES: (2, 2),
    RelationshipKind.FAMILY: (2, None),
}


@dataclass(eq=False)
class Attendee:
    """One attending client of a relationship, in the order they were given."""

    client_id: uuid.UUID
    position: int


@dataclass(frozen=True)
class RelationshipMigrated(Event):
    """A third-party relationship became first-party; `invite_id` when the payer had no sign-in."""

    practice_id: uuid.UUID
    previous_id: uuid.UUID
    relationship_id: uuid.UUID
    client_id: uuid.UUID
    invite_id: uuid.UUID | None = None


@dataclass(eq=False)
class Relationship(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    practitioner_id: uuid.UUID
    kind: RelationshipKind
    party: RelationshipParty
    status: RelationshipStatus
    payer_id: uuid.UUID
    started_at: datetime
    attendees: list[Attendee] = field(default_factory=list)
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    end_note: str | None = None
    completed_at: datetime | None = None
    migrated_from_id: uuid.UUID | None = None
    migrated_to_id: uuid.UUID | None = None

    @property
    def client_ids(self) -> list[uuid.UUID]:
        return [a.client_id for a in sorted(self.attendees, key=lambda a: a.position)]

    def involves(self, client_id: uuid.UUID) -> bool:
        return client_id == self.payer_id or client_id in self.client_ids

    def end(
        self, reason: EndReason, note: str | None, now: datetime, *,
        upcoming_appointments: int = 0, cancel_upcoming_appointments: bool = False,
    ) -> None:
        """Ended: off the default clients list, nothing sent. Upcoming sessions must go first
        (or be cancelled in the same call, which the caller then does)."""
        if self.status is not RelationshipStatus.ACTIVE:
            raise _state(
                f"Only an ACTIVE relationship can be ended; this one is {self.status.name}."
            )
        if upcoming_appointments and not cancel_upcoming_appointments:
            raise DomainError.one(
                ErrorCode.HAS_UPCOMING_SESSIONS,
                f"The relationship has {upcoming_appointments} upcoming session(s); cancel them "
                "first or set cancelUpcomingSessions.",
                ["cancelUpcomingSessions"],
            )
        self.status = RelationshipStatus.ENDED
        self.ended_at = now
        self.end_reason = reason
        self.end_note = clean_note(note)

    def ensure_active(self, remedy: str, field: str) -> None:
        """Only an ACTIVE relationship takes new bookings or weekly time; the caller names the
        way out and the input field that asked, so each operation keeps its own error."""
        if self.status is not RelationshipStatus.ACTIVE:
            raise DomainError.one(
                ErrorCode.INVALID_STATE, f"The relationship is {self.status.name}; {remedy}",
                [field],
            )

    def restart(self) -> None:
        if self.status is not RelationshipStatus.ENDED:
            raise _state(
                f"Only an ENDED relationship can be restarted; this one is {self.status.name}."
            )
        self.status = RelationshipStatus.ACTIVE
        self.ended_at = None
        self.end_reason = None
        self.end_note = None

    def migrate_to_first_party(
        self, payer_id: uuid.UUID, now: datetime, *, invite_id: uuid.UUID | None = None
    ) -> Relationship:
        """Complete this relationship and continue it, paid by one of its attendees, who is
        then emailed to add a card (with an invitation to sign in when `invite_id` is given)."""
        self.ensure_migratable()
        self.ensure_attends(payer_id)
        successor = _new(self.practice_id, self.practitioner_id, self.kind, self.client_ids,
                         payer_id, now)
        successor.migrated_from_id = self.id
        self.status = RelationshipStatus.COMPLETED
        self.completed_at = now
        self.migrated_to_id = successor.id
        successor.record(
            RelationshipMigrated(self.practice_id, self.id, successor.id, payer_id, invite_id)
        )
        return successor

    def ensure_migratable(self) -> None:
        if self.party is not RelationshipParty.THIRD_PARTY:
            raise DomainError.one(
                ErrorCode.NOT_THIRD_PARTY, "Only a third-party relationship can be migrated."
            )
        if self.status is not RelationshipStatus.ACTIVE:
            raise _state(
                f"Only an ACTIVE relationship can be migrated; this one is {self.status.name}."
            )

    def ensure_attends(self, client_id: uuid.UUID) -> None:
        if client_id not in self.client_ids:
            raise DomainError.one(
                ErrorCode.INVALID, "The paying client must attend the relationship.", ["clientId"]
            )

    def migrating_client(self, chosen: uuid.UUID | None) -> uuid.UUID:
        """The attendee who will pay: the one given, or the only one."""
        if chosen is not None:
            return chosen
        if len(self.attendees) > 1:
            raise DomainError.one(
                ErrorCode.INVALID, "Choose which attending client will pay.", ["clientId"]
            )
        return self.client_ids[0]


def start_relationship(
    practice_id: uuid.UUID, practitioner_id: uuid.UUID, kind: RelationshipKind,
    client_ids: list[uuid.UUID], payer_id: uuid.UUID | None, now: datetime,
) -> Relationship:
    """A new ACTIVE relationship; the payer defaults to the first attendee."""
    problems = Problems()
    fewest, most = ATTENDEES[kind]
    if len(set(client_ids)) != len(client_ids):
        problems.add(ErrorCode.INVALID, "A client can attend only once.", "clientIds")
    elif len(client_ids) < fewest or (most is not None and len(client_ids) > most):
        allowed = f"{fewest}" if fewest == most else f"at least {fewest}"
        problems.add(ErrorCode.INVALID,
                     f"A {kind.name} relationship needs {allowed} attending client(s).",
                     "clientIds")
    problems.raise_if_any()
    return _new(practice_id, practitioner_id, kind, client_ids, payer_id or client_ids[0], now)


def _new(
    practice_id: uuid.UUID, practitioner_id: uuid.UUID, kind: RelationshipKind,
    client_ids: list[uuid.UUID], payer_id: uuid.UUID, now: datetime,
) -> Relationship:
    party = (RelationshipParty.FIRST_PARTY if payer_id in client_ids
             else RelationshipParty.THIRD_PARTY)
    return Relationship(
        id=uuid.uuid4(), practice_id=practice_id, practitioner_id=practitioner_id, kind=kind,
        party=party, status=RelationshipStatus.ACTIVE, payer_id=payer_id, started_at=now,
        attendees=[Attendee(client_id, index) for index, client_id in enumerate(client_ids)],
    )


def clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError.one(
            ErrorCode.INVALID, f"note must be at most {MAX_NOTE_LENGTH} characters.", ["note"]
        )
    return text or None


def _state(message: str) -> DomainError:
    return DomainError.one(ErrorCode.INVALID_STATE, message)
