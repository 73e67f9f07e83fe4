"""Recovering and controlling an account: a password reset link by email (the same answer for
a known and an unknown email, single use, an hour), resetPassword, changePassword (the current
password needed) and signOutEverywhere. Each ends every access token issued before it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from tests.support.clients import signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import (
    PASSWORD,
    SIGN_IN,
    GraphQLClient,
    Response,
    Staff,
    unique_email,
)
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

REQUEST_RESET = """
mutation Request($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) {
    accessToken viewer { role } userErrors { field code message }
  }
}
"""
RESET = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) {
    accessToken viewer { role practice { id } } userErrors { field code message }
  }
}
"""
CHANGE = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { accessToken viewer { role } userErrors { field code message } }
}
"""
SIGN_OUT_EVERYWHERE = """
mutation { signOutEverywhere { accessToken viewer { role } userErrors { field code message } } }
"""
VIEWER = "{ viewer { role practice { id } } }"
NEW_PASSWORD = "a brand new passphrase"
NOTHING = {"accessToken": None, "viewer": None, "userErrors": []}
RESET_SUBJECT = "Reset your Caseload password"
CHANGED_SUBJECT = "Your Caseload password was changed"
RESET_LINK = re.compile(r"(\S+)/reset-password\?token=(\S+)")
REVOKED = [{
    "message": "The access token is no longer valid: the password was changed or the account "
               "signed out everywhere since it was issued; sign in again.",
    "extensions": {"code": "UNAUTHENTICATED", "reason": "REVOKED"}}]
INVALID_LINK = [{
    "field": ["input", "token"], "code": "INVALID_TOKEN",
    "message": "This password reset link is not valid, was already used or has expired; ask "
               "for a new one."}]


def request_reset(client: GraphQLClient, email: str) -> Response:
    return client.execute(REQUEST_RESET, {"input": {"email": email}})


def reset(client: GraphQLClient, token: str, password: str = NEW_PASSWORD) -> Any:
    answer = client.data(RESET, {"input": {"token": token, "password": password}})
    return answer["resetPassword"]


def reset_tokens(mailbox: Mailbox, email: str, count: int = 1) -> list[str]:
    """The tokens of the reset links emailed to `email`, oldest first."""
    received = [m for m in mailbox.wait_for(email, count=count) if m.subject == RESET_SUBJECT]
    return [unquote(token) for m in received for _, token in RESET_LINK.findall(m.text)]


def signs_in(client: GraphQLClient, email: str, password: str) -> str | None:
    answer = client.data(SIGN_IN, {"input": {"email": email, "password": password}})
    return answer["signIn"]["accessToken"]  # type: ignore[no-any-return]


def viewer_errors(client: GraphQLClient, token: str) -> list[dict[str, Any]]:
    return client.execute(VIEWER, token=token).errors


def asked(client: GraphQLClient, server: RunningServer, mailbox: Mailbox, email: str) -> str:
    """Ask for a reset link for `email` and answer its token."""
    before = len([m for m in mailbox.to(email) if m.subject == RESET_SUBJECT])
    assert request_reset(client, email).data["requestPasswordReset"] == NOTHING
    server.drain()
    tokens = reset_tokens(mailbox, email)
    assert len(tokens) == before + 1
    return tokens[-1]


def test_a_reset_link_sets_a_new_password_and_ends_every_older_token(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given an owner signed in on two devices
    other_device = signs_in(client, owner.email, PASSWORD)
    assert other_device is not None

    # when they ask for a reset link and follow it
    answer = request_reset(client, owner.email.upper())
    server.drain()
    [message] = [m for m in mailbox.to(owner.email) if m.subject == RESET_SUBJECT]
    [(app_url, token)] = RESET_LINK.findall(message.text)
    result = reset(client, unquote(token))

    # then the request answered nothing but success, and the link points at the app
    assert answer.data["requestPasswordReset"] == NOTHING
    assert app_url == server.runtime.settings.app_url
    assert "/reset-password?token=" in message.html
    # and the reset signed them in to their practice
    assert result["userErrors"] == []
    assert result["viewer"] == {"role": "OWNER", "practice": {"id": owner.practice_id}}
    assert client.data(VIEWER, token=result["accessToken"])["viewer"]["practice"] == {
        "id": owner.practice_id}
    # and both older tokens are refused, saying why
    assert viewer_errors(client, owner.token) == viewer_errors(client, other_device) == REVOKED
    # and only the new password signs in
    assert signs_in(client, owner.email, PASSWORD) is None
    assert signs_in(client, owner.email, NEW_PASSWORD) is not None
    # and the owner is told that the password changed
    assert CHANGED_SUBJECT in [m.subject for m in mailbox.wait_for(owner.email, count=4)]


def test_a_known_and_an_unknown_email_are_answered_alike_after_the_same_work(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given an email nobody signs in with
    unknown = unique_email("nobody")

    # when a reset link is asked for it and for the owner's
    known_answer = request_reset(client, owner.email)
    unknown_answer = request_reset(client, unknown)

    # then both answer the same, after the same SQL work
    assert known_answer.data == unknown_answer.data == {"requestPasswordReset": NOTHING}
    assert known_answer.sql_statements == unknown_answer.sql_statements > 0
    # and only the owner gets a link; the unknown address gets nothing at all
    server.drain()
    assert len(reset_tokens(mailbox, owner.email)) == 1
    assert mailbox.to(unknown) == []


def test_a_malformed_email_is_bad_input(client: GraphQLClient) -> None:
    answer = request_reset(client, "not an email").data["requestPasswordReset"]
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [
        (["input", "email"], "INVALID")]


def test_a_reset_link_works_once(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a link that has been used
    token = asked(client, server, mailbox, owner.email)
    assert reset(client, token)["userErrors"] == []

    # when it is used again, with another password
    again = reset(client, token, "yet another passphrase")

    # then it is refused, and the password set the first time stands
    assert again == {"accessToken": None, "viewer": None, "userErrors": INVALID_LINK}
    assert signs_in(client, owner.email, "yet another passphrase") is None
    assert signs_in(client, owner.email, NEW_PASSWORD) is not None


def test_an_expired_or_forged_link_changes_nothing(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer,
    clock: TestClock,
) -> None:
    # given a link emailed now
    token = asked(client, server, mailbox, owner.email)

    # when a forged token is tried, and the real one an hour and a minute later
    forged = reset(client, token[:-4] + "AAAA")
    made_up = reset(client, "not-a-real-token")
    clock.advance(timedelta(hours=1, minutes=1))
    late = reset(client, token)

    # then all are refused alike
    assert forged["userErrors"] == made_up["userErrors"] == late["userErrors"] == INVALID_LINK
    assert late["accessToken"] is None
    # and nothing changed: the old password signs in, the old token still works, no notice
    assert signs_in(client, owner.email, PASSWORD) is not None
    assert client.execute(VIEWER, token=owner.token).errors == []
    server.drain()
    assert CHANGED_SUBJECT not in [m.subject for m in mailbox.to(owner.email)]


def test_a_link_still_within_the_hour_works(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer,
    clock: TestClock,
) -> None:
    token = asked(client, server, mailbox, owner.email)
    clock.advance(timedelta(minutes=59))
    assert reset(client, token)["userErrors"] == []


def test_a_new_password_withdraws_every_other_reset_link(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given two links asked for, one after the other
    first = asked(client, server, mailbox, owner.email)
    second = asked(client, server, mailbox, owner.email)

    # when the second is used
    assert reset(client, second)["userErrors"] == []

    # then the first no longer works
    assert reset(client, first, "yet another passphrase")["userErrors"] == INVALID_LINK
    assert signs_in(client, owner.email, NEW_PASSWORD) is not None


def test_a_weak_new_password_is_refused_and_the_link_still_works(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    token = asked(client, server, mailbox, owner.email)
    weak = reset(client, token, "short")
    assert [(e["field"], e["code"]) for e in weak["userErrors"]] == [
        (["input", "password"], "INVALID")]
    assert client.execute(VIEWER, token=owner.token).errors == []
    assert reset(client, token)["userErrors"] == []


def test_an_address_gets_a_few_reset_emails_an_hour_at_most(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    answers = [request_reset(client, owner.email).data for _ in range(5)]
    assert answers == [{"requestPasswordReset": NOTHING}] * 5
    server.drain()
    assert len(reset_tokens(mailbox, owner.email)) == 3


def change(client: GraphQLClient, token: str, current: str, new: str = NEW_PASSWORD) -> Any:
    answer = client.execute(CHANGE, {"input": {"currentPassword": current, "newPassword": new}},
                            token=token)
    return answer.data["changePassword"]


def test_changing_the_password_needs_the_current_one_and_ends_older_tokens(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given an owner signed in on two devices
    other_device = signs_in(client, owner.email, PASSWORD)
    assert other_device is not None

    # when they change the password with a wrong current one, then with the right one
    wrong = change(client, owner.token, "not my password at all")
    weak = change(client, owner.token, PASSWORD, "short")
    changed = change(client, owner.token, PASSWORD)

    # then the wrong and the weak attempts were refused, naming the field
    assert wrong == {"accessToken": None, "viewer": None, "userErrors": [
        {"field": ["input", "currentPassword"], "code": "INVALID_CREDENTIALS",
         "message": "The current password is wrong."}]}
    assert [(e["field"], e["code"]) for e in weak["userErrors"]] == [
        (["input", "newPassword"], "INVALID")]
    # and the change answered a fresh token that works, while both older ones are refused
    assert changed["userErrors"] == []
    assert changed["viewer"] == {"role": "OWNER"}
    assert client.execute(VIEWER, token=changed["accessToken"]).errors == []
    assert viewer_errors(client, owner.token) == viewer_errors(client, other_device) == REVOKED
    # and only the new password signs in, and the owner was told once
    assert signs_in(client, owner.email, PASSWORD) is None
    assert signs_in(client, owner.email, NEW_PASSWORD) is not None
    server.drain()
    assert [m.subject for m in mailbox.to(owner.email)].count(CHANGED_SUBJECT) == 1


def test_a_refused_change_changes_nothing(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    change(client, owner.token, "not my password at all")
    assert client.execute(VIEWER, token=owner.token).errors == []
    assert signs_in(client, owner.email, PASSWORD) is not None
    server.drain()
    assert CHANGED_SUBJECT not in [m.subject for m in mailbox.to(owner.email)]


def test_guessing_the_current_password_pauses_like_sign_in(
    client: GraphQLClient, owner: Staff
) -> None:
    # given four wrong current passwords (the suite's server pauses after four)
    for attempt in range(4):
        change(client, owner.token, f"wrong guess number {attempt}")

    # when the right one is given
    answer = client.execute(
        CHANGE, {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
        token=owner.token)

    # then it is paused, and the password is unchanged
    assert answer.error_codes == ["RATE_LIMITED"]
    assert client.execute(VIEWER, token=owner.token).errors == []


def test_a_reset_link_withdrawn_by_a_password_change(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    token = asked(client, server, mailbox, owner.email)
    assert change(client, owner.token, PASSWORD)["userErrors"] == []
    assert reset(client, token, "yet another passphrase")["userErrors"] == INVALID_LINK


def test_signing_out_everywhere_ends_every_token_but_the_fresh_one(
    client: GraphQLClient, owner: Staff
) -> None:
    # given an owner signed in on two devices
    lost_phone = signs_in(client, owner.email, PASSWORD)
    assert lost_phone is not None

    # when they sign out everywhere
    answer = client.data(SIGN_OUT_EVERYWHERE, token=owner.token)["signOutEverywhere"]

    # then both tokens are refused, the answer's works, and the password still signs in
    assert answer["userErrors"] == []
    assert viewer_errors(client, owner.token) == viewer_errors(client, lost_phone) == REVOKED
    assert client.execute(VIEWER, token=answer["accessToken"]).errors == []
    assert signs_in(client, owner.email, PASSWORD) is not None


def test_a_client_signs_out_everywhere_and_resets_a_password_too(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a signed-in client
    _, email, token = signed_in_client(client, owner, mailbox)

    # when they sign out everywhere, then reset the password by email
    fresh = client.data(SIGN_OUT_EVERYWHERE, token=token)["signOutEverywhere"]
    result = reset(client, asked(client, server, mailbox, email))

    # then each step ended the tokens before it, and the reset signed them in as a client
    assert viewer_errors(client, token) == viewer_errors(client, fresh["accessToken"]) == REVOKED
    assert result["viewer"] == {"role": "CLIENT", "practice": {"id": owner.practice_id}}
    assert signs_in(client, email, NEW_PASSWORD) is not None


def test_signing_out_everywhere_needs_a_token(client: GraphQLClient) -> None:
    assert client.execute(SIGN_OUT_EVERYWHERE).error_codes == ["UNAUTHENTICATED"]
    assert client.execute(
        CHANGE, {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}
    ).error_codes == ["UNAUTHENTICATED"]
