"""Limits at the HTTP edge: request budgets per caller (the account of a token that verifies,
else the client address), every operation of a batch counted, and oversize bodies refused
before anything reaches the database. Budgets are moving windows: a fresh caller gets the
whole budget at once, whatever the clock says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caseload.settings import Settings
from tests.support.clock import TestClock
from tests.support.graphql import (
    PASSWORD,
    REGISTER,
    SIGN_IN,
    GraphQLClient,
    Response,
    register_practice,
    unique_email,
)
from tests.support.server import RunningServer, start_server

VIEWER = "{ viewer { role } }"
ORIGIN = "https://app.example.com"


def strict_env(test_env: dict[str, str], name: str, **extra: str) -> dict[str, str]:
    """Tight limits and a Redis namespace of their own, on the suite's database."""
    return {**test_env, "RATE_LIMIT_ANONYMOUS": "3/60", "RATE_LIMIT_SIGNED_IN": "5/60",
            "MAX_BODY_BYTES": "2000", "REDIS_NAMESPACE": f"{test_env['REDIS_NAMESPACE']}-{name}",
            **extra}


@pytest.fixture(scope="module")
def strict_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """Trusts no proxy: the address is the connection's, 127.0.0.1, for every request."""
    running = start_server(Settings.from_env(strict_env(test_env, "edge")), TestClock(),
                           jobs=False)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def proxied_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """Behind a proxy on loopback that the operator trusts, with the default budgets."""
    env = strict_env(test_env, "proxied", TRUSTED_PROXIES="127.0.0.1/32, 10.0.0.0/8")
    del env["RATE_LIMIT_ANONYMOUS"], env["RATE_LIMIT_SIGNED_IN"]
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


def sign_in(graphql: GraphQLClient, **headers: str) -> Response:
    body = {"query": SIGN_IN, "variables": {"input": {
        "email": unique_email("nobody"), "password": PASSWORD}}}
    return graphql.post(body, **headers)


def ping(graphql: GraphQLClient, **headers: str) -> Response:
    """The cheapest anonymous request: it counts against the budget like any other."""
    return graphql.post({"query": "{ __typename }"}, **headers)


def assert_limited(response: Response) -> None:
    assert response.status == 429
    assert response.error_codes == ["RATE_LIMITED"]
    assert response.errors[0]["message"].startswith("Too many requests; try again in ")
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_an_address_has_a_budget_that_forged_headers_and_junk_tokens_do_not_escape(
    strict_server: RunningServer,
) -> None:
    strict = GraphQLClient(strict_server.base_url)
    # given an anonymous caller who spends the address's budget
    assert [sign_in(strict).status for _ in range(3)] == [200] * 3

    # when it goes on: plainly, as other addresses (headers no trusted proxy added), or with
    # made-up tokens
    plain = sign_in(strict)
    forged = [sign_in(strict, **{"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(5)]
    forwarded = sign_in(strict, Forwarded="for=198.51.100.99")
    real_ip = sign_in(strict, **{"X-Real-IP": "198.51.100.98"})
    junk = [sign_in(strict, Authorization=f"Bearer junk-{n}") for n in range(5)]

    # then each is refused with Retry-After: one address, one budget
    for response in [plain, *forged, forwarded, real_ip, *junk]:
        assert_limited(response)
    # and no refusal carries CORS headers nobody asked for
    assert "access-control-allow-origin" not in plain.headers


def test_the_per_address_refusal_carries_the_callers_cors_headers(
    proxied_server: RunningServer,
) -> None:
    proxied = GraphQLClient(proxied_server.base_url)
    caller = {"X-Forwarded-For": "192.0.2.41", "Origin": ORIGIN}
    answered = [ping(proxied, **caller).status for _ in range(60)]
    refused = sign_in(proxied, **caller)
    assert answered == [200] * 60
    assert_limited(refused)
    assert refused.headers["access-control-allow-origin"] == ORIGIN
    assert "Retry-After" in refused.headers["access-control-expose-headers"]
    assert refused.headers["vary"] == "Origin"


def test_seventy_requests_with_made_up_tokens_get_sixty_answers_and_ten_refusals(
    proxied_server: RunningServer,
) -> None:
    proxied = GraphQLClient(proxied_server.base_url)
    statuses = [ping(proxied, **{"X-Forwarded-For": "192.0.2.70",
                                 "Authorization": f"Bearer junk-{n}"}).status
                for n in range(70)]
    assert statuses == [200] * 60 + [429] * 10


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(
    test_env: dict[str, str],
) -> None:
    env = strict_env(test_env, "hops", TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    server = start_server(Settings.from_env(env), TestClock(), jobs=False)
    proxied = GraphQLClient(server.base_url)
    try:
        # given a client whose proxy (a trusted 10.x hop) forwarded three requests
        chain = {"X-Forwarded-For": "198.51.100.7, 10.1.2.3"}
        assert [sign_in(proxied, **chain).status for _ in range(3)] == [200] * 3

        # when it prepends made-up hops, or the proxy speaks RFC 7239's Forwarded
        spoofed = sign_in(proxied, **{"X-Forwarded-For": "203.0.113.1, 198.51.100.7"})
        rfc = sign_in(proxied, Forwarded='for="203.0.113.2", for=198.51.100.7;proto=https')

        # then it is still the same client, over its budget
        assert_limited(spoofed)
        assert_limited(rfc)
        # and other clients behind the proxy, IPv6 ones too, have budgets of their own
        assert sign_in(proxied, **{"X-Forwarded-For": "198.51.100.8"}).status == 200
        assert sign_in(proxied, Forwarded='for="[2001:db8::1]:4711"').status == 200
        # and the proxy itself, forwarding nothing, is a caller of its own
        assert sign_in(proxied).status == 200
    finally:
        proxied.http.close()
        server.stop()


def test_a_signed_in_caller_has_a_budget_of_its_own(
    strict_server: RunningServer, client: GraphQLClient
) -> None:
    # given a token from the main server (same database, same secret)
    token = register_practice(client).token
    strict = GraphQLClient(strict_server.base_url)
    statuses = [strict.execute(VIEWER, token=token).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # and another account's budget is untouched
    other = register_practice(client).token
    assert strict.execute(VIEWER, token=other).status == 200


def test_each_operation_of_a_batch_counts(
    strict_server: RunningServer, client: GraphQLClient
) -> None:
    # given an account with a budget of 5
    token = register_practice(client).token
    strict = GraphQLClient(strict_server.base_url)

    # when it sends a batch of 4, then a batch of 2
    four = strict.post([{"query": VIEWER}] * 4, token)
    two = strict.post([{"query": VIEWER}] * 2, token)

    # then the 4 run, the 2 are refused whole (only 1 is left), and 1 more runs
    assert four.status == 200
    assert [answer["data"] for answer in four.body] == [{"viewer": {"role": "OWNER"}}] * 4
    assert_limited(two)
    assert strict.execute(VIEWER, token=token).status == 200
    assert_limited(strict.execute(VIEWER, token=token))


def test_an_oversize_body_is_refused_and_creates_nothing(
    strict_server: RunningServer, client: GraphQLClient
) -> None:
    strict = GraphQLClient(strict_server.base_url)
    email = unique_email("big")
    response = strict.http.post("/graphql", json={"query": REGISTER, "variables": {"input": {
        "practiceName": "x" * 5000, "name": "Big", "email": email, "password": PASSWORD,
        "timezone": "UTC"}}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert response.headers["x-sql-statements"] == "0"
    signed_in = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    assert signed_in["signIn"]["accessToken"] is None
