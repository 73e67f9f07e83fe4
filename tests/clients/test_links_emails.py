"""Receive notification copies: a linked client given the permission gets the confirmation,
changed, reminder and cancellation emails of the other's sessions, and invoices suggest their
address; without the permission, or once unlinked, nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.appointments import (
    Scene,
    booked,
    cancel,
    paying_client_scene,
    relationship_of,
    reschedule,
)
from tests.support.clients import create_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, unique_email
from tests.support.group_sessions import (
    JUNE_1,
    SEND,
    Studio,
    enrolled,
    payer,
    studio,
)
from tests.support.jobs import sweep
from tests.support.links import UPDATE_LINK, can, linked, unlink
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

COPIES = can("receiveNotificationCopies")
SUGGESTED = "query($id: ID!) { node(id: $id) { ... on Invoice { suggestedRecipients } } }"



@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


def partner_of(client: GraphQLClient, scene: Scene) -> tuple[str, str]:
    """Another client of the practice, with an address: (id, email)."""
    email = unique_email("partner")
    return create_client(client, scene.owner, "Jo", "Partner", email=email)["id"], email


def when(instant: datetime) -> str:
    """A time as the emails show it, in the practitioner's timezone (Europe/London)."""
    shown = instant.astimezone(ZoneInfo("Europe/London"))
    return f"{shown:%A} {shown.day} {shown:%B %Y, %H:%M %Z}"


def appointment_emails(mailbox: Mailbox, address: str) -> list[str]:
    return [m.subject.strip() for m in mailbox.to(address)]


def book_one(
    client: GraphQLClient, scene: Scene, starts_at: datetime, assign: list[str]
) -> dict[str, Any]:
    """The client's session, booked by the practice with `assign` assigned to it."""
    return booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=starts_at, assignLinkedClientIds=assign)


def test_a_linked_client_with_the_permission_gets_copies_of_each_appointment_email(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, scene: Scene,
    monday: datetime,
) -> None:
    # given the client lets their partner receive copies
    partner, email = partner_of(client, scene)
    linked(client, scene.owner, scene.client_id, partner, "PARTNER", linked_client_can=COPIES)

    # when a session of the client's is booked, moved and cancelled
    made = book_one(client, scene, monday + timedelta(hours=4), [partner])
    server.drain()
    assert reschedule(client, scene.owner.token, made["id"],
                      monday + timedelta(days=1, hours=4))["userErrors"] == []
    server.drain()
    assert cancel(client, scene.owner.token, made["id"])["userErrors"] == []
    server.drain()

    # then the partner got a copy of each, as the client did, naming whom it is for
    first, then = when(monday + timedelta(hours=4)), when(monday + timedelta(days=1, hours=4))
    assert appointment_emails(mailbox, email) == [
        f"The session for Casey Signed with Ada Owner is booked for {first}",
        f"The session for Casey Signed with Ada Owner has moved to {then}",
        f"Session cancelled: Ada Owner, {then}",
    ]
    assert all("Jo" in m.text for m in mailbox.to(email))


def test_the_reminder_goes_to_the_copy_too(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, scene: Scene,
    monday: datetime, clock: TestClock,
) -> None:
    partner, email = partner_of(client, scene)
    linked(client, scene.owner, scene.client_id, partner, "PARTNER", linked_client_can=COPIES)
    ten = monday + timedelta(hours=4)
    book_one(client, scene, ten, [partner])
    server.drain()
    before = len(mailbox.to(email))

    # when the sweep runs a day before the session
    clock.set(ten - timedelta(hours=24))
    sweep(server)

    # then the partner got one reminder of the session for the client
    reminders = [m for m in mailbox.to(email)[before:] if "Reminder: " in m.subject]
    assert len(reminders) == 1
    assert reminders[0].subject.strip().startswith("Reminder: the session for Casey Signed")


@pytest.mark.parametrize("permissions", [
    # every other permission from the client, and the copies the wrong way round
    {"linked_client_can": can("bookAndManageAppointments", "completeIntakeForms",
                              "usePackageSessions")},
    {"client_can": COPIES},
])
def test_no_copies_without_the_permission(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, scene: Scene,
    monday: datetime, permissions: dict[str, dict[str, bool]],
) -> None:
    partner, email = partner_of(client, scene)
    linked(client, scene.owner, scene.client_id, partner, "PARTNER", **permissions)
    made = book_one(client, scene, monday + timedelta(hours=4), [partner])
    assert cancel(client, scene.owner.token, made["id"])["userErrors"] == []
    server.drain()
    assert mailbox.to(email) == []


