"""Publishable keys: the owner creates, lists and revokes them; a key opens only the public
booking surface, from its own origins (CORS), and a revoked or malformed key opens nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from persistence import tables
from persistence.database import Database
from schema.shared.ids import decode_id
from tests.support.appointments import iso, next_monday
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.jobs import with_database
from tests.support.server import RunningServer
from tests.support.widgets import (
    CLIENTS,
    CREATE_KEY,
    KEYS,
    ORIGIN,
    PUBLIC_AVAILABILITY,
    PUBLIC_PRACTICE,
    REVOKE_KEY,
    create_key,
    public_id,
    widget_post,
)

OTHER_ORIGIN = "https://evil.example"


def test_the_owner_creates_a_key_whose_secret_is_shown_once(
    client: GraphQLClient, owner: Staff
) -> None:
    # when the owner creates a key for two origins (one typed loosely)
    payload = client.data(CREATE_KEY, {"input": {
        "name": " Main site ", "allowedOrigins": [ORIGIN, "HTTP://LocalHost:8080/"]}},
        token=owner.token)["createPublishableKey"]

    # then the answer carries the whole key once, and the key's public parts
    assert payload["userErrors"] == []
    key = payload["publishableKey"]
    assert payload["key"].startswith(key["prefix"] + "_")
    assert key["prefix"].startswith("pk_live_")
    assert key["name"] == "Main site"
    assert key["allowedOrigins"] == ["http://localhost:8080", ORIGIN]
    assert key["revokedAt"] is None
    # and the list shows the key, never its secret
    listed = client.data(KEYS, token=owner.token)["publishableKeys"]
    assert listed == [key]
    assert payload["key"] not in str(listed)


def test_keys_are_the_owners_alone(client: GraphQLClient, owner: Staff) -> None:
    practitioner = add_practitioner(client, owner)
    created = client.data(CREATE_KEY, {"input": {"name": "x", "allowedOrigins": [ORIGIN]}},
                          token=practitioner.token)["createPublishableKey"]
    assert created == {"key": None, "publishableKey": None, "userErrors": [{
        "field": None, "code": "NOT_PERMITTED",
        "message": "Only the practice's owner manages publishable keys."}]}
    listed = client.execute(KEYS, token=practitioner.token)
    assert listed.error_codes == ["NOT_PERMITTED"]
    # another practice's owner cannot revoke this practice's key
    key = create_key(client, owner)
    stranger = register_practice(client)
    revoked = client.data(REVOKE_KEY, {"input": {"id": key.id}},
                          token=stranger.token)["revokePublishableKey"]
    assert revoked["userErrors"] == [{"field": ["input", "id"], "code": "NOT_FOUND",
                                      "message": "Publishable key not found."}]


def test_a_key_needs_a_name_and_web_origins(client: GraphQLClient, owner: Staff) -> None:
    payload = client.data(CREATE_KEY, {"input": {
        "name": "  ", "allowedOrigins": ["https://ok.example", "ftp://files.example",
                                         "https://site.example/path"]}},
        token=owner.token)["createPublishableKey"]
    assert payload["publishableKey"] is None
    assert payload["userErrors"] == [
        {"field": ["input", "name"], "code": "INVALID", "message": "name is required."},
        {"field": ["input", "allowedOrigins", "1"], "code": "INVALID",
         "message": "'ftp://files.example' is not a web origin like https://www.example.com."},
        {"field": ["input", "allowedOrigins", "2"], "code": "INVALID",
         "message": "'https://site.example/path' is not a web origin like "
                    "https://www.example.com."},
    ]
    none = client.data(CREATE_KEY, {"input": {"name": "x", "allowedOrigins": []}},
                       token=owner.token)["createPublishableKey"]
    assert none["userErrors"] == [{"field": ["input", "allowedOrigins"], "code": "INVALID",
                                   "message": "Give 1 to 10 allowed origins."}]
    assert client.data(KEYS, token=owner.token)["publishableKeys"] == []


def test_a_key_opens_the_public_profile_and_nothing_private(
    client: GraphQLClient, owner: Staff
) -> None:
    key = create_key(client, owner)

    # the public profile by slug answers
    practice = widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug}).data
    assert practice["publicPractice"]["slug"] == key.slug
    [practitioner] = practice["publicPractice"]["practitioners"]
    assert practitioner["id"] == public_id(owner.practitioner_id)
    assert "email" not in practitioner

    # private fields answer as unauthenticated, alone or beside a public one
    for query in ("{ viewer { role } }", "{ clients { totalCount } }",
                  f'{{ node(id: "{owner.practitioner_id}") {{ id }} }}',
                  "{ publishableKeys { id } }", "{ __schema { types { name } } }",
                  f'{{ publicPractice(slug: "{key.slug}") {{ name }} clients {{ totalCount }} }}'):
        response = widget_post(client, key, query)
        assert response.status == 200
        assert response.body["data"] is None
        assert response.error_codes == ["UNAUTHENTICATED"], query
    # an owner's token beside the key does not widen it
    with_token = widget_post(client, key, CLIENTS, {}, token=owner.token)
    assert with_token.error_codes == ["UNAUTHENTICATED"]


def test_a_key_reads_only_its_own_practice(client: GraphQLClient, owner: Staff) -> None:
    key = create_key(client, owner)
    other = register_practice(client)
    other_key = create_key(client, other)
    # another practice's slug reads as no practice at all
    answer = widget_post(client, key, PUBLIC_PRACTICE, {"slug": other_key.slug}).data
    assert answer == {"publicPractice": None}
    # another practice's practitioner reads as not found
    refused = widget_post(client, key, PUBLIC_AVAILABILITY, {
        "id": other.practitioner_id, "from": "2030-01-07T00:00:00Z",
        "to": "2030-01-08T00:00:00Z"})
    assert refused.error_codes == ["NOT_FOUND"]
    assert refused.errors[0]["message"] == "Practitioner not found."


def test_the_public_fields_need_a_key(client: GraphQLClient, owner: Staff) -> None:
    key = create_key(client, owner)
    anonymous = client.execute(PUBLIC_PRACTICE, {"slug": key.slug})
    signed_in = client.execute(PUBLIC_PRACTICE, {"slug": key.slug}, token=owner.token)
    for response in (anonymous, signed_in):
        assert response.error_codes == ["UNAUTHENTICATED"]
        assert response.errors[0]["message"] == (
            "Send a publishable key in the X-Caseload-Key header, from an allowed origin.")


def test_a_revoked_malformed_or_unknown_key_is_refused(
    client: GraphQLClient, owner: Staff
) -> None:
    key = create_key(client, owner)
    assert widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug}).status == 200

    # when the owner revokes it
    revoked = client.data(REVOKE_KEY, {"input": {"id": key.id}},
                          token=owner.token)["revokePublishableKey"]
    assert revoked["userErrors"] == []
    assert revoked["publishableKey"]["revokedAt"] is not None
    again = client.data(REVOKE_KEY, {"input": {"id": key.id}},
                        token=owner.token)["revokePublishableKey"]
    assert again["userErrors"] == [{"field": ["input", "id"], "code": "INVALID_STATE",
                                    "message": "This key is already revoked."}]

    # then it opens nothing; neither does a forged secret or a malformed key
    forged = key.text[: key.text.rindex("_") + 1] + "x" * 32
    for presented in (key.text, forged, "pk_live_nonsense", "x" * 5000):
        response = widget_post(client, presented, PUBLIC_PRACTICE, {"slug": key.slug})
        assert response.status == 401
        assert response.body == {"data": None, "errors": [{
            "message": "The publishable key is not valid, or it was revoked.",
            "extensions": {"code": "UNAUTHENTICATED"}}]}
        assert "access-control-allow-origin" not in response.headers
    # a malformed key is refused before any query
    malformed = widget_post(client, "pk_live_nonsense", PUBLIC_PRACTICE, {"slug": key.slug})
    assert malformed.sql_statements == 0


def test_cors_answers_the_keys_origins_and_no_others(
    client: GraphQLClient, owner: Staff
) -> None:
    key = create_key(client, owner, [ORIGIN, "http://localhost:5173"])
    http = client.http

    # a preflight from an allowed origin is answered for that origin
    preflight = http.options("/graphql", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-caseload-key"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-caseload-key" in preflight.headers["access-control-allow-headers"]
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["vary"] == "Origin"

    # a preflight from any other origin is not
    for origin in (OTHER_ORIGIN, "null"):
        refused = http.options("/graphql", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers

    # a keyed request from an allowed origin gets the CORS header for it
    allowed = widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN

    # from another origin, or with no origin, the key is refused and nothing is shared
    for origin in (OTHER_ORIGIN, None):
        response = widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug}, origin=origin)
        assert response.status == 403
        assert response.error_codes == ["ORIGIN_NOT_ALLOWED"]
        assert "access-control-allow-origin" not in response.headers

    # a request without a key gets no CORS header, whatever its origin
    plain = client.post({"query": "{ __typename }"}, None, Origin=ORIGIN)
    assert "access-control-allow-origin" not in plain.headers

    # a revoked key's origins stop being answered
    client.data(REVOKE_KEY, {"input": {"id": key.id}}, token=owner.token)
    after = http.options("/graphql", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"})
    assert after.status_code == 403


def test_the_widget_script_is_served_to_any_site(client: GraphQLClient) -> None:
    response = client.http.get("/widget/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "bookAsGuest" in response.text and "X-Caseload-Key" in response.text
    assert "publicAvailability" in response.text


def test_public_availability_lists_free_times(
    client: GraphQLClient, owner: Staff, clock: TestClock
) -> None:
    monday = next_monday(clock()).replace(hour=0)
    key = create_key(client, owner)
    answer = widget_post(client, key, PUBLIC_AVAILABILITY, {
        "id": owner.practitioner_id, "from": iso(monday),
        "to": iso(monday + timedelta(days=1))}).data["publicAvailability"]
    # 09:00 to 17:00 London, 50 minutes on the quarter hour: 09:00 to 16:00
    assert len(answer) == 29
    assert answer[0]["startsAt"] == iso(_london(monday, 9))
    too_long = widget_post(client, key, PUBLIC_AVAILABILITY, {
        "id": owner.practitioner_id, "from": iso(monday),
        "to": iso(monday + timedelta(days=40))})
    assert too_long.error_codes == ["INVALID"]


def _london(day: datetime, hour: int) -> datetime:
    local = datetime.combine(day.date(), time(hour), ZoneInfo("Europe/London"))
    return local.astimezone(UTC)


def test_the_widget_page_for_a_key_may_be_framed_by_its_origins_only(
    client: GraphQLClient, owner: Staff
) -> None:
    key = create_key(client, owner, [ORIGIN, "http://localhost:5173"])
    page = client.http.get("/widget/book", params={"key": key.text})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors http://localhost:5173 https://www.calm-waters.example;" in policy
    assert "connect-src 'self'" in policy
    assert f'data-key="{key.text}"' in page.text and f'data-practice="{key.slug}"' in page.text

    # the page talks to /graphql as the same origin, which every live key allows
    same_origin = widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug},
                              origin=client.base_url)
    assert same_origin.data["publicPractice"]["slug"] == key.slug

    # no page for a revoked, unknown or malformed key
    client.data(REVOKE_KEY, {"input": {"id": key.id}}, token=owner.token)
    for presented in (key.text, "pk_live_000000000000_" + "x" * 32, "<script>"):
        refused = client.http.get("/widget/book", params={"key": presented})
        assert refused.status_code == 404
        assert "<script" not in refused.text
    assert widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug},
                       origin=client.base_url).status == 401


def test_only_a_hash_of_the_key_is_stored(
    client: GraphQLClient, owner: Staff, server: RunningServer
) -> None:
    key = create_key(client, owner)

    async def rows(db: Database) -> list[Any]:
        async with db.reading() as tx:
            result = await tx.execute(select(tables.publishable_keys).where(
                tables.publishable_keys.c.practice_id == decode_id(owner.practice_id,
                                                                   "Practice")))
            return list(result)

    [row] = with_database(server, rows)
    secret = key.text[len(row.prefix) + 1:]
    assert row.secret_hash == hashlib.sha256(key.text.encode()).hexdigest()
    assert not any(secret in str(value) for value in row)
