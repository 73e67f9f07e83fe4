"""Every confirmation, change and cancellation email carries the session as an .ics: METHOD
REQUEST (then CANCEL), one UID for the session, SEQUENCE one more with each change; parsed
back with the icalendar library."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar

from tests.support.appointments import (
    booked,
    cancel,
    paying_client_scene,
    relationship_of,
    reschedule,
)
from tests.support.graphql import GraphQLClient
from tests.support.mailbox import Mailbox, Received
from tests.support.server import RunningServer

READ = "query R($id: ID!) { node(id: $id) { ... on Session { bookingReference } } }"


def only_event(received: Received) -> tuple[str, str, Any]:
    [(name, method, calendar)] = received.calendars
    assert isinstance(calendar, Calendar)
    assert str(calendar["METHOD"]) == method
    [event] = calendar.walk("VEVENT")
    return name, method, event


def latest(mailbox: Mailbox, address: str, word: str) -> Received:
    return [r for r in mailbox.to(address) if word in r.subject][-1]


def test_booking_moving_and_cancelling_send_request_request_and_cancel_for_one_event(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, monday: datetime
) -> None:
    # given a session the practice booked for a client
    scene = paying_client_scene(client, mailbox)
    ten = monday + timedelta(hours=4)
    session = booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                     startsAt=ten)
    server.drain()
    reference = client.data(READ, {"id": session["id"]},
                            token=scene.owner.token)["node"]["bookingReference"]
    # then the client's and the practitioner's confirmations each carry an invitation
    name, method, to_client = only_event(latest(mailbox, scene.client_email, "booked"))
    _, own_method, to_owner = only_event(latest(mailbox, scene.owner.email, "New session"))
    assert (name, method, own_method) == ("invitation.ics", "REQUEST", "REQUEST")
    uid = str(to_client["UID"])
    assert str(to_owner["UID"]) == uid
    assert int(to_client["SEQUENCE"]) == 0
    assert to_client.decoded("DTSTART") == ten
    assert to_client.decoded("DTEND") == ten + timedelta(minutes=50)
    assert str(to_client["SUMMARY"]) == "Session with Ada Owner"
    assert str(to_client["STATUS"]) == "CONFIRMED"
    assert reference in str(to_client["DESCRIPTION"])
    # organised by the practitioner at the practice's sending address; the reader attends
    assert str(to_client["ORGANIZER"]) == "mailto:no-reply@caseload.local"
    assert str(to_client["ORGANIZER"].params["CN"]) == "Ada Owner"
    assert str(to_client["ATTENDEE"]) == f"mailto:{scene.client_email}"
    assert str(to_owner["ATTENDEE"]) == f"mailto:{scene.owner.email}"

    # when the practice moves it
    eleven = ten + timedelta(hours=1)
    assert reschedule(client, scene.owner.token, session["id"], eleven)["userErrors"] == []
    server.drain()
    _, method, moved = only_event(latest(mailbox, scene.client_email, "moved"))
    # then the change is a REQUEST for the same event, one sequence on, at the new time
    assert (method, str(moved["UID"]), int(moved["SEQUENCE"])) == ("REQUEST", uid, 1)
    assert moved.decoded("DTSTART") == eleven

    # when it is cancelled
    assert cancel(client, scene.owner.token, session["id"])["userErrors"] == []
    server.drain()
    name, method, gone = only_event(latest(mailbox, scene.client_email, "ancel"))
    _, own_method, own_gone = only_event(latest(mailbox, scene.owner.email, "ancel"))
    # then both are told to remove it: CANCEL, the same UID, the sequence on again
    assert (name, method, own_method) == ("cancellation.ics", "CANCEL", "CANCEL")
    assert (str(gone["UID"]), int(gone["SEQUENCE"]), str(gone["STATUS"])) == (
        uid, 2, "CANCELLED")
    assert (str(own_gone["UID"]), int(own_gone["SEQUENCE"])) == (uid, 2)