def test_unlinking_stops_the_copies(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, scene: Scene,
    monday: datetime,
) -> None:
    # given a copy of the confirmation went to the partner
    partner, email = partner_of(client, scene)
    link = linked(client, scene.owner, scene.client_id, partner, "PARTNER",
                  linked_client_can=COPIES)
    made = book_one(client, scene, monday + timedelta(hours=4), [partner])
    server.drain()
    assert len(mailbox.to(email)) == 1

    # when the practice unlinks them and the session is moved and cancelled
    assert unlink(client, scene.owner, link["id"])["userErrors"] == []
    assert reschedule(client, scene.owner.token, made["id"],
                      monday + timedelta(days=1, hours=4))["userErrors"] == []
    assert cancel(client, scene.owner.token, made["id"])["userErrors"] == []
    server.drain()

    # then the partner hears nothing more
    assert len(mailbox.to(email)) == 1


@pytest.fixture
def place(client: GraphQLClient, clock: TestClock) -> Studio:
    clock.set(JUNE_1)
    return studio(client)


def test_invoices_suggest_the_copies_until_unlinked(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, place: Studio,
) -> None:
    # given a payer who lets their partner receive copies, and an open invoice of theirs
    maya = payer(client, place.owner, mailbox)
    partner_email = unique_email("partner")
    partner = create_client(client, place.owner, "Jo", "Partner", email=partner_email)["id"]
    other = create_client(client, place.owner, "No", "Copies", email=unique_email("other"))["id"]
    link = linked(client, place.owner, partner, maya.client_id, "PARTNER", client_can=COPIES)
    linked(client, place.owner, maya.client_id, other, "SIBLING",
           linked_client_can=can("bookAndManageAppointments"), client_can=COPIES)
    invoice = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-15", checkout="PAY_LATER")["invoice"]

    # then it suggests the payer, then the partner
    def suggested() -> list[str]:
        return client.data(SUGGESTED, {"id": invoice["id"]},  # type: ignore[no-any-return]
                           token=place.owner.token)["node"]["suggestedRecipients"]

    assert suggested() == [maya.email, partner_email]
    # and sending it by default goes to both
    sent = client.data(SEND, {"input": {"invoiceId": invoice["id"]}}, token=place.owner.token)
    assert sent["sendInvoice"]["userErrors"] == []
    assert len(mailbox.wait_for(partner_email, count=1)) == 1

    # when the partner's permission is taken away, and then the link
    values = {"linkId": link["id"], "clientCan": can("usePackageSessions")}
    update = client.data(UPDATE_LINK, {"input": values}, token=place.owner.token)
    assert update["updateClientLink"]["userErrors"] == []
    assert suggested() == [maya.email]
    values = {"linkId": link["id"], "clientCan": COPIES}
    update = client.data(UPDATE_LINK, {"input": values}, token=place.owner.token)
    assert suggested() == [maya.email, partner_email]
    assert unlink(client, place.owner, link["id"])["userErrors"] == []

    # then it suggests the payer alone, and sending reaches the partner no more
    assert suggested() == [maya.email]
    sent = client.data(SEND, {"input": {"invoiceId": invoice["id"]}}, token=place.owner.token)
    assert sent["sendInvoice"]["userErrors"] == []
    server.drain()
    assert len(mailbox.to(partner_email)) == 1


def test_a_linked_client_not_assigned_to_a_session_gets_no_copy_of_it(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, scene: Scene,
    monday: datetime,
) -> None:
    # given the client lets their partner receive copies
    partner, email = partner_of(client, scene)
    linked(client, scene.owner, scene.client_id, partner, "PARTNER", linked_client_can=COPIES)

    # when the practice books two sessions, assigning the partner to the second only
    unassigned = book_one(client, scene, monday + timedelta(hours=4), [])
    book_one(client, scene, monday + timedelta(days=1, hours=4), [partner])
    assert cancel(client, scene.owner.token, unassigned["id"])["userErrors"] == []
    server.drain()

    # then the partner heard of the second only, and nothing of the first's cancellation
    second = when(monday + timedelta(days=1, hours=4))
    assert appointment_emails(mailbox, email) == [
        f"The session for Casey Signed with Ada Owner is booked for {second}"]
