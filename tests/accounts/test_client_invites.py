"""Inviting a client: a single-use link, valid for 7 days, that gives them a sign-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.clients import (
    INVITE,
    accept,
    create_client,
    error_pairs,
    invite_token,
    signed_in_client,
)
from tests.support.graphql import (
    PASSWORD,
    SIGN_IN,
    GraphQLClient,
    Staff,
    register_practice,
    unique_email,
)
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

UPDATE_EMAIL = """
mutation Update($input: UpdateClientInput!) {
  updateClient(input: $input) { client { email } userErrors { field code message } }
}
"""

VIEWER = """
query { viewer { role practice { id } practitioner { id }
                 client { id firstName email hasAccount relationships { id } } } }
"""


def invited(client: GraphQLClient, owner: Staff, mailbox: Mailbox) -> tuple[str, str, str]:
    """A client with an email, invited: (client id, email, token from the email)."""
    email = unique_email("invitee")
    made = create_client(client, owner, "Ivy", "Invitee", email=email)
    return made["id"], email, invite_token(client, owner, mailbox, made["id"], email)


def test_an_invited_client_sets_a_password_and_is_signed_in_as_a_client(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given an invited client
    client_id, email, token = invited(client, owner, mailbox)

    # when they accept with a password
    payload = accept(client, token)

    # then they are signed in as CLIENT with their Client, and can sign in again later
    assert payload["userErrors"] == []
    assert payload["viewer"] == {
        "role": "CLIENT", "practice": {"id": owner.practice_id}, "practitioner": None,
        "client": {"id": client_id, "firstName": "Ivy", "hasAccount": True},
    }
    viewer = client.data(VIEWER, token=payload["accessToken"])["viewer"]
    assert viewer["client"] == {"id": client_id, "firstName": "Ivy", "email": email,
                                "hasAccount": True, "relationships": []}
    again = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})["signIn"]
    assert again["viewer"] == {"role": "CLIENT"}


def test_the_invitation_email_names_the_practice_and_when_the_link_expires(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, email, token = invited(client, owner, mailbox)
    [received] = mailbox.to(email)
    assert received.subject == "Calm Waters Therapy invites you to your client dashboard"
    assert "Hello Ivy," in received.text
    assert "The link works once and expires on" in received.text
    assert f"token={token}" in received.html


def test_a_used_link_is_an_invalid_token(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, _, token = invited(client, owner, mailbox)
    assert accept(client, token)["userErrors"] == []
    again = accept(client, token, password="another good password")
    assert again == {"accessToken": None, "viewer": None, "userErrors": [{
        "field": ["input", "token"], "code": "INVALID_TOKEN",
        "message": "This invitation link is not valid; ask for a new one.",
    }]}


def test_a_link_expires_after_seven_days(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock  # type: ignore[no-untyped-def]
) -> None:
    # given an invitation sent now
    _, _, token = invited(client, owner, mailbox)

    # when seven days pass, it no longer works; a day less and it still would have
    clock.advance(timedelta(days=7))
    assert error_pairs(accept(client, token)) == [(["input", "token"], "INVALID_TOKEN")]
    clock.advance(timedelta(days=-1))
    assert accept(client, token)["userErrors"] == []


def test_a_forged_token_is_an_invalid_token(client: GraphQLClient) -> None:
    payload = accept(client, "made-up-token")
    assert error_pairs(payload) == [(["input", "token"], "INVALID_TOKEN")]


def test_a_new_invitation_replaces_the_old_link(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    client_id, email, first = invited(client, owner, mailbox)
    second = invite_token(client, owner, mailbox, client_id, email)
    assert error_pairs(accept(client, first)) == [(["input", "token"], "INVALID_TOKEN")]
    assert accept(client, second)["userErrors"] == []


def test_a_weak_password_is_refused_and_the_link_still_works(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, _, token = invited(client, owner, mailbox)
    assert error_pairs(accept(client, token, password="short")) == [
        (["input", "password"], "INVALID")]
    assert accept(client, token)["userErrors"] == []


def test_a_client_who_signs_in_keeps_their_sign_in_on_their_email(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a client who signs in
    client_id, _, token = signed_in_client(client, owner, mailbox)

    def update(email: str | None) -> dict[str, Any]:
        payload = client.data(UPDATE_EMAIL, {"input": {"clientId": client_id,
                                                       "profile": {"email": email}}}, token=token)
        return payload["updateClient"]  # type: ignore[no-any-return]

    # when they change their email, they sign in with the new one
    new_email = unique_email("moved")
    assert update(new_email)["client"] == {"email": new_email}
    signed_in = client.data(SIGN_IN, {"input": {"email": new_email, "password": PASSWORD}})
    assert signed_in["signIn"]["viewer"] == {"role": "CLIENT"}
    # and they may neither drop it nor take someone else's sign-in
    assert error_pairs(update(None)) == [(["input", "profile", "email"], "INVALID")]
    assert error_pairs(update(owner.email)) == [(["input", "profile", "email"], "EMAIL_TAKEN")]


def test_who_cannot_be_invited(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a client without an email, one who already signs in, and another practice's client
    no_email = create_client(client, owner, "No", "Email")
    signed_up, _, client_token = signed_in_client(client, owner, mailbox)
    theirs = create_client(client, register_practice(client), email=unique_email())

    def invite(client_id: str, token: str = owner.token) -> list[tuple[list[str] | None, str]]:
        payload = client.data(INVITE, {"input": {"clientId": client_id}}, token=token)
        return error_pairs(payload["inviteClient"])

    # then each is refused with its own reason
    assert invite(no_email["id"]) == [(None, "INVALID_STATE")]
    assert invite(signed_up) == [(None, "INVALID_STATE")]
    assert invite(theirs["id"]) == [(["input", "clientId"], "NOT_FOUND")]
    assert invite(signed_up, client_token) == [(None, "NOT_PERMITTED")]


def test_a_client_whose_email_already_signs_in_is_not_invited(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a client whose email is the owner's own sign-in
    made = create_client(client, owner, "Same", "Person", email=owner.email)

    # when invited
    payload = client.data(INVITE, {"input": {"clientId": made["id"]}}, token=owner.token)

    # then EMAIL_TAKEN, and nothing but the owner's sign-up went to that address
    assert error_pairs(payload["inviteClient"]) == [(None, "EMAIL_TAKEN")]
    server.drain()
    assert [m.subject for m in mailbox.to(owner.email)] == [
        "Confirm your email to open Calm Waters Therapy on Caseload",
        "Welcome to Caseload, Ada Owner"]
