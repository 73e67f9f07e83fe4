"""A guest booking with the email of a client on file is held until that client confirms it
by the single-use, expiring link they are sent: unconfirmed, it is released before the
notice window and nothing is ever charged; confirmed, it is booked and billed as any other.
The guest is answered the same either way."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.appointments import APPOINTMENT, appointment_charges, iso
from tests.support.clients import token_from
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff, register_practice, unique_email
from tests.support.group_sessions import Payer, payer
from tests.support.jobs import sweep
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer
from tests.support.widgets import WidgetKey, book_as_guest, create_key, guest_input, session_of

CONFIRM = """
mutation Confirm($input: ConfirmGuestBookingInput!) {
  confirmGuestBooking(input: $input) {
    booking { reference startsAt }
    userErrors { field code message }
  }
}
"""
HOLD = "query Hold($id: ID!) { node(id: $id) { ... on Session { awaitingConfirmationUntil } } }"
PLEASE_CONFIRM = "Please confirm"
BOOKED = "is booked for"
NEW_APPOINTMENT = "New session:"  # what the practitioner is told
USED_OR_EXPIRED = [{"field": ["input", "token"], "code": "INVALID_TOKEN",
                    "message": "This confirmation link has expired or was used."}]


@pytest.fixture
def practice(client: GraphQLClient) -> Staff:
    return register_practice(client, sessionPrice="80.00")


@pytest.fixture
def key(client: GraphQLClient, practice: Staff) -> WidgetKey:
    return create_key(client, practice)


@pytest.fixture
def maya(client: GraphQLClient, practice: Staff, mailbox: Mailbox) -> Payer:
    """A client on file who signed in and keeps a card."""
    return payer(client, practice, mailbox)


def emails(mailbox: Mailbox, address: str, says: str) -> list[Any]:
    return [m for m in mailbox.to(address) if says in m.subject]


def confirm(client: GraphQLClient, token: str) -> dict[str, Any]:
    return client.data(CONFIRM, {"input": {"token": token}})["confirmGuestBooking"]  # type: ignore[no-any-return]


def awaiting_until(client: GraphQLClient, practice: Staff, reference: str) -> Any:
    node = client.data(HOLD, {"id": session_of(reference)}, token=practice.token)["node"]
    return node["awaitingConfirmationUntil"]


def status_of(client: GraphQLClient, practice: Staff, reference: str) -> tuple[str, Any]:
    appointment = client.data(APPOINTMENT, {"id": session_of(reference)},
                              token=practice.token)["node"]
    return appointment["status"], appointment["charge"]


def test_a_booking_with_an_email_on_file_waits_for_its_owner_then_is_billed_as_any_other(
    client: GraphQLClient, practice: Staff, key: WidgetKey, maya: Payer, monday: datetime,
    mailbox: Mailbox, server: RunningServer, clock: TestClock,
) -> None:
    starts = monday + timedelta(hours=4)

    # when a guest books with Maya's email, and another with a new one
    held = book_as_guest(client, key, guest_input(practice.practitioner_id, starts, maya.email))
    stranger = unique_email("new")
    fresh = book_as_guest(client, key, guest_input(
        practice.practitioner_id, starts + timedelta(hours=1), stranger))
    server.drain()

    # then both guests are answered alike
    assert held["userErrors"] == fresh["userErrors"] == []
    assert ({k: v for k, v in held["booking"].items() if k not in ("reference", "startsAt",
                                                                     "endsAt")}
            == {k: v for k, v in fresh["booking"].items() if k not in ("reference", "startsAt",
                                                                         "endsAt")})
    # and Maya is asked to confirm; nobody is told it is booked, the new guest is
    [ask] = emails(mailbox, maya.email, PLEASE_CONFIRM)
    assert emails(mailbox, maya.email, BOOKED) == []
    assert len(emails(mailbox, stranger, BOOKED)) == 1
    assert emails(mailbox, stranger, PLEASE_CONFIRM) == []
    practitioner_told = len(emails(mailbox, practice.email, NEW_APPOINTMENT))
    assert practitioner_told == 1  # of the new guest's booking only
    reference = held["booking"]["reference"]
    assert awaiting_until(client, practice, reference) == iso(clock() + timedelta(hours=24))

    # when Maya confirms by the link, and the link is used again
    token = token_from(ask.text)
    confirmed = confirm(client, token)
    again = confirm(client, token)
    server.drain()

    # then the session is booked: she and the practitioner are told once; the link is spent
    assert confirmed == {"booking": {"reference": reference, "startsAt": held["booking"][
        "startsAt"]}, "userErrors": []}
    assert again == {"booking": None, "userErrors": USED_OR_EXPIRED}
    assert len(emails(mailbox, maya.email, BOOKED)) == 1
    assert len(emails(mailbox, practice.email, NEW_APPOINTMENT)) == practitioner_told + 1
    assert awaiting_until(client, practice, reference) is None

    # and inside the notice window her card is charged for it, once
    clock.set(starts - timedelta(hours=47))
    sweep(server)
    sweep(server)
    charges = appointment_charges(server, session_of(reference))
    assert [c.status.value for c in charges] == ["SUCCEEDED"]


def test_an_unconfirmed_booking_is_released_before_the_notice_window_and_never_charged(
    client: GraphQLClient, practice: Staff, key: WidgetKey, maya: Payer, monday: datetime,
    mailbox: Mailbox, server: RunningServer, clock: TestClock,
) -> None:
    # given a guest booking with Maya's email that she never confirms
    starts = monday + timedelta(hours=4)
    held = book_as_guest(client, key, guest_input(practice.practitioner_id, starts, maya.email))
    reference = held["booking"]["reference"]
    server.drain()
    [ask] = emails(mailbox, maya.email, PLEASE_CONFIRM)

    # when the sweep runs just before the hold ends, it is kept, unpaid
    clock.advance(timedelta(hours=23, minutes=59))
    sweep(server)
    assert status_of(client, practice, reference) == ("SCHEDULED", None)

    # then once it ends (24 hours on, before the notice window) it is released
    clock.advance(timedelta(minutes=1))
    sweep(server)
    assert status_of(client, practice, reference) == ("CANCELLED", None)

    # and inside the notice window nothing is charged, and the link no longer confirms
    clock.set(starts - timedelta(hours=47))
    sweep(server)
    assert appointment_charges(server, session_of(reference)) == []
    assert confirm(client, token_from(ask.text)) == {"booking": None,
                                                     "userErrors": USED_OR_EXPIRED}
    assert status_of(client, practice, reference) == ("CANCELLED", None)
    assert emails(mailbox, maya.email, BOOKED) == []


def test_a_hold_ends_before_the_notice_window_even_when_the_appointment_is_sooner(
    client: GraphQLClient, practice: Staff, key: WidgetKey, maya: Payer, monday: datetime,
    server: RunningServer, clock: TestClock,
) -> None:
    # given a booking 60 hours ahead with Maya's email (the window opens 48 hours before)
    clock.set(monday - timedelta(hours=56))
    starts = monday + timedelta(hours=4)
    held = book_as_guest(client, key, guest_input(practice.practitioner_id, starts, maya.email))
    reference = held["booking"]["reference"]

    # when the window opens, unconfirmed: 12 hours later, well before 24
    clock.set(starts - timedelta(hours=48))
    sweep(server)

    # then it is released, and the charging step found nothing to charge
    assert status_of(client, practice, reference) == ("CANCELLED", None)
    assert appointment_charges(server, session_of(reference)) == []


def test_a_link_that_is_not_one_confirms_nothing(client: GraphQLClient) -> None:
    assert confirm(client, "not-a-token") == {"booking": None, "userErrors": USED_OR_EXPIRED}
