"""Per-account protection of sign-in: after a few wrong passwords for one email, sign-in with
it pauses for a while, a correct password included; other accounts and existing tokens are
untouched; the owner hears of it once; and an unknown email is treated exactly alike, in
answers and in time. The suite's server pauses after 4 failures in 6 seconds."""

from __future__ import annotations

import statistics
import time
from typing import Any

from tests.support.graphql import (
    PASSWORD,
    SIGN_IN,
    GraphQLClient,
    Response,
    register_practice,
    unique_email,
)
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

FAILURES = 4
WINDOW_SECONDS = 6
VIEWER = "{ viewer { role } }"
WRONG = {"accessToken": None, "viewer": None, "userErrors": [
    {"field": None, "code": "INVALID_CREDENTIALS", "message": "Wrong email or password."}]}
PAUSED_SUBJECT = "Sign-in to your Caseload account is paused after failed attempts"


def sign_in(client: GraphQLClient, email: str, password: str) -> Response:
    return client.execute(SIGN_IN, {"input": {"email": email, "password": password}})


def paused(seconds: int) -> list[dict[str, Any]]:
    return [{"message": f"Too many failed sign-ins for this email; try again in {seconds} "
             "seconds.", "locations": [{"line": 3, "column": 3}], "path": ["signIn"],
             "extensions": {"code": "RATE_LIMITED", "retryAfter": seconds}}]


def assert_paused(response: Response) -> int:
    """The pause's answer; the seconds it names."""
    seconds = response.errors[0].get("extensions", {}).get("retryAfter")
    assert response.status == 200
    assert {k: v for k, v in response.body.items() if k != "extensions"} == {
        "data": None, "errors": paused(seconds)}
    assert 1 <= seconds <= WINDOW_SECONDS
    return int(seconds)


def test_wrong_passwords_pause_sign_in_for_that_email_alone(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer
) -> None:
    # given two owners, and a stranger's email nobody registered
    owner, other = register_practice(client), register_practice(client)
    stranger = unique_email("stranger")

    # when someone tries wrong passwords for the owner and for the stranger's email
    guesses = [sign_in(client, email, f"guess number {n}").data["signIn"]
               for email in (owner.email, stranger) for n in range(FAILURES)]

    # then each guess is refused alike, and then sign-in pauses for both, alike, even with
    # the owner's right password
    assert guesses == [WRONG] * (2 * FAILURES)
    assert_paused(sign_in(client, owner.email, PASSWORD))
    assert_paused(sign_in(client, stranger, PASSWORD))
    # and the other owner signs in, and the owner's existing token still works
    assert sign_in(client, other.email, PASSWORD).data["signIn"]["viewer"] == {"role": "OWNER"}
    assert client.data(VIEWER, token=owner.token) == {"viewer": {"role": "OWNER"}}
    # and the owner is told once, however long the guessing goes on
    # (after the sign-up's confirmation and welcome, which workers may deliver in any order)
    [told] = [m for m in mailbox.wait_for(owner.email, count=3) if m.subject == PAUSED_SUBJECT]
    assert "Devices already signed in keep working" in told.text
    assert_paused(sign_in(client, owner.email, "another guess"))
    server.drain()
    assert [m.subject for m in mailbox.to(owner.email)].count(PAUSED_SUBJECT) == 1
    assert [m.subject for m in mailbox.to(other.email)].count(PAUSED_SUBJECT) == 0


def test_the_pause_ends_and_the_right_password_signs_in_again(client: GraphQLClient) -> None:
    # given an owner whose sign-in paused
    owner = register_practice(client)
    for n in range(FAILURES):
        sign_in(client, owner.email, f"guess number {n}")
    seconds = assert_paused(sign_in(client, owner.email, PASSWORD))

    # when the pause it named has passed
    time.sleep(seconds + 0.2)

    # then the right password signs in
    assert sign_in(client, owner.email, PASSWORD).data["signIn"]["viewer"] == {"role": "OWNER"}


def timed_sign_in(client: GraphQLClient, email: str) -> float:
    started = time.perf_counter()
    assert sign_in(client, email, "not the password").data["signIn"] == WRONG
    return time.perf_counter() - started


def median_gap(client: GraphQLClient, server: RunningServer) -> tuple[float, float]:
    """Median times of wrong passwords for known and unknown emails, interleaved in ABBA
    order so that load changes on a shared machine fall on both alike."""
    known = [register_practice(client).email for _ in range(8)]
    server.drain()  # their emails are sent before the clock starts
    times: dict[bool, list[float]] = {True: [], False: []}
    for n, email in enumerate(known * (FAILURES - 1)):  # fewer failures than pause an email
        for is_known in ((True, False) if n % 2 == 0 else (False, True)):
            target = email if is_known else unique_email("unknown")
            times[is_known].append(timed_sign_in(client, target))
    return statistics.median(times[True]), statistics.median(times[False])


def test_a_wrong_password_takes_as_long_for_a_known_email_as_for_an_unknown_one(
    client: GraphQLClient, server: RunningServer
) -> None:
    # given known emails and unknown ones
    # when wrong passwords are tried for each, interleaved
    # then the medians differ by a few milliseconds at most. Each try costs an Argon2 check
    # of some 200 ms, which other work on a busy machine can slow by more than that: a
    # measurement is taken again, at most three times, before the gap counts; a real
    # difference in work (a skipped hash, say) shows in every one.
    gaps = []
    for _ in range(3):
        known, unknown = median_gap(client, server)
        print(f"median wrong-password sign-in: known {known * 1000:.1f} ms, "
              f"unknown {unknown * 1000:.1f} ms")
        gaps.append(abs(known - unknown))
        if gaps[-1] < 0.005:
            break
    assert min(gaps) < 0.005, gaps
