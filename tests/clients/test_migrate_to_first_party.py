"""Migrating a third-party relationship to first party (seed 000)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.clients import (
    ADDRESS,
    FULL_PROFILE,
    accept,
    create_client,
    create_relationship,
    end_relationship,
    error_pairs,
    signed_in_client,
    token_from,
)
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

MIGRATE = """
mutation Migrate($input: MigrateToFirstPartyInput!) {
  migrateToFirstParty(input: $input) {
    previousRelationship { id status party completedAt migratedTo { id } migratedFrom { id } }
    relationship {
      id kind party status startedAt practitioner { id } clients { id } payer { id }
      migratedFrom { id status } migratedTo { id }
    }
    userErrors { field code message }
  }
}
"""

RELATIONSHIP = """
query Node($id: ID!) {
  node(id: $id) { ... on Relationship { status party payer { id } migratedTo { id } } }
}
"""

CLIENT = """
query Node($id: ID!) {
  node(id: $id) { ... on Client { phone dateOfBirth address { city } missingProfileFields } }
}
"""


def migrate(client: GraphQLClient, staff: Staff, **values: Any) -> dict[str, Any]:
    payload = client.data(MIGRATE, {"input": values}, token=staff.token)
    return payload["migrateToFirstParty"]  # type: ignore[no-any-return]


def child_and_parent(
    client: GraphQLClient, staff: Staff, email: str, **child_profile: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A child whose sessions a parent pays for: (child, parent, relationship)."""
    child = create_client(client, staff, "Kit", "Young", email=email, **child_profile)
    parent = create_client(client, staff, "Pam", "Young")
    relationship = create_relationship(client, staff, [child["id"]], kind="CHILD",
                                       payerId=parent["id"])
    return child, parent, relationship


def test_migration_completes_the_old_relationship_and_starts_a_first_party_one(
    client: GraphQLClient, owner: Staff, clock  # type: ignore[no-untyped-def]
) -> None:
    # given a third-party relationship whose child has a complete profile
    pat = add_practitioner(client, owner)
    child = create_client(client, pat, "Kit", "Young", email="kit.young1@example.com",
                          **FULL_PROFILE)
    parent = create_client(client, pat, "Pam", "Young")
    old = create_relationship(client, pat, [child["id"]], kind="CHILD", payerId=parent["id"])
    clock.set(datetime(2026, 7, 1, 8, 0, tzinfo=UTC))

    # when it migrates
    payload = migrate(client, pat, relationshipId=old["id"])

    # then the old one is COMPLETED and points to a new ACTIVE first-party one paid by the child
    assert payload["userErrors"] == []
    new = payload["relationship"]
    assert payload["previousRelationship"] == {
        "id": old["id"], "status": "COMPLETED", "party": "THIRD_PARTY",
        "completedAt": "2026-07-01T08:00:00Z", "migratedTo": {"id": new["id"]},
        "migratedFrom": None,
    }
    assert new == {
        "id": new["id"], "kind": "CHILD", "party": "FIRST_PARTY", "status": "ACTIVE",
        "startedAt": "2026-07-01T08:00:00Z", "practitioner": {"id": pat.practitioner_id},
        "clients": [{"id": child["id"]}], "payer": {"id": child["id"]},
        "migratedFrom": {"id": old["id"], "status": "COMPLETED"}, "migratedTo": None,
    }


