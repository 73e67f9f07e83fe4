"""A practitioner's private calendar feed: a secret URL served by Caseload, parsed back with
icalendar; rotating or revoking it stops the old URL; nobody else's sessions are in it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from icalendar import Calendar
from sqlalchemy import select

from persistence import tables
from persistence.database import Database
from schema.shared.ids import decode_id
from tests.support.appointments import booked, paying_client_scene, relationship_of
from tests.support.clients import create_relationship
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.jobs import with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

ERRORS = "userErrors { field code message }"
ROTATE = f"""mutation Rotate($input: CalendarFeedInput!) {{
  rotateCalendarFeed(input: $input) {{ url practitioner {{ id calendarFeedActive }} {ERRORS} }}
}}"""
REVOKE = f"""mutation Revoke($input: CalendarFeedInput!) {{
  revokeCalendarFeed(input: $input) {{ url practitioner {{ id calendarFeedActive }} {ERRORS} }}
}}"""
READ = """query R($id: ID!) { node(id: $id) { ... on Session { bookingReference } } }"""


def rotate(client: GraphQLClient, staff: Staff, practitioner_id: str) -> Any:
    return client.data(ROTATE, {"input": {"practitionerId": practitioner_id}},
                       token=staff.token)["rotateCalendarFeed"]


def fetch(server: RunningServer, url: str) -> httpx.Response:
    """The feed as a calendar program reads it: a plain GET, no sign-in."""
    path = urlsplit(url).path
    return httpx.get(server.base_url + path, timeout=10)


def events(response: httpx.Response) -> list[Any]:
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    return list(calendar.walk("VEVENT"))


def stored_hash(server: RunningServer, practitioner_id: str) -> str | None:
    """What is kept of a practitioner's feed token."""
    row_id = decode_id(practitioner_id, "Practitioner")

    async def read(db: Database) -> str | None:
        p = tables.practitioners
        async with db.reading() as tx:
            return await tx.scalar(  # type: ignore[no-any-return]
                select(p.c.calendar_token_hash).where(p.c.id == row_id))
    return with_database(server, read)  # type: ignore[no-any-return]


def test_the_feed_lists_the_practitioners_sessions_and_no_one_elses(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, monday: datetime
) -> None:
    # given a session with the owner and one with a colleague, for the same client
    scene = paying_client_scene(client, mailbox)
    colleague = add_practitioner(client, scene.owner)
    ten = monday + timedelta(hours=4)
    mine = booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=ten)
    theirs_relationship = create_relationship(client, colleague, [scene.client_id])["id"]
    booked(client, colleague.token, relationshipId=theirs_relationship, startsAt=ten)
    reference = client.data(READ, {"id": mine["id"]},
                            token=scene.owner.token)["node"]["bookingReference"]

    # when the owner turns their feed on and a calendar program reads it
    turned_on = rotate(client, scene.owner, scene.owner.practitioner_id)
    assert turned_on["userErrors"] == []
    assert turned_on["practitioner"]["calendarFeedActive"] is True
    url = turned_on["url"]
    token = urlsplit(url).path.removeprefix("/calendar/").removesuffix(".ics")
    found = events(fetch(server, url))

    # then it holds the owner's session only, as the invitations tell it
    assert len(found) == 1
    [event] = found
    assert str(event["UID"]).startswith("session-") and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == ten
    assert reference in str(event["DESCRIPTION"])
    # and the secret is long, random and not stored as it is
    assert len(token) >= 40
    kept = stored_hash(server, scene.owner.practitioner_id)
    assert kept is not None and token not in kept and len(kept) == 64
    assert url.startswith("http") and "/calendar/" in url


def test_rotating_stops_the_old_url_and_revoking_stops_the_new_one(
    client: GraphQLClient, server: RunningServer, owner: Staff
) -> None:
    first = rotate(client, owner, owner.practitioner_id)["url"]
    assert fetch(server, first).status_code == 200
    second = rotate(client, owner, owner.practitioner_id)["url"]
    assert second != first
    assert fetch(server, first).status_code == 404
    assert events(fetch(server, second)) == []
    revoked = client.data(REVOKE, {"input": {"practitionerId": owner.practitioner_id}},
                          token=owner.token)["revokeCalendarFeed"]
    assert revoked == {"url": None, "userErrors": [], "practitioner": {
        "id": owner.practitioner_id, "calendarFeedActive": False}}
    assert fetch(server, second).status_code == 404
    assert fetch(server, second.replace(".ics", "x.ics")).status_code == 404


def test_only_the_practitioner_or_the_owner_turns_a_feed_on(
    client: GraphQLClient, server: RunningServer, owner: Staff
) -> None:
    colleague = add_practitioner(client, owner)
    stranger = register_practice(client)
    by_colleague = rotate(client, colleague, owner.practitioner_id)
    by_stranger = rotate(client, stranger, owner.practitioner_id)
    assert by_colleague == {"url": None, "practitioner": None, "userErrors": [{
        "field": None, "code": "NOT_PERMITTED",
        "message": "Only the owner may act for another practitioner."}]}
    assert by_stranger == {"url": None, "practitioner": None, "userErrors": [{
        "field": ["input", "practitionerId"], "code": "NOT_FOUND",
        "message": "Practitioner not found."}]}
    assert stored_hash(server, owner.practitioner_id) is None  # nothing made
    own = rotate(client, colleague, colleague.practitioner_id)
    by_owner = rotate(client, owner, colleague.practitioner_id)
    assert own["userErrors"] == [] and by_owner["userErrors"] == []
    assert fetch(server, own["url"]).status_code == 404  # the owner's rotation replaced it
