"""Unit tests: starting, ending, restarting and migrating relationships."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.clients.relationships import (
    EndReason,
    Relationship,
    RelationshipKind,
    RelationshipParty,
    RelationshipStatus,
    start_relationship,
)
from domain.shared.errors import DomainError

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
A, B, PAYER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def codes(error: DomainError) -> list[str]:
    return [p.code.value for p in error.problems]


def start(kind: RelationshipKind = RelationshipKind.INDIVIDUAL,
          clients: list[uuid.UUID] | None = None, payer: uuid.UUID | None = None) -> Relationship:
    return start_relationship(uuid.uuid4(), uuid.uuid4(), kind, clients or [A], payer, NOW)


def test_the_payer_defaults_to_the_first_attendee_and_decides_the_party() -> None:
    own = start()
    assert (own.payer_id, own.party, own.status) == (A, RelationshipParty.FIRST_PARTY,
                                                     RelationshipStatus.ACTIVE)
    paid_for = start(RelationshipKind.CHILD, payer=PAYER)
    assert paid_for.party is RelationshipParty.THIRD_PARTY
    couple = start(RelationshipKind.COUPLES, [B, A])
    assert couple.client_ids == [B, A] and couple.payer_id == B


@pytest.mark.parametrize(("kind", "clients"), [
    (RelationshipKind.INDIVIDUAL, [A, B]), (RelationshipKind.CHILD, []),
    (RelationshipKind.COUPLES, [A]), (RelationshipKind.FAMILY, [A]),
    (RelationshipKind.FAMILY, [A, A]),
])
def test_each_kind_has_its_number_of_distinct_attendees(
    kind: RelationshipKind, clients: list[uuid.UUID]
) -> None:
    with pytest.raises(DomainError) as refused:
        start_relationship(uuid.uuid4(), uuid.uuid4(), kind, clients, None, NOW)
    assert [p.field for p in refused.value.problems] == [("clientIds",)]


def test_ending_records_reason_note_and_time_then_restarting_clears_them() -> None:
    relationship = start()
    relationship.end(EndReason.OTHER, "  moved  ", NOW)
    assert (relationship.status, relationship.ended_at, relationship.end_note) == (
        RelationshipStatus.ENDED, NOW, "moved")
    with pytest.raises(DomainError) as again:
        relationship.end(EndReason.OTHER, None, NOW)
    assert codes(again.value) == ["INVALID_STATE"]
    relationship.restart()
    assert (relationship.status, relationship.ended_at, relationship.end_reason) == (
        RelationshipStatus.ACTIVE, None, None)
    with pytest.raises(DomainError) as active:
        relationship.restart()
    assert codes(active.value) == ["INVALID_STATE"]


def test_upcoming_appointments_refuse_the_end_unless_cancelled_with_it() -> None:
    relationship = start()
    with pytest.raises(DomainError) as refused:
        relationship.end(EndReason.CLIENT_STOPPED, None, NOW, upcoming_appointments=2)
    assert codes(refused.value) == ["HAS_UPCOMING_SESSIONS"]
    assert refused.value.problems[0].field == ("cancelUpcomingSessions",)
    assert relationship.status is RelationshipStatus.ACTIVE
    relationship.end(EndReason.CLIENT_STOPPED, None, NOW, upcoming_appointments=2,
                     cancel_upcoming_appointments=True)
    assert relationship.status is RelationshipStatus.ENDED


def test_a_long_note_is_invalid() -> None:
    with pytest.raises(DomainError) as refused:
        start().end(EndReason.OTHER, "x" * 2001, NOW)
    assert [p.field for p in refused.value.problems] == [("note",)]


def test_migration_completes_and_continues_with_the_attendee_paying() -> None:
    old = start(RelationshipKind.COUPLES, [A, B], payer=PAYER)
    new = old.migrate_to_first_party(B, NOW)
    assert (old.status, old.completed_at, old.migrated_to_id) == (
        RelationshipStatus.COMPLETED, NOW, new.id)
    assert (new.status, new.party, new.payer_id, new.client_ids, new.kind) == (
        RelationshipStatus.ACTIVE, RelationshipParty.FIRST_PARTY, B, [A, B],
        RelationshipKind.COUPLES)
    assert (new.migrated_from_id, new.practitioner_id) == (old.id, old.practitioner_id)
    [event] = new.pop_events()
    assert (event.previous_id, event.client_id) == (old.id, B)  # type: ignore[attr-defined]


def test_migration_rules() -> None:
    with pytest.raises(DomainError) as first_party:
        start().migrate_to_first_party(A, NOW)
    assert codes(first_party.value) == ["NOT_THIRD_PARTY"]
    ended = start(RelationshipKind.CHILD, payer=PAYER)
    ended.end(EndReason.OTHER, None, NOW)
    with pytest.raises(DomainError) as not_active:
        ended.migrate_to_first_party(A, NOW)
    assert codes(not_active.value) == ["INVALID_STATE"]
    couple = start(RelationshipKind.COUPLES, [A, B], payer=PAYER)
    with pytest.raises(DomainError) as unchosen:
        couple.migrating_client(None)
    assert [p.field for p in unchosen.value.problems] == [("clientId",)]
    with pytest.raises(DomainError):
        couple.migrate_to_first_party(PAYER, NOW)
    assert start(RelationshipKind.CHILD, payer=PAYER).migrating_client(None) == A
