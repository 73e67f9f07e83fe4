"""Relationships: starting them, ending and restarting them, and what clients see of them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from persistence.database import Database
from persistence.tables import outbox
from tests.support.clients import (
    CREATE_RELATIONSHIP,
    create_client,
    create_relationship,
    end_relationship,
    error_pairs,
    signed_in_client,
)
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.jobs import with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

RESTART = """
mutation Restart($input: RestartRelationshipInput!) {
  restartRelationship(input: $input) {
    relationship { id status endedAt endReason endNote }
    userErrors { field code message }
  }
}
"""

ACTIVE_NAMES = "query { clients { edges { node { firstName } } } }"
ALL_NAMES = "query { clients(includeInactive: true) { edges { node { firstName isActive } } } }"

CLIENT_VIEW = """
query {
  viewer { client { relationships {
    id kind party status startedAt endedAt endReason endNote
    practitioner { name } clients { firstName email } payer { firstName email phone }
  } } }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) { id ... on Relationship { status endedAt endReason clients { firstName } } }
}
"""


def active_names(client: GraphQLClient, staff: Staff) -> list[str]:
    edges = client.data(ACTIVE_NAMES, token=staff.token)["clients"]["edges"]
    return [e["node"]["firstName"] for e in edges]


def start(client: GraphQLClient, staff: Staff, values: dict[str, object]) -> dict:  # type: ignore[type-arg]
    return client.data(CREATE_RELATIONSHIP, {"input": values},  # type: ignore[no-any-return]
                       token=staff.token)["createRelationship"]


# ------------------------------------------------------------------ starting


def test_a_relationship_paid_by_its_attendee_is_first_party(
    client: GraphQLClient, owner: Staff, clock  # type: ignore[no-untyped-def]
) -> None:
    # given a client, at a known time
    clock.set(datetime(2026, 2, 2, 9, 30, tzinfo=UTC))
    robin = create_client(client, owner)

    # when a relationship starts without practitioner or payer
    relationship = create_relationship(client, owner, [robin["id"]])

    # then it is the viewer's, ACTIVE, paid by the first attendee, first-party
    assert relationship == {
        "id": relationship["id"], "kind": "INDIVIDUAL", "party": "FIRST_PARTY",
        "status": "ACTIVE", "startedAt": "2026-02-02T09:30:00Z", "endedAt": None,
        "endReason": None, "completedAt": None,
        "practitioner": {"id": owner.practitioner_id}, "clients": [{"id": robin["id"]}],
        "payer": {"id": robin["id"]},
    }
    assert active_names(client, owner) == ["Robin"]


def test_a_relationship_paid_by_someone_who_does_not_attend_is_third_party(
    client: GraphQLClient, owner: Staff
) -> None:
    partner_a = create_client(client, owner, "Ann", "Couple")
    partner_b = create_client(client, owner, "Ben", "Couple")
    parent = create_client(client, owner, "Gran", "Couple")
    couples = create_relationship(client, owner, [partner_b["id"], partner_a["id"]],
                                  kind="COUPLES", payerId=parent["id"])
    assert couples["party"] == "THIRD_PARTY"
    assert couples["clients"] == [{"id": partner_b["id"]}, {"id": partner_a["id"]}]
    assert couples["payer"] == {"id": parent["id"]}
    paid_by_one = create_relationship(client, owner, [partner_a["id"], partner_b["id"]],
                                      kind="COUPLES", payerId=partner_b["id"])
    assert paid_by_one["party"] == "FIRST_PARTY"


def test_the_owner_may_start_a_relationship_for_a_practitioner_but_not_the_reverse(
    client: GraphQLClient, owner: Staff
) -> None:
    pat = add_practitioner(client, owner)
    robin = create_client(client, owner)
    for_pat = create_relationship(client, owner, [robin["id"]], practitionerId=pat.practitioner_id)
    assert for_pat["practitioner"] == {"id": pat.practitioner_id}
    refused = start(client, pat, {"kind": "INDIVIDUAL", "clientIds": [robin["id"]],
                                  "practitionerId": owner.practitioner_id})
    assert refused == {"relationship": None, "userErrors": [{
        "field": None, "code": "NOT_PERMITTED",
        "message": "Only the owner may act for another practitioner."}]}


def test_attendees_payer_and_practitioner_must_belong_to_the_practice(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a client here and a client and practitioner of another practice
    other = register_practice(client)
    theirs = create_client(client, other)
    robin = create_client(client, owner)

    # when any of theirs is named, the answer is NOT_FOUND at its path, and nothing starts
    def refused(**values: object) -> list[tuple[list[str] | None, str]]:
        return error_pairs(start(client, owner, {"kind": "COUPLES", **values}))

    assert refused(clientIds=[robin["id"], theirs["id"]]) == [
        (["input", "clientIds", "1"], "NOT_FOUND")]
    assert refused(clientIds=[robin["id"], "garbage"]) == [
        (["input", "clientIds", "1"], "NOT_FOUND")]
    assert refused(clientIds=[robin["id"]], kind="INDIVIDUAL", payerId=theirs["id"]) == [
        (["input", "payerId"], "NOT_FOUND")]
    assert refused(clientIds=[robin["id"]], kind="INDIVIDUAL",
                   practitionerId=other.practitioner_id) == [
        (["input", "practitionerId"], "NOT_FOUND")]
    assert active_names(client, owner) == []


def test_each_kind_needs_its_number_of_attendees(client: GraphQLClient, owner: Staff) -> None:
    one, two, three = (create_client(client, owner, name)["id"] for name in ("A", "B", "C"))
    assert error_pairs(start(client, owner, {"kind": "INDIVIDUAL", "clientIds": [one, two]})) == [
        (["input", "clientIds"], "INVALID")]
    assert error_pairs(start(client, owner, {"kind": "COUPLES", "clientIds": [one]})) == [
        (["input", "clientIds"], "INVALID")]
    assert error_pairs(start(client, owner, {"kind": "CHILD", "clientIds": []})) == [
        (["input", "clientIds"], "INVALID")]
    assert error_pairs(start(client, owner, {"kind": "FAMILY", "clientIds": [one, one]})) == [
        (["input", "clientIds"], "INVALID")]
    family = start(client, owner, {"kind": "FAMILY", "clientIds": [one, two, three]})
    assert family["userErrors"] == []


# ------------------------------------------------------------------ ending and restarting


def test_ending_records_why_and_when_sends_nothing_and_hides_the_client(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    # given an active client with an email
    robin = create_client(client, owner, email="robin.ending@example.com")
    relationship = create_relationship(client, owner, [robin["id"]])
    ended_at = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)
    clock.set(ended_at)

    # when the relationship ends with a reason and an internal note
    payload = end_relationship(client, owner, relationship["id"], "THERAPY_COMPLETED",
                               note="  Goals met.  ", cancelUpcomingSessions=True)

    # then it is ENDED with reason, note and time
    assert payload == {"userErrors": [], "relationship": {
        "id": relationship["id"], "status": "ENDED", "endedAt": "2026-04-01T15:00:00Z",
        "endReason": "THERAPY_COMPLETED", "endNote": "Goals met."}}
    # and the client left the default list but not the inactive one
    assert active_names(client, owner) == []
    every = client.data(ALL_NAMES, token=owner.token)["clients"]["edges"]
    assert every == [{"node": {"firstName": "Robin", "isActive": False}}]
    # and nothing was sent to the client, nor even queued
    server.drain()
    assert mailbox.to("robin.ending@example.com") == []


def test_ending_needs_a_reason(client: GraphQLClient, owner: Staff) -> None:
    robin = create_client(client, owner)
    relationship = create_relationship(client, owner, [robin["id"]])
    response = client.execute(
        "mutation($id: ID!) { endRelationship(input: {relationshipId: $id}) { userErrors "
        "{ code } } }", {"id": relationship["id"]}, token=owner.token)
    assert response.errors and "reason" in response.errors[0]["message"]
    assert active_names(client, owner) == ["Robin"]


def test_a_client_with_another_active_relationship_stays_in_the_list(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a client in an individual and a couples relationship
    robin = create_client(client, owner)
    partner = create_client(client, owner, "Partner")
    individual = create_relationship(client, owner, [robin["id"]])
    create_relationship(client, owner, [robin["id"], partner["id"]], kind="COUPLES")

    # when the individual one ends, they are still active through the other
    end_relationship(client, owner, individual["id"])
    assert active_names(client, owner) == ["Partner", "Robin"]


def test_ending_an_ended_relationship_is_invalid_state_and_changes_nothing(
    client: GraphQLClient, owner: Staff
) -> None:
    robin = create_client(client, owner)
    relationship = create_relationship(client, owner, [robin["id"]])
    first = end_relationship(client, owner, relationship["id"], "NO_CONTACT")
    again = end_relationship(client, owner, relationship["id"], "OTHER", note="Changed my mind")
    assert again == {"relationship": None, "userErrors": [{
        "field": None, "code": "INVALID_STATE",
        "message": "Only an ACTIVE relationship can be ended; this one is ENDED."}]}
    node = client.data(NODE, {"id": relationship["id"]}, token=owner.token)["node"]
    assert (node["endReason"], node["endedAt"]) == ("NO_CONTACT", first["relationship"]["endedAt"])


def test_restarting_makes_it_active_and_brings_the_client_back(
    client: GraphQLClient, owner: Staff
) -> None:
    # given an ended relationship
    robin = create_client(client, owner)
    relationship = create_relationship(client, owner, [robin["id"]])
    end_relationship(client, owner, relationship["id"], note="Moving away")

    # when it restarts
    payload = client.data(RESTART, {"input": {"relationshipId": relationship["id"]}},
                          token=owner.token)["restartRelationship"]

    # then it is ACTIVE with no end recorded, and the client is back in the list
    assert payload == {"userErrors": [], "relationship": {
        "id": relationship["id"], "status": "ACTIVE", "endedAt": None, "endReason": None,
        "endNote": None}}
    assert active_names(client, owner) == ["Robin"]


def test_restarting_an_active_relationship_is_invalid_state(
    client: GraphQLClient, owner: Staff
) -> None:
    robin = create_client(client, owner)
    relationship = create_relationship(client, owner, [robin["id"]])
    payload = client.data(RESTART, {"input": {"relationshipId": relationship["id"]}},
                          token=owner.token)["restartRelationship"]
    assert payload == {"relationship": None, "userErrors": [{
        "field": None, "code": "INVALID_STATE",
        "message": "Only an ENDED relationship can be restarted; this one is ACTIVE."}]}


def test_a_practitioner_manages_only_their_own_relationships(
    client: GraphQLClient, owner: Staff
) -> None:
    # given the owner's relationship, seen by a practitioner of the practice
    pat = add_practitioner(client, owner)
    robin = create_client(client, owner)
    owners = create_relationship(client, owner, [robin["id"]])

    # when the practitioner ends it, NOT_PERMITTED; the owner may end a practitioner's
    refused = end_relationship(client, pat, owners["id"])
    assert error_pairs(refused) == [(None, "NOT_PERMITTED")]
    pats = create_relationship(client, pat, [robin["id"]])
    assert end_relationship(client, owner, pats["id"])["userErrors"] == []
    assert client.data(NODE, {"id": owners["id"]}, token=pat.token)["node"]["status"] == "ACTIVE"


def test_another_practices_relationship_reads_as_not_found(
    client: GraphQLClient, owner: Staff
) -> None:
    other = register_practice(client)
    theirs = create_relationship(client, other, [create_client(client, other)["id"]])
    expected = [(["input", "relationshipId"], "NOT_FOUND")]
    assert error_pairs(end_relationship(client, owner, theirs["id"])) == expected
    assert error_pairs(end_relationship(client, owner, "bm9wZQ")) == expected
    restart = client.data(RESTART, {"input": {"relationshipId": theirs["id"]}},
                          token=owner.token)["restartRelationship"]
    assert error_pairs(restart) == expected
    assert client.data(NODE, {"id": theirs["id"]}, token=owner.token)["node"] is None


# ------------------------------------------------------------------ what clients see


def test_a_client_sees_that_and_when_it_ended_but_never_why(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock  # type: ignore[no-untyped-def]
) -> None:
    # given a signed-in client whose relationship ended with a reason and a note
    me, email, token = signed_in_client(client, owner, mailbox)
    relationship = create_relationship(client, owner, [me])
    clock.set(datetime(2026, 5, 5, 10, 0, tzinfo=UTC))
    end_relationship(client, owner, relationship["id"], "REFERRED_ELSEWHERE", note="Private")

    # when they look at their dashboard
    [seen] = client.data(CLIENT_VIEW, token=token)["viewer"]["client"]["relationships"]

    # then status and time are there, the reason and note are not
    assert seen["status"] == "ENDED"
    assert seen["endedAt"] == "2026-05-05T10:00:00Z"
    assert seen["endReason"] is None
    assert seen["endNote"] is None
    assert seen["practitioner"] == {"name": "Ada Owner"}
    assert seen["clients"] == [{"firstName": "Casey", "email": email}]
    node = client.data(NODE, {"id": relationship["id"]}, token=token)["node"]
    assert node["endReason"] is None


def test_a_client_sees_others_in_their_relationship_by_name_only(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a signed-in child whose sessions a parent pays for
    me, _, token = signed_in_client(client, owner, mailbox)
    parent = create_client(client, owner, "Pat", "Parent", email="parent@example.com",
                           phone="+447911123456")
    create_relationship(client, owner, [me], kind="CHILD", payerId=parent["id"])

    # then the payer shows by name, without contact details, and is not reachable by id
    [seen] = client.data(CLIENT_VIEW, token=token)["viewer"]["client"]["relationships"]
    assert seen["party"] == "THIRD_PARTY"
    assert seen["payer"] == {"firstName": "Pat", "email": None, "phone": None}
    assert client.data(NODE, {"id": parent["id"]}, token=token)["node"] is None


def test_a_client_cannot_reach_other_clients_relationships(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, _, token = signed_in_client(client, owner, mailbox)
    someone = create_client(client, owner, "Someone")
    theirs = create_relationship(client, owner, [someone["id"]])
    assert client.data(NODE, {"id": theirs["id"]}, token=token)["node"] is None
    assert error_pairs(end_relationship(client, Staff(token, "", "", ""), theirs["id"])) == [
        (None, "NOT_PERMITTED")]


def test_ending_and_restarting_queue_nothing_to_send(
    client: GraphQLClient, owner: Staff, server: RunningServer
) -> None:
    robin = create_client(client, owner, email="robin.quiet@example.com")
    relationship = create_relationship(client, owner, [robin["id"]])
    before = outbox_count(server)
    end_relationship(client, owner, relationship["id"])
    client.data(RESTART, {"input": {"relationshipId": relationship["id"]}}, token=owner.token)
    assert outbox_count(server) == before


def outbox_count(server: RunningServer) -> int:
    async def count(db: Database) -> int:
        async with db.reading() as tx:
            return int(await tx.scalar(select(func.count()).select_from(outbox)) or 0)

    return with_database(server, count)