def test_the_client_is_emailed_a_link_to_sign_in_and_add_a_card(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a child without a sign-in, in a third-party relationship
    email = "kit.young2@example.com"
    _, _, old = child_and_parent(client, owner, email, **FULL_PROFILE)

    # when it migrates
    assert migrate(client, owner, relationshipId=old["id"])["userErrors"] == []

    # then they are asked to add a card, through a link that signs them up
    [received] = mailbox.wait_for(email)
    assert received.subject == "Please add your card for your sessions with Ada Owner"
    assert "From now on you pay for your own sessions" in received.text
    assert "(first choose a password)" in received.text
    signed_up = accept(client, token_from(received.text))
    assert signed_up["userErrors"] == []
    assert signed_up["viewer"]["role"] == "CLIENT"


def test_a_client_with_a_card_on_file_is_told_it_will_be_used(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a signed-in client with a card, whose sessions someone else pays for
    child_id, email, token = signed_in_client(client, owner, mailbox, **FULL_PROFILE)
    client.data('mutation { addPaymentMethod(input: {token: "tok_mastercard"}) { client { id } } }',
                token=token)
    parent = create_client(client, owner, "Pam", "Young")
    old = create_relationship(client, owner, [child_id], kind="CHILD", payerId=parent["id"])

    # when it migrates
    assert migrate(client, owner, relationshipId=old["id"])["userErrors"] == []

    # then the email says the card on file will be used
    received = mailbox.wait_for(email, count=2)[-1]
    assert received.subject == "Your sessions with Ada Owner now go on your card"
    assert "mastercard ending 4444" in received.text


def test_missing_profile_details_are_supplied_in_the_same_call(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a child with only an email
    child, _, old = child_and_parent(client, owner, "kit.young3@example.com")

    # when the migration supplies the rest (the phone without +: the practice is in the UK)
    payload = migrate(client, owner, relationshipId=old["id"], profile={
        "phone": "07911 123456", "dateOfBirth": "2008-09-10", "address": ADDRESS})

    # then it goes ahead and the profile is complete and normalised
    assert payload["userErrors"] == []
    profile = client.data(CLIENT, {"id": child["id"]}, token=owner.token)["node"]
    assert profile == {"phone": "+447911123456", "dateOfBirth": "2008-09-10",
                       "address": {"city": "London"}, "missingProfileFields": []}


def test_an_incomplete_profile_names_each_missing_field_and_changes_nothing(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a child with only an email
    email = "kit.young4@example.com"
    child, parent, old = child_and_parent(client, owner, email)

    # when the migration supplies only a phone
    payload = migrate(client, owner, relationshipId=old["id"],
                      profile={"phone": "+447911123456"})

    # then PROFILE_INCOMPLETE once per missing field
    assert payload == {"previousRelationship": None, "relationship": None, "userErrors": [
        {"field": ["input", "profile", "dateOfBirth"], "code": "PROFILE_INCOMPLETE",
         "message": "dateOfBirth is needed before the client can pay for their own sessions."},
        {"field": ["input", "profile", "address"], "code": "PROFILE_INCOMPLETE",
         "message": "address is needed before the client can pay for their own sessions."},
    ]}
    # and nothing changed: not the relationship, not even the phone, and no email went out
    unchanged = client.data(RELATIONSHIP, {"id": old["id"]}, token=owner.token)["node"]
    assert unchanged == {"status": "ACTIVE", "party": "THIRD_PARTY",
                         "payer": {"id": parent["id"]}, "migratedTo": None}
    profile = client.data(CLIENT, {"id": child["id"]}, token=owner.token)["node"]
    assert profile["phone"] is None
    server.drain()
    assert mailbox.to(email) == []


def test_bad_profile_details_are_invalid_under_profile_and_change_nothing(
    client: GraphQLClient, owner: Staff, server: RunningServer, mailbox: Mailbox
) -> None:
    email = "kit.young5@example.com"
    _, _, old = child_and_parent(client, owner, email)
    payload = migrate(client, owner, relationshipId=old["id"], profile={
        "phone": "nope", "dateOfBirth": "2199-01-01", "address": {**ADDRESS, "country": "ZZ"}})
    assert error_pairs(payload) == [
        (["input", "profile", "phone"], "INVALID"),
        (["input", "profile", "dateOfBirth"], "INVALID"),
        (["input", "profile", "address", "country"], "INVALID"),
    ]
    assert client.data(RELATIONSHIP, {"id": old["id"]}, token=owner.token)["node"][
        "status"] == "ACTIVE"
    server.drain()
    assert mailbox.to(email) == []


def test_only_a_third_party_relationship_migrates(client: GraphQLClient, owner: Staff) -> None:
    robin = create_client(client, owner, email="robin.first@example.com", **FULL_PROFILE)
    first_party = create_relationship(client, owner, [robin["id"]])
    assert migrate(client, owner, relationshipId=first_party["id"]) == {
        "previousRelationship": None, "relationship": None, "userErrors": [{
            "field": None, "code": "NOT_THIRD_PARTY",
            "message": "Only a third-party relationship can be migrated."}]}


def test_only_an_active_relationship_migrates(client: GraphQLClient, owner: Staff) -> None:
    # given a third-party relationship that ended, and one already migrated
    _, _, ended = child_and_parent(client, owner, "kit.young6@example.com", **FULL_PROFILE)
    end_relationship(client, owner, ended["id"])
    _, _, done = child_and_parent(client, owner, "kit.young7@example.com", **FULL_PROFILE)
    assert migrate(client, owner, relationshipId=done["id"])["userErrors"] == []

    # then neither migrates
    assert error_pairs(migrate(client, owner, relationshipId=ended["id"])) == [
        (None, "INVALID_STATE")]
    assert error_pairs(migrate(client, owner, relationshipId=done["id"])) == [
        (None, "INVALID_STATE")]


def test_when_several_attend_the_paying_client_must_be_chosen_among_them(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a couple whose sessions a relative pays for
    ann = create_client(client, owner, "Ann", "Couple", email="ann.couple@example.com",
                        **FULL_PROFILE)
    ben = create_client(client, owner, "Ben", "Couple")
    relative = create_client(client, owner, "Rel", "Ative")
    old = create_relationship(client, owner, [ann["id"], ben["id"]], kind="COUPLES",
                              payerId=relative["id"])

    # then no choice, or a client who does not attend, is refused
    assert error_pairs(migrate(client, owner, relationshipId=old["id"])) == [
        (["input", "clientId"], "INVALID")]
    assert error_pairs(migrate(client, owner, relationshipId=old["id"],
                               clientId=relative["id"])) == [(["input", "clientId"], "INVALID")]
    # and choosing Ann migrates it, with both still attending
    payload = migrate(client, owner, relationshipId=old["id"], clientId=ann["id"])
    assert payload["userErrors"] == []
    assert payload["relationship"]["clients"] == [{"id": ann["id"]}, {"id": ben["id"]}]
    assert payload["relationship"]["payer"] == {"id": ann["id"]}
    assert payload["relationship"]["kind"] == "COUPLES"


def test_another_practices_relationship_or_client_reads_as_not_found(
    client: GraphQLClient, owner: Staff
) -> None:
    other = register_practice(client)
    _, _, theirs = child_and_parent(client, other, "kit.young8@example.com", **FULL_PROFILE)
    their_client = create_client(client, other, "Their", "Client")
    _, _, mine = child_and_parent(client, owner, "kit.young9@example.com", **FULL_PROFILE)
    assert error_pairs(migrate(client, owner, relationshipId=theirs["id"])) == [
        (["input", "relationshipId"], "NOT_FOUND")]
    assert error_pairs(migrate(client, owner, relationshipId=mine["id"],
                               clientId=their_client["id"])) == [
        (["input", "clientId"], "NOT_FOUND")]
    assert error_pairs(migrate(client, owner, relationshipId=mine["id"],
                               clientId="bad-id")) == [(["input", "clientId"], "NOT_FOUND")]


def test_a_completed_relationship_can_be_neither_ended_nor_restarted(
    client: GraphQLClient, owner: Staff
) -> None:
    _, _, old = child_and_parent(client, owner, "kit.young10@example.com", **FULL_PROFILE)
    migrate(client, owner, relationshipId=old["id"])
    assert error_pairs(end_relationship(client, owner, old["id"])) == [(None, "INVALID_STATE")]
    restart = client.data(
        "mutation($id: ID!) { restartRelationship(input: {relationshipId: $id}) "
        "{ userErrors { field code message } } }", {"id": old["id"]}, token=owner.token)
    assert error_pairs(restart["restartRelationship"]) == [(None, "INVALID_STATE")]


def test_only_the_relationships_practitioner_or_the_owner_migrates_it(
    client: GraphQLClient, owner: Staff
) -> None:
    pat = add_practitioner(client, owner)
    _, _, old = child_and_parent(client, owner, "kit.young11@example.com", **FULL_PROFILE)
    assert error_pairs(migrate(client, pat, relationshipId=old["id"])) == [
        (None, "NOT_PERMITTED")]
    assert client.data(RELATIONSHIP, {"id": old["id"]}, token=owner.token)["node"][
        "status"] == "ACTIVE"
