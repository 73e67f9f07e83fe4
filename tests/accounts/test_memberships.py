"""One account per person, any number of memberships: a client of two practices signs in
once, sees the memberships, switches between them without the password, and under each
token sees only that practice."""

from __future__ import annotations

from typing import Any

from tests.support.appointments import ADD_CARD, booked, iso, next_monday
from tests.support.clients import (
    ACCEPT,
    create_client,
    create_relationship,
    invite_token,
    signed_in_client,
)
from tests.support.clock import TestClock
from tests.support.graphql import (
    PASSWORD,
    GraphQLClient,
    Staff,
    register_practice,
)
from tests.support.mailbox import Mailbox

SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    accessToken viewer { role practice { id } memberships { id role practiceName current } }
    userErrors { field code message }
  }
}
"""
SWITCH = """
mutation Switch($input: SwitchMembershipInput!) {
  switchMembership(input: $input) {
    accessToken viewer { role practice { id } client { id } } userErrors { field code message }
  }
}
"""
MINE = """
query Mine($other: ID!) {
  viewer { practice { id name } client { id } }
  myAppointments(first: 20) { totalCount edges { node { id } } }
  other: node(id: $other) { id }
}
"""
CHANGE = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { accessToken userErrors { code } }
}
"""
UPDATE_EMAIL = """
mutation Update($input: UpdateClientInput!) {
  updateClient(input: $input) { client { email } userErrors { field code } }
}
"""


def accept(client: GraphQLClient, token: str, password: str) -> Any:
    return client.data(ACCEPT, {"input": {"token": token, "password": password}})[
        "acceptClientInvite"]


def sign_in(client: GraphQLClient, email: str, password: str = PASSWORD) -> Any:
    return client.data(SIGN_IN, {"input": {"email": email, "password": password}})["signIn"]


def switch(client: GraphQLClient, token: str, membership_id: str) -> Any:
    answer = client.data(SWITCH, {"input": {"membershipId": membership_id}}, token=token)
    return answer["switchMembership"]


def client_of_second_practice(
    client: GraphQLClient, mailbox: Mailbox, email: str
) -> tuple[Staff, str, str]:
    """Another practice adds the person as a client and invites them: (owner, client id,
    invitation token)."""
    second = register_practice(client, practiceName="Second Practice")
    made = create_client(client, second, "Casey", "Signed", email=email)
    return second, made["id"], invite_token(client, second, mailbox, made["id"], email)


def test_accepting_an_invitation_with_an_existing_account_adds_the_membership(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a client of the owner's practice who signs in, invited by a second practice
    first_client_id, email, first_token = signed_in_client(client, owner, mailbox)
    second, second_client_id, invitation = client_of_second_practice(client, mailbox, email)

    # when they accept with a wrong password, then with their account's password
    wrong = accept(client, invitation, "a different long password")
    accepted = accept(client, invitation, PASSWORD)

    # then the wrong one is refused, saying which password is wanted
    assert wrong == {"accessToken": None, "viewer": None, "userErrors": [{
        "field": ["input", "password"], "code": "INVALID_CREDENTIALS",
        "message": "This email already signs in to Caseload: give that account's password "
                   "to add this practice to it."}]}
    # and the right one signs them in as the second practice's client
    assert accepted["userErrors"] == []
    assert accepted["viewer"]["practice"] == {"id": second.practice_id}
    assert accepted["viewer"]["client"]["id"] == second_client_id
    # and their first token still stands for the first practice
    first = client.data(MINE, {"other": second_client_id}, token=first_token)
    assert first["viewer"]["client"] == {"id": first_client_id}
    # and signing in answers both memberships, and leads to the first
    signed_in = sign_in(client, email)
    assert signed_in["viewer"]["practice"] == {"id": owner.practice_id}
    assert [(m["role"], m["practiceName"], m["current"])
            for m in signed_in["viewer"]["memberships"]] == [
        ("CLIENT", "Calm Waters Therapy", True), ("CLIENT", "Second Practice", False)]


def test_a_client_of_two_practices_sees_only_that_practice_under_each_token(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock: TestClock
) -> None:
    # given a person who is a client of two practices, with a session booked in each
    first_client_id, email, first_token = signed_in_client(client, owner, mailbox)
    second, second_client_id, invitation = client_of_second_practice(client, mailbox, email)
    second_token = accept(client, invitation, PASSWORD)["accessToken"]
    monday = next_monday(clock())
    sessions = {}
    for staff, client_id, token in ((owner, first_client_id, first_token),
                                    (second, second_client_id, second_token)):
        card = client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=token)
        assert card["addPaymentMethod"]["userErrors"] == []
        relationship = create_relationship(client, staff, [client_id])["id"]
        sessions[staff.practice_id] = booked(
            client, staff.token, relationshipId=relationship, startsAt=iso(monday))["id"]

    # when they sign in and switch to the second practice
    signed_in = sign_in(client, email)
    [_, other] = signed_in["viewer"]["memberships"]
    switched = switch(client, signed_in["accessToken"], other["id"])

    # then each token sees its own practice's client, session and nothing of the other
    under_first = client.data(MINE, {"other": second_client_id},
                              token=signed_in["accessToken"])
    under_second = client.data(MINE, {"other": first_client_id}, token=switched["accessToken"])
    assert under_first["viewer"] == {
        "practice": {"id": owner.practice_id, "name": "Calm Waters Therapy"},
        "client": {"id": first_client_id}}
    assert under_second["viewer"] == {
        "practice": {"id": second.practice_id, "name": "Second Practice"},
        "client": {"id": second_client_id}}
    assert under_first["myAppointments"] == {
        "totalCount": 1, "edges": [{"node": {"id": sessions[owner.practice_id]}}]}
    assert under_second["myAppointments"] == {
        "totalCount": 1, "edges": [{"node": {"id": sessions[second.practice_id]}}]}
    assert under_first["other"] is None and under_second["other"] is None
    # and neither practice's staff sees the other's client
    assert client.data(MINE, {"other": second_client_id}, token=owner.token)["other"] is None


