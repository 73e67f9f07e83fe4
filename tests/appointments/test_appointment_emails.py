"""Emails about sessions, through the outbox: booked, moved, cancelled; and none where a
change was refused or the rules say nothing is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.appointments import (
    Scene,
    book,
    booked,
    cancel,
    paying_client_scene,
    relationship_of,
    reschedule,
    take_payment,
)
from tests.support.clients import create_client, create_relationship, end_relationship
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, unique_email
from tests.support.mailbox import Mailbox, Received
from tests.support.server import RunningServer


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


@pytest.fixture
def ten(monday: datetime) -> datetime:
    return monday + timedelta(hours=4)


@pytest.fixture
def booking(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime
) -> dict[str, Any]:
    """A session the practice booked for the scene's client; its confirmations are out."""
    made = booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=ten)
    server.drain()
    return made


def about_appointments(mailbox: Mailbox, address: str,
        template_subject: str = "") -> list[Received]:
    """The session emails an address received (not its invitation and such)."""
    words = ("booked", "New session", "moved", "cancel", "Cancellation")
    return [r for r in mailbox.to(address)
            if any(w in r.subject for w in words) and template_subject in r.subject]


def when(instant: datetime) -> str:
    """A time as the emails show it, in the practitioner's timezone (Europe/London)."""
    shown = instant.astimezone(ZoneInfo("Europe/London"))
    return f"{shown:%A} {shown.day} {shown:%B %Y, %H:%M %Z}"


# ------------------------------------------------------------------ booked


def test_a_booking_is_confirmed_to_the_client_and_the_practitioner(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    mailbox: Mailbox
) -> None:
    # when the client books a session
    payload = book(client, scene.client_token, practitionerId=scene.owner.practitioner_id,
                   startsAt=ten)
    assert payload["userErrors"] == []

    # then they and the practitioner are each sent one confirmation, text and HTML
    # (a long Subject header is folded, and reads back with the fold's leading space)
    server.drain()
    [to_client] = about_appointments(mailbox, scene.client_email)
    assert to_client.subject.strip() == f"Your session with Ada Owner is booked for {when(ten)}"
    assert "When: " + when(ten) + " (50 minutes)" in to_client.text
    assert "Fee: 80.00 GBP" in to_client.text
    assert "48 hours' notice or less" in to_client.text
    assert "<strong>" + when(ten) + "</strong>" in to_client.html
    [to_practitioner] = about_appointments(mailbox, scene.owner.email)
    assert to_practitioner.subject.strip() == f"New session: Casey Signed, {when(ten)}"


def test_the_payer_and_each_attendee_with_an_address_are_told(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    mailbox: Mailbox
) -> None:
    # given a couple, one without an email address, paid for by the scene's client
    email = unique_email("partner")
    ann = create_client(client, scene.owner, "Ann", "Couple", email=email)
    bob = create_client(client, scene.owner, "Bob", "Couple")
    relationship = create_relationship(client, scene.owner, [ann["id"], bob["id"]],
                                       kind="COUPLES", payerId=scene.client_id)

    # when the practice books their session
    booked(client, scene.owner.token, relationshipId=relationship["id"], startsAt=ten)
    server.drain()

    # then Ann and the payer are told, naming both who attend
    [to_ann] = about_appointments(mailbox, email)
    [to_payer] = about_appointments(mailbox, scene.client_email)
    assert "For: Ann Couple, Bob Couple" in to_ann.text
    assert "Hello Ann," in to_ann.text
    assert "Hello Casey," in to_payer.text
    assert "Your session with Ada Owner at Calm Waters Therapy is booked." in to_ann.text
    assert "The session for Ann Couple, Bob Couple with Ada Owner at Calm Waters Therapy is " \
           "booked." in to_payer.text


def test_a_appointment_recorded_after_it_happened_is_not_confirmed(
    client: GraphQLClient, server: RunningServer, scene: Scene, monday: datetime,
    mailbox: Mailbox
) -> None:
    booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
           startsAt=monday - timedelta(days=7))
    server.drain()

    assert about_appointments(mailbox, scene.client_email) == []
    assert about_appointments(mailbox, scene.owner.email) == []


def test_a_refused_booking_sends_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    mailbox: Mailbox
) -> None:
    payload = book(client, scene.client_token, practitionerId=scene.owner.practitioner_id,
                   startsAt=ten + timedelta(hours=12))
    assert [e["code"] for e in payload["userErrors"]] == ["SLOT_UNAVAILABLE"]

    server.drain()
    assert about_appointments(mailbox, scene.client_email) == []


