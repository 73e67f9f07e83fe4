"""Sign-up without enumeration: registerPractice answers the same for a free and a taken
email and emails the address either way; the practice exists only once the emailed link is
followed (verifyEmail), which works once and expires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from tests.support.clock import TestClock
from tests.support.graphql import (
    PASSWORD,
    REGISTER,
    REGISTERED,
    SIGN_IN,
    VERIFY_EMAIL,
    VERIFY_LINK,
    GraphQLClient,
    Staff,
    unique_email,
    verification_token,
)
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

VIEWER = "{ viewer { role practice { id name } } }"
ATTEMPT_SUBJECT = "Someone tried to register with your address"
OTHER_PASSWORD = "another long passphrase"


def details(email: str, **overrides: str) -> dict[str, Any]:
    return {"practiceName": "Quay Therapy", "name": "Quinn Owner", "email": email,
            "password": OTHER_PASSWORD, "timezone": "Europe/Paris", "currency": "EUR",
            **overrides}


def register(client: GraphQLClient, email: str, **overrides: str) -> Any:
    return client.data(REGISTER, {"input": details(email, **overrides)})["registerPractice"]


def verify(client: GraphQLClient, token: str) -> Any:
    return client.data(VERIFY_EMAIL, {"input": {"token": token}})["verifyEmail"]


def signs_in(client: GraphQLClient, email: str, password: str) -> bool:
    answer = client.data(SIGN_IN, {"input": {"email": email, "password": password}})
    return answer["signIn"]["accessToken"] is not None


def invalid_link() -> list[dict[str, Any]]:
    return [{"field": ["input", "token"], "code": "INVALID_TOKEN",
             "message": "This verification link is not valid or has expired; register again."}]


def test_a_taken_email_answers_as_a_free_one_and_its_owner_is_told_instead(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a registered owner, and an address nobody uses
    free = unique_email("free")

    # when both are registered, the taken one in another case
    taken_answer = register(client, owner.email.upper())
    free_answer = register(client, free)

    # then both answer alike: no token, no viewer, no error
    assert taken_answer == free_answer == REGISTERED
    # and the owner hears that someone tried, with no link that could open anything
    # (after the sign-up's confirmation and welcome, which workers may deliver in any order)
    [told] = [m for m in mailbox.wait_for(owner.email, count=3) if m.subject == ATTEMPT_SUBJECT]
    assert "Nothing was created" in told.text
    assert "verify-email" not in told.text + told.html
    # and the free address gets its link
    [link] = mailbox.wait_for(free)
    assert "/verify-email?token=" in link.text
    # and nothing changed for the owner: the attempt's password opens nothing
    server.drain()
    assert len(mailbox.to(owner.email)) == 3
    assert not signs_in(client, owner.email, OTHER_PASSWORD)
    token = client.data(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}})
    viewer = client.data(VIEWER, token=token["signIn"]["accessToken"])["viewer"]
    assert viewer["practice"]["id"] == owner.practice_id


def test_the_practice_appears_only_once_the_email_is_verified(client: GraphQLClient) -> None:
    # given a registration
    email = unique_email("quinn")
    assert register(client, email) == REGISTERED

    # then before its link is followed there is no account to sign in to
    assert not signs_in(client, email, OTHER_PASSWORD)

    # when the link is followed
    verified = verify(client, verification_token(client, email))

    # then the owner is signed in to the new practice, and signs in from now on
    assert verified["userErrors"] == []
    assert verified["viewer"]["role"] == "OWNER"
    assert verified["viewer"]["practice"]["name"] == "Quay Therapy"
    assert verified["viewer"]["practice"]["currency"] == "EUR"
    assert verified["viewer"]["practitioner"] == {
        "id": verified["viewer"]["practitioner"]["id"], "name": "Quinn Owner", "email": email}
    viewer = client.data(VIEWER, token=verified["accessToken"])["viewer"]
    assert viewer["practice"]["id"] == verified["viewer"]["practice"]["id"]
    assert signs_in(client, email, OTHER_PASSWORD)


def test_a_link_works_once(client: GraphQLClient) -> None:
    email = unique_email("once")
    register(client, email)
    token = verification_token(client, email)
    first = verify(client, token)
    again = verify(client, token)
    assert first["userErrors"] == []
    assert again == {"accessToken": None, "viewer": None, "userErrors": invalid_link()}


def test_an_expired_or_made_up_link_opens_nothing(
    client: GraphQLClient, clock: TestClock
) -> None:
    # given a registration whose link has arrived
    email = unique_email("late")
    register(client, email)
    token = verification_token(client, email)

    # when a made-up link is tried, and the real one after a day and a minute
    made_up = verify(client, "not-a-real-token")
    clock.advance(timedelta(days=1, minutes=1))
    late = verify(client, token)

    # then both are refused, and no practice was opened
    assert made_up["userErrors"] == late["userErrors"] == invalid_link()
    assert late["accessToken"] is None
    clock.reset()
    assert not signs_in(client, email, OTHER_PASSWORD)


def token_for(client: GraphQLClient, email: str, practice_name: str) -> str:
    """The verification token of the email to `email` about `practice_name`."""
    assert client.mailbox is not None
    [text] = [received.text for received in client.mailbox.wait_for(email, count=2)
              if f"To open {practice_name} on Caseload" in received.text]
    [token] = VERIFY_LINK.findall(text)
    return unquote(token)


def test_the_first_of_two_registrations_for_one_email_to_be_verified_wins(
    client: GraphQLClient,
) -> None:
    # given two registrations for one free email
    email = unique_email("twice")
    register(client, email, practiceName="First Practice")
    register(client, email, practiceName="Second Practice")
    # (the two emails may arrive in either order: each names its practice)
    first, second = token_for(client, email, "First Practice"), token_for(
        client, email, "Second Practice")

    # when the second is verified, then the first
    won = verify(client, second)
    lost = verify(client, first)

    # then the second opened its practice, and the first is refused without a second one
    assert won["viewer"]["practice"]["name"] == "Second Practice"
    assert lost == {"accessToken": None, "viewer": None, "userErrors": [
        {"field": ["input", "token"], "code": "EMAIL_TAKEN",
         "message": "This email has been verified for another practice since."}]}


def test_bad_input_is_reported_whether_the_email_is_taken_or_not(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # when a taken and a free email register with a bad timezone
    taken = register(client, owner.email, timezone="Mars/Olympus")
    free_email = unique_email("badtz")
    free = register(client, free_email, timezone="Mars/Olympus")

    # then both name the same problem, and nobody is emailed
    assert taken == free
    assert [(e["field"], e["code"]) for e in taken["userErrors"]] == [
        (["input", "timezone"], "INVALID")]
    server.drain()
    assert mailbox.to(free_email) == []
    assert ATTEMPT_SUBJECT not in [m.subject for m in mailbox.to(owner.email)]


def test_registering_sends_an_address_a_few_emails_an_hour_at_most(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a free and a taken address
    free = unique_email("flooded")

    # when each is registered five times
    answers = [register(client, email) for email in (free, owner.email) for _ in range(5)]

    # then every answer is alike, and each address got three sign-up emails this hour, no
    # more (the owner's own link was the first of theirs); workers deliver in any order
    assert answers == [REGISTERED] * 10
    server.drain()
    assert len(mailbox.to(free)) == 3
    assert sorted(m.subject for m in mailbox.to(owner.email)) == sorted([
        "Confirm your email to open Calm Waters Therapy on Caseload",
        "Welcome to Caseload, Ada Owner", ATTEMPT_SUBJECT, ATTEMPT_SUBJECT])
