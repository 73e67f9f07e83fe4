"""Short booking references: 8 friendly characters, stored with the session, and
sessionByBookingReference finding it in the practice only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar

from schema.shared.ids import decode_id
from tests.support.appointments import (
    Scene,
    booked,
    iso,
    paying_client_scene,
    relationship_of,
)
from tests.support.clients import signed_in_client
from tests.support.graphql import GraphQLClient, register_practice, unique_email
from tests.support.mailbox import Mailbox
from tests.support.widgets import create_key, guest_input, session_of, widget_post

BY_REFERENCE = """
query ByReference($reference: String!) {
  sessionByBookingReference(reference: $reference) { id bookingReference startsAt }
}
"""
READ = "query R($id: ID!) { node(id: $id) { ... on Session { bookingReference } } }"
FRIENDLY = re.compile(r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$")


def lookup(client: GraphQLClient, token: str | None, reference: str) -> Any:
    body = client.execute(BY_REFERENCE, {"reference": reference}, token=token).body
    return {k: v for k, v in body.items() if k != "extensions"}


def one_booked(client: GraphQLClient, scene: Scene, monday: datetime, hours: int) -> Any:
    return booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=monday + timedelta(hours=hours))


def not_found() -> dict[str, Any]:
    return {"data": None, "errors": [{
        "message": "Session not found.", "locations": [{"line": 3, "column": 3}],
        "path": ["sessionByBookingReference"],
        "extensions": {"code": "NOT_FOUND", "argument": ["reference"]}}]}


def test_a_booking_gets_a_short_friendly_reference_that_finds_it(
    client: GraphQLClient, mailbox: Mailbox, monday: datetime
) -> None:
    # given two sessions booked by the practice
    scene = paying_client_scene(client, mailbox)
    first, second = one_booked(client, scene, monday, 4), one_booked(client, scene, monday, 6)
    reference = client.data(READ, {"id": first["id"]},
                            token=scene.owner.token)["node"]["bookingReference"]
    other = client.data(READ, {"id": second["id"]}, token=scene.owner.token)["node"]
    # then each has its own reference of 8 characters without 0, O, 1 or I, kept as issued
    assert FRIENDLY.match(reference) and FRIENDLY.match(other["bookingReference"])
    assert reference != other["bookingReference"]
    again = client.data(READ, {"id": first["id"]}, token=scene.owner.token)["node"]
    assert again["bookingReference"] == reference
    # when the practice and the client attending look it up, typed loosely
    typed = f" {reference[:4].lower()}-{reference[4:]} "
    by_owner = lookup(client, scene.owner.token, typed)
    by_client = lookup(client, scene.client_token, reference)
    # then both find that session
    found = {"id": first["id"], "bookingReference": reference, "startsAt": first["startsAt"]}
    assert by_owner == {"data": {"sessionByBookingReference": found}}
    assert by_client == {"data": {"sessionByBookingReference": found}}


def test_another_practice_or_an_unrelated_client_finds_nothing_as_for_a_made_up_one(
    client: GraphQLClient, mailbox: Mailbox, monday: datetime
) -> None:
    scene = paying_client_scene(client, mailbox)
    session = one_booked(client, scene, monday, 4)
    reference = client.data(READ, {"id": session["id"]},
                            token=scene.owner.token)["node"]["bookingReference"]
    stranger = register_practice(client)
    _, _, unrelated = signed_in_client(client, scene.owner, mailbox)
    assert lookup(client, stranger.token, reference) == not_found()
    assert lookup(client, unrelated, reference) == not_found()
    assert lookup(client, scene.owner.token, "ZZZZZZZZ") == not_found()
    assert lookup(client, scene.owner.token, "O0I1O0I1") == not_found()


GUEST_BOOK = """
mutation Book($input: BookAsGuestInput!) {
  bookAsGuest(input: $input) { booking { reference bookingReference startsAt calendarFile }
                               userErrors { field code message } }
}
"""


def test_a_guest_is_told_the_same_short_reference(
    client: GraphQLClient, mailbox: Mailbox, monday: datetime
) -> None:
    owner = register_practice(client, sessionPrice="80.00")
    key = create_key(client, owner)
    values = guest_input(owner.practitioner_id, monday + timedelta(days=7, hours=4),
                         unique_email("guest"))
    payload = widget_post(client, key, GUEST_BOOK, {"input": values},
                          origin=key.origin).data["bookAsGuest"]
    assert payload["userErrors"] == []
    short = client.data(READ, {"id": session_of(payload["booking"]["reference"])},
                        token=owner.token)["node"]["bookingReference"]
    assert FRIENDLY.match(short) and payload["booking"]["bookingReference"] == short
    assert lookup(client, owner.token, short)["data"]["sessionByBookingReference"]["id"] == (
        session_of(payload["booking"]["reference"]))
    # and the "add to calendar" file is that session's event
    calendar = Calendar.from_ical(payload["booking"]["calendarFile"])
    [event] = calendar.walk("VEVENT")
    session_id = decode_id(session_of(payload["booking"]["reference"]), "Session")
    assert str(event["UID"]) == f"session-{session_id}@caseload"
    assert iso(event.decoded("DTSTART")) == payload["booking"]["startsAt"]
    assert short in str(event["DESCRIPTION"])