# ------------------------------------------------------------------ moved


def test_a_move_tells_everyone_the_old_and_the_new_time(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, mailbox: Mailbox
) -> None:
    later = ten + timedelta(days=1, hours=1)

    assert reschedule(client, scene.client_token, booking["id"], later)["userErrors"] == []
    server.drain()

    [to_client] = about_appointments(mailbox, scene.client_email, "moved")
    assert to_client.subject.strip() == f"Your session with Ada Owner has moved to {when(later)}"
    assert f"Was: {when(ten)}" in to_client.text
    assert f"Now: {when(later)} (50 minutes)" in to_client.text
    assert f"<s>{when(ten)}</s>" in to_client.html
    [to_practitioner] = about_appointments(mailbox, scene.owner.email, "moved")
    assert to_practitioner.subject.strip() == f"Session moved: Casey Signed, now {when(later)}"


def test_a_refused_move_sends_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, mailbox: Mailbox, clock: TestClock
) -> None:
    clock.set(ten - timedelta(hours=47))

    payload = reschedule(client, scene.client_token, booking["id"], ten + timedelta(days=1))

    assert [e["code"] for e in payload["userErrors"]] == ["LATE_CHANGE"]
    server.drain()
    assert about_appointments(mailbox, scene.client_email, "moved") == []
    assert about_appointments(mailbox, scene.owner.email, "moved") == []


# ------------------------------------------------------------------ cancelled


def test_a_cancellation_in_time_says_nothing_is_owed(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, mailbox: Mailbox
) -> None:
    cancel(client, scene.client_token, booking["id"], reason="Away that week")
    server.drain()

    [to_client] = about_appointments(mailbox, scene.client_email, "cancelled")
    assert to_client.subject.strip() == f"Session cancelled: Ada Owner, {when(ten)}"
    assert "Nothing is owed for it." in to_client.text
    assert "Nothing is owed for it." in to_client.html
    [to_practitioner] = about_appointments(mailbox, scene.owner.email, "cancelled")
    assert to_practitioner.text.splitlines()[:3] == [
        "Hello Ada Owner,", "", f"Casey Signed cancelled the session on {when(ten)}."]
    assert "Reason given: Away that week" in to_practitioner.text


def test_a_late_cancellation_says_the_fee_stands(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, mailbox: Mailbox, clock: TestClock
) -> None:
    clock.set(ten - timedelta(hours=48))

    cancel(client, scene.client_token, booking["id"])
    server.drain()

    [to_client] = about_appointments(mailbox, scene.client_email, "Late cancellation")
    assert to_client.subject.strip() == f"Late cancellation: Ada Owner, {when(ten)}"
    assert "so the fee of 80.00 GBP stands" in to_client.text
    assert "the fee of 80.00 GBP stands</strong>" in to_client.html
    [to_practitioner] = about_appointments(mailbox, scene.owner.email, "Late cancellation")
    assert "so the fee of 80.00 GBP stands" in to_practitioner.text


def test_the_practice_cancelling_a_paid_appointment_says_it_is_refunded(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, mailbox: Mailbox, clock: TestClock
) -> None:
    clock.set(ten - timedelta(hours=30))
    take_payment(server, booking["id"])

    cancel(client, scene.owner.token, booking["id"])
    server.drain()

    [to_client] = about_appointments(mailbox, scene.client_email, "cancelled")
    assert f"Calm Waters Therapy has cancelled your session with Ada Owner on " \
           f"{when(ten)}." in to_client.text
    assert "the 80.00 GBP already paid is being refunded" in to_client.text
    assert "stands" not in to_client.text


def test_a_refused_cancellation_sends_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    mailbox: Mailbox
) -> None:
    cancel(client, scene.client_token, booking["id"])
    server.drain()
    before = len(mailbox.to(scene.client_email)), len(mailbox.to(scene.owner.email))

    again = cancel(client, scene.client_token, booking["id"])

    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]
    server.drain()
    assert (len(mailbox.to(scene.client_email)), len(mailbox.to(scene.owner.email))) == before


def test_ending_a_relationship_with_its_appointments_sends_the_client_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    mailbox: Mailbox
) -> None:
    before = len(mailbox.to(scene.client_email))

    payload = end_relationship(client, scene.owner, booking["relationship"]["id"],
                               cancelUpcomingSessions=True)

    assert payload["userErrors"] == []
    server.drain()
    assert len(mailbox.to(scene.client_email)) == before
