"""Access tokens that sign nobody in say why: none sent, malformed, not valid (forged or
tampered with, without saying which check failed), expired, or revoked since it was issued.
Each answers UNAUTHENTICATED, with the reason in `extensions.reason`."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt

from tests.support.clock import TestClock
from tests.support.graphql import PASSWORD, SIGN_IN, GraphQLClient, Staff
from tests.support.server import RunningServer

VIEWER = "{ viewer { role } }"
MISSING = {"message": "Sign in first: send `Authorization: Bearer <accessToken>`.",
           "extensions": {"code": "UNAUTHENTICATED"}}
MALFORMED = {"message": "The access token is malformed: send the accessToken that signIn "
             "answered, as `Authorization: Bearer <accessToken>`.",
             "extensions": {"code": "UNAUTHENTICATED", "reason": "MALFORMED"}}
INVALID = {"message": "The access token is not valid; sign in again.",
           "extensions": {"code": "UNAUTHENTICATED", "reason": "INVALID"}}
EXPIRED = {"message": "The access token has expired; sign in again.",
           "extensions": {"code": "UNAUTHENTICATED", "reason": "EXPIRED"}}


def refusal(client: GraphQLClient, **headers: str) -> list[dict[str, Any]]:
    response = client.post({"query": VIEWER}, **headers)
    assert response.body["data"] is None
    return response.errors


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_no_token_asks_to_sign_in(client: GraphQLClient) -> None:
    assert refusal(client) == [MISSING]


def test_a_malformed_token_or_header_says_so(client: GraphQLClient, owner: Staff) -> None:
    header, payload, _ = owner.token.split(".")
    assert refusal(client, **bearer("not-a-token")) == [MALFORMED]
    assert refusal(client, **bearer(f"{header}.{payload}")) == [MALFORMED]
    assert refusal(client, **bearer(f"{header}.bm90IGpzb24.c2ln")) == [MALFORMED]
    assert refusal(client, Authorization=f"Basic {owner.token}") == [MALFORMED]
    assert refusal(client, Authorization="Bearer") == [MALFORMED]


def test_a_forged_or_tampered_token_is_invalid_without_saying_which_check_failed(
    client: GraphQLClient, owner: Staff
) -> None:
    # given the owner's claims signed with another key, and the owner's token with its
    # claims edited (its signature kept), and one signed right but missing a claim
    claims = claims_of(owner.token)
    forged = jwt.encode(claims, "another-secret-key-that-is-long-enough!", algorithm="HS256")
    header, _, signature = owner.token.split(".")
    tampered = f"{header}.{segment({**claims, 'role': 'CLIENT'})}.{signature}"
    unsigned = jwt.encode(claims, "", algorithm="none")

    # then each is refused with one and the same answer
    for token in (forged, tampered, unsigned):
        assert refusal(client, **bearer(token)) == [INVALID]
    assert "signature" not in INVALID["message"]


def test_an_expired_token_says_so(
    client: GraphQLClient, owner: Staff, clock: TestClock, server: RunningServer
) -> None:
    # when the token's lifetime has passed
    clock.advance(server.runtime.settings.token_ttl + timedelta(seconds=1))

    # then it is refused as expired, not as invalid
    assert refusal(client, **bearer(owner.token)) == [EXPIRED]


def test_a_forged_token_that_is_also_expired_is_only_invalid(
    client: GraphQLClient, owner: Staff, clock: TestClock, server: RunningServer
) -> None:
    forged = jwt.encode(claims_of(owner.token), "another-secret-key-that-is-long-enough!",
                        algorithm="HS256")
    clock.advance(server.runtime.settings.token_ttl + timedelta(seconds=1))
    assert refusal(client, **bearer(forged)) == [INVALID]


def test_a_bad_token_does_not_stop_signing_in(client: GraphQLClient, owner: Staff) -> None:
    # a device with a stale token may still sign in (public operations ignore the token)
    answer = client.execute(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}},
                            token="not-a-token")
    assert answer.data["signIn"]["accessToken"] is not None


def test_a_token_issued_before_token_versions_works_until_the_account_signs_out(
    client: GraphQLClient, owner: Staff, server: RunningServer
) -> None:
    # given a token as signed before tokens carried a version (no `ver` claim)
    claims = {k: v for k, v in claims_of(owner.token).items() if k != "ver"}
    old = jwt.encode(claims, server.runtime.settings.secret_key, algorithm="HS256")

    # then it signs the owner in, until they sign out everywhere
    assert client.execute(VIEWER, token=old).data == {"viewer": {"role": "OWNER"}}
    client.data("mutation { signOutEverywhere { accessToken } }", token=owner.token)
    assert refusal(client, **bearer(old))[0]["extensions"]["reason"] == "REVOKED"
