"""The earlier relationship rules made real with sessions (seeds 000, 004): ending refuses with
HAS_UPCOMING_SESSIONS or cancels them free of charge, and migrating to first party moves the
upcoming sessions and reserved slots to the new relationship and its payer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.appointments import (
    Scene,
    booked,
    cancel,
    charge_rows,
    paying_client_scene,
    read_appointment,
    relationship_of,
    reserve_slot,
    take_payment,
)
from tests.support.clients import (
    FULL_PROFILE,
    create_client,
    create_relationship,
    end_relationship,
    error_pairs,
)
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, add_practitioner, unique_email
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

MIGRATE = """
mutation Migrate($input: MigrateToFirstPartyInput!) {
  migrateToFirstParty(input: $input) {
    previousRelationship { id }
    relationship { id payer { id } }
    userErrors { field code message }
  }
}
"""

RELATIONSHIP = """
query Node($id: ID!) {
  node(id: $id) { ... on Relationship {
    status
    reservedSlots { id weekday startTime durationMinutes relationship { id } }
    sessions(first: 20) { edges { node { id } } }
  } }
}
"""



@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


def relationship(client: GraphQLClient, token: str, relationship_id: str) -> dict[str, Any]:
    return client.data(RELATIONSHIP, {"id": relationship_id}, token=token)["node"]  # type: ignore[no-any-return]


def status_of(client: GraphQLClient, scene: Scene, global_id: str) -> str:
    found = read_appointment(client, scene.owner.token, global_id)
    assert found is not None
    return str(found["status"])


# ------------------------------------------------------------------ ending


def test_upcoming_appointments_refuse_the_end_and_nothing_changes(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    # given a relationship with an upcoming session
    relationship_id = relationship_of(client, scene)
    upcoming = booked(client, scene.owner.token, relationshipId=relationship_id,
                      startsAt=monday + timedelta(hours=4))

    # when the practice ends it without cancelling them
    payload = end_relationship(client, scene.owner, relationship_id)

    # then it is refused, and the relationship and its session are as they were
    assert payload == {"relationship": None, "userErrors": [{
        "field": ["input", "cancelUpcomingSessions"], "code": "HAS_UPCOMING_SESSIONS",
        "message": "The relationship has 1 upcoming session(s); cancel them first or set "
                   "cancelUpcomingSessions."}]}
    assert relationship(client, scene.owner.token, relationship_id)["status"] == "ACTIVE"
    assert status_of(client, scene, upcoming["id"]) == "SCHEDULED"


def test_past_and_cancelled_appointments_do_not_hold_up_the_end(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    # given a session awaiting its attendance update and a cancelled upcoming one
    relationship_id = relationship_of(client, scene)
    past = booked(client, scene.owner.token, relationshipId=relationship_id,
                  startsAt=monday - timedelta(days=7))
    gone = booked(client, scene.owner.token, relationshipId=relationship_id,
                  startsAt=monday + timedelta(hours=4))
    cancel(client, scene.client_token, gone["id"])

    # when the practice ends the relationship
    payload = end_relationship(client, scene.owner, relationship_id)

    # then it ends, and the past session still waits for its update
    assert payload["userErrors"] == []
    assert payload["relationship"]["status"] == "ENDED"
    assert status_of(client, scene, past["id"]) == "SCHEDULED"


def test_ending_with_cancel_upcoming_appointments_cancels_them_free_of_charge(
    client: GraphQLClient, server: RunningServer, scene: Scene, monday: datetime,
    clock: TestClock
) -> None:
    # given two upcoming sessions, the first already paid, and one awaiting its update
    relationship_id = relationship_of(client, scene)
    owner = scene.owner.token
    past = booked(client, owner, relationshipId=relationship_id,
                  startsAt=monday - timedelta(days=7))
    soon = booked(client, owner, relationshipId=relationship_id,
                  startsAt=monday + timedelta(hours=4))
    later = booked(client, owner, relationshipId=relationship_id,
                   startsAt=monday + timedelta(days=7, hours=4))
    clock.set(monday + timedelta(hours=4) - timedelta(hours=20))
    take_payment(server, soon["id"])

    # when the practice ends the relationship and cancels them
    payload = end_relationship(client, scene.owner, relationship_id,
                               cancelUpcomingSessions=True)

    # then it is ENDED, both are CANCELLED by the practice, the paid one refunded
    assert payload["userErrors"] == []
    assert payload["relationship"]["status"] == "ENDED"
    for upcoming in (soon, later):
        found = read_appointment(client, owner, upcoming["id"])
        assert found is not None
        assert (found["status"], found["cancelledAt"]) == ("CANCELLED", payload[
            "relationship"]["endedAt"])
    assert read_appointment(client, owner, soon["id"])["charge"]["status"] == "REFUNDED"  # type: ignore[index]
    [refunded] = charge_rows(server, soon["id"])
    assert refunded.refund_reference is not None
    assert charge_rows(server, later["id"]) == []
    assert status_of(client, scene, past["id"]) == "SCHEDULED"


def test_a_refused_end_cancels_nothing(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    # given another practitioner, who does not manage the relationship
    relationship_id = relationship_of(client, scene)
    upcoming = booked(client, scene.owner.token, relationshipId=relationship_id,
                      startsAt=monday + timedelta(hours=4))
    pat = add_practitioner(client, scene.owner)

    payload = end_relationship(client, pat, relationship_id, cancelUpcomingSessions=True)

    assert error_pairs(payload) == [(None, "NOT_PERMITTED")]
    assert status_of(client, scene, upcoming["id"]) == "SCHEDULED"


# ------------------------------------------------------------------ migrating


def test_migration_moves_upcoming_appointments_and_reserved_slots_to_the_new_payer(
    client: GraphQLClient, server: RunningServer, scene: Scene, monday: datetime,
    clock: TestClock
) -> None:
    # given a child's sessions paid for by the scene's client: one past, one paid, one not yet,
    # one cancelled; and a reserved slot
    child = create_client(client, scene.owner, "Kit", "Young", email=unique_email("kit"),
                          **FULL_PROFILE)
    old = create_relationship(client, scene.owner, [child["id"]], kind="CHILD",
                              payerId=scene.client_id)["id"]
    owner = scene.owner.token

    def at(when: datetime) -> str:
        return str(booked(client, owner, relationshipId=old, startsAt=when)["id"])

    past = at(monday - timedelta(days=7))
    paid = at(monday + timedelta(hours=4))
    unpaid = at(monday + timedelta(days=7, hours=4))
    cancelled = at(monday + timedelta(days=8, hours=4))
    cancel(client, owner, cancelled)
    reserved = reserve_slot(client, owner, old, "MONDAY", "10:00")
    assert reserved["userErrors"] == []
    slot = reserved["reservedSlot"]["id"]
    clock.set(monday + timedelta(hours=4) - timedelta(hours=40))
    take_payment(server, paid)

    # when the relationship migrates to first party
    payload = client.data(MIGRATE, {"input": {"relationshipId": old}}, token=owner)
    result = payload["migrateToFirstParty"]
    assert result["userErrors"] == []
    new = result["relationship"]["id"]

    # then the upcoming sessions belong to the new relationship; the unpaid one bills the
    # child, the paid one stays with whoever paid it
    def parties(global_id: str) -> tuple[str, str]:
        found = read_appointment(client, owner, global_id)
        assert found is not None
        return found["relationship"]["id"], found["payer"]["id"]

    assert parties(unpaid) == (new, child["id"])
    assert parties(paid) == (new, scene.client_id)
    assert parties(past) == (old, scene.client_id)
    assert parties(cancelled) == (old, scene.client_id)
    moved = relationship(client, owner, new)
    assert [s["id"] for s in moved["reservedSlots"]] == [slot]
    assert moved["reservedSlots"][0]["relationship"] == {"id": new}
    assert relationship(client, owner, old)["reservedSlots"] == []
    assert {e["node"]["id"] for e in moved["sessions"]["edges"]} == {paid, unpaid}


def test_a_refused_migration_moves_nothing(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    # given a child without a complete profile, with an upcoming session
    child = create_client(client, scene.owner, "Kit", "Young")
    old = create_relationship(client, scene.owner, [child["id"]], kind="CHILD",
                              payerId=scene.client_id)["id"]
    upcoming = booked(client, scene.owner.token, relationshipId=old,
                      startsAt=monday + timedelta(hours=4))["id"]

    payload = client.data(MIGRATE, {"input": {"relationshipId": old}}, token=scene.owner.token)

    assert {e["code"] for e in payload["migrateToFirstParty"]["userErrors"]} == {
        "PROFILE_INCOMPLETE"}
    found = read_appointment(client, scene.owner.token, upcoming)
    assert found is not None
    assert (found["relationship"]["id"], found["payer"]["id"]) == (old, scene.client_id)