def test_switching_needs_a_membership_of_ones_own(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given two people: the owner, and a client of another practice
    stranger = register_practice(client)
    _, email, _ = signed_in_client(client, stranger, mailbox)
    theirs = sign_in(client, email)["viewer"]["memberships"][0]["id"]

    # when the owner tries to switch to the client's membership, or to a made-up one
    taken = switch(client, owner.token, theirs)
    made_up = switch(client, owner.token, "bm90IGFuIGlk")

    # then both answer NOT_FOUND alike, with no token
    not_found = {"accessToken": None, "viewer": None, "userErrors": [
        {"field": ["input", "membershipId"], "code": "NOT_FOUND",
         "message": "Membership not found."}]}
    assert taken == made_up == not_found


def test_a_password_change_under_one_membership_ends_the_tokens_of_every_membership(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, email, first_token = signed_in_client(client, owner, mailbox)
    _, _, invitation = client_of_second_practice(client, mailbox, email)
    second_token = accept(client, invitation, PASSWORD)["accessToken"]
    variables = {"input": {"currentPassword": PASSWORD, "newPassword": "a brand new one!"}}
    assert client.data(CHANGE, variables, token=second_token)["changePassword"][
        "userErrors"] == []
    for token in (first_token, second_token):
        refused = client.execute("{ viewer { role } }", token=token)
        assert refused.errors[0]["extensions"]["reason"] == "REVOKED"


def test_a_practice_changing_its_record_of_the_email_leaves_a_shared_sign_in_alone(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a client of two practices
    _, email, _ = signed_in_client(client, owner, mailbox)
    second, second_client_id, invitation = client_of_second_practice(client, mailbox, email)
    accept(client, invitation, PASSWORD)

    # when the second practice changes the email on its record of them
    moved = client.data(UPDATE_EMAIL, {"input": {
        "clientId": second_client_id, "profile": {"email": "elsewhere@example.com"}}},
        token=second.token)["updateClient"]

    # then its record changed, and the person still signs in with their own email
    assert moved == {"client": {"email": "elsewhere@example.com"}, "userErrors": []}
    assert sign_in(client, email)["accessToken"] is not None


def test_switching_to_the_current_membership_answers_a_token_of_it(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, email, _ = signed_in_client(client, owner, mailbox)
    signed_in = sign_in(client, email)
    [membership] = signed_in["viewer"]["memberships"]
    switched = switch(client, signed_in["accessToken"], membership["id"])
    assert switched["viewer"]["practice"] == {"id": owner.practice_id}
    assert client.execute("{ viewer { role } }", token=switched["accessToken"]).errors == []
