"""Booking with package credits: no card needed and none charged, the last credit drawn once
(also under concurrent bookings), credits back on a timely cancellation and kept on a late
one, follow-ups drawing the next credit, and a linked owner's package only while they share
it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.appointments import add_card, cancel, submit_update, take_payment
from tests.support.clients import create_client, create_relationship, end_relationship
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.group_sessions import Payer, payer
from tests.support.links import can, linked, unlink
from tests.support.mailbox import Mailbox
from tests.support.packages import book_with, card_charges, packages_of, remaining, sold
from tests.support.server import RunningServer

MY_APPOINTMENTS = "query { myAppointments(first: 50) { totalCount } }"
NO_PACKAGE = {"field": ["input", "packageId"], "code": "NOT_FOUND",
              "message": "Package not found."}
NOT_SHARED = {"field": ["input", "packageId"], "code": "NOT_PERMITTED",
              "message": "This package's owner has not let the session's client use their "
              "package sessions."}


@dataclass
class Couple:
    """A practice charging 80.00 a session; two signed-in partners without cards, Alex
    owning a package of ten sessions."""

    client: GraphQLClient
    owner: Staff
    alex: Payer
    sam: Payer
    package_id: str

    def book(self, who: Payer, starts_at: datetime, package_id: str | None = None,
             **values: str) -> dict[str, Any]:
        """The client books with the practice's owner, paying with the package."""
        return book_with(self.client, who.token, package_id or self.package_id, starts_at,
                         practitionerId=self.owner.practitioner_id, **values)



@pytest.fixture
def couple(client: GraphQLClient, mailbox: Mailbox, monday: datetime) -> Couple:
    owner = register_practice(client, sessionPrice="80.00")
    alex = payer(client, owner, mailbox, card=None)
    sam = payer(client, owner, mailbox, card=None)
    package_id = sold(client, owner, alex.client_id)["id"]
    return Couple(client, owner, alex, sam, package_id)


def appointments_of(client: GraphQLClient, who: Payer) -> int:
    return int(client.data(MY_APPOINTMENTS, token=who.token)["myAppointments"]["totalCount"])


def test_a_client_books_with_their_own_package_without_a_card(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    # when Alex, who has no card, books with their package
    payload = couple.book(couple.alex, monday + timedelta(hours=4))

    # then the session is booked, paid by one credit
    assert payload["userErrors"] == []
    booked = payload["session"]
    assert booked["status"] == "SCHEDULED"
    assert booked["package"] == {"id": couple.package_id, "remainingSessions": 9}
    assert remaining(client, couple.owner, couple.package_id) == 9


def test_a_package_appointment_is_never_charged_to_the_card(
    client: GraphQLClient, couple: Couple, monday: datetime, server: RunningServer
) -> None:
    # given Alex has a card too, and a session paid with a credit
    add_card(client, couple.alex.token)
    booked = couple.book(couple.alex, monday + timedelta(hours=4))["session"]

    # when the session comes inside the notice window and payment is taken
    take_payment(server, booked["id"])

    # then nothing was charged to the card
    assert card_charges(server, couple.alex.client_id) == []
    assert couple.book(couple.alex, monday + timedelta(hours=6))["session"]["charge"] is None


def test_a_package_with_no_credit_left_refuses_and_books_nothing(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    single = sold(client, couple.owner, couple.alex.client_id, name="Taster", sessions=1,
                  price="60.00")["id"]
    assert couple.book(couple.alex, monday + timedelta(hours=4), single)["userErrors"] == []

    payload = couple.book(couple.alex, monday + timedelta(hours=6), single)

    assert payload == {"session": None, "userErrors": [{
        "field": ["input", "packageId"], "code": "NO_PACKAGE_SESSIONS",
        "message": "The package 'Taster' has no sessions left."}]}
    assert appointments_of(client, couple.alex) == 1
    assert remaining(client, couple.owner, single) == 0


def test_concurrent_bookings_never_draw_the_same_last_credit(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    three = sold(client, couple.owner, couple.alex.client_id, name="Three", sessions=3,
                 price="200.00")["id"]
    times = [monday + timedelta(hours=3, minutes=60 * i) for i in range(8)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda when: couple.book(couple.alex, when, three), times))

    codes = sorted(e["code"] for a in answers for e in a["userErrors"])
    assert sum(1 for a in answers if a["session"] is not None) == 3, answers
    assert codes == ["NO_PACKAGE_SESSIONS"] * 5
    assert remaining(client, couple.owner, three) == 0
    assert appointments_of(client, couple.alex) == 3


def test_a_timely_cancellation_gives_the_credit_back(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    booked = couple.book(couple.alex, monday + timedelta(hours=4))["session"]

    payload = cancel(client, couple.alex.token, booked["id"])

    assert (payload["session"]["status"], payload["lateCancellation"]) == ("CANCELLED", False)
    assert remaining(client, couple.owner, couple.package_id) == 10


def test_a_late_cancellation_keeps_the_credit_used_and_charges_nothing(
    client: GraphQLClient, couple: Couple, monday: datetime, clock: TestClock,
    server: RunningServer,
) -> None:
    add_card(client, couple.alex.token)
    booked = couple.book(couple.alex, monday + timedelta(hours=4))["session"]
    clock.set(monday - timedelta(hours=20))

    payload = cancel(client, couple.alex.token, booked["id"])

    assert (payload["session"]["status"], payload["lateCancellation"]) == (
        "LATE_CANCELLED", True)
    assert remaining(client, couple.owner, couple.package_id) == 9
    assert card_charges(server, couple.alex.client_id) == []


def test_the_practice_cancelling_late_still_gives_the_credit_back(
    client: GraphQLClient, couple: Couple, monday: datetime, clock: TestClock
) -> None:
    booked = couple.book(couple.alex, monday + timedelta(hours=4))["session"]
    clock.set(monday - timedelta(hours=2))

    payload = cancel(client, couple.owner.token, booked["id"])

    assert payload["session"]["status"] == "CANCELLED"
    assert remaining(client, couple.owner, couple.package_id) == 10


def test_a_follow_up_of_a_package_appointment_draws_the_next_credit(
    client: GraphQLClient, couple: Couple, monday: datetime, clock: TestClock
) -> None:
    # given the practice booked Alex's session with the package (Alex has no card)
    relationship = create_relationship(client, couple.owner, [couple.alex.client_id])["id"]
    booked = book_with(client, couple.owner.token, couple.package_id,
                       monday + timedelta(hours=4), relationshipId=relationship)["session"]
    assert booked["package"]["remainingSessions"] == 9
    clock.set(monday + timedelta(hours=5))

    # when the practitioner records attendance and the same weekly slot
    payload = submit_update(client, couple.owner.token, booked["id"])

    # then the follow-up is paid with the next credit, no card needed
    assert payload["userErrors"] == []
    assert remaining(client, couple.owner, couple.package_id) == 8


# ------------------------------------------------------------------ linked clients


def test_a_partner_uses_the_owners_package_only_while_the_owner_shares_it(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    # given the partners are linked without package sharing
    link = linked(client, couple.owner, couple.alex.client_id, couple.sam.client_id,
                  "PARTNER")

    # then Sam cannot use (or even see) Alex's package
    refused = couple.book(couple.sam, monday + timedelta(hours=4))
    assert refused == {"session": None, "userErrors": [NO_PACKAGE]}

    # when Alex lets Sam use package sessions
    unlink(client, couple.owner, link["id"])
    link = linked(client, couple.owner, couple.alex.client_id, couple.sam.client_id,
                  "PARTNER", linked_client_can=can("usePackageSessions"))

    # then Sam books their own session with one of Alex's credits
    payload = couple.book(couple.sam, monday + timedelta(hours=4))
    assert payload["userErrors"] == []
    assert payload["session"]["attendees"] == [{"id": couple.sam.client_id}]
    assert payload["session"]["package"] == {"id": couple.package_id, "remainingSessions": 9}
    assert remaining(client, couple.owner, couple.package_id) == 9

    # and once unlinked, no more
    unlink(client, couple.owner, link["id"])
    again = couple.book(couple.sam, monday + timedelta(hours=6))
    assert again == {"session": None, "userErrors": [NO_PACKAGE]}
    assert packages_of(client, couple.sam.token, couple.sam.client_id)[  # type: ignore[index]
        "usablePackages"] == []
    assert remaining(client, couple.owner, couple.package_id) == 9
    assert appointments_of(client, couple.sam) == 1


def test_a_parent_books_for_the_child_with_the_parents_package_once_shared(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    # given Sam (the child) lets Alex (the parent) book for them, but Alex shares no package
    parent, child = couple.alex, couple.sam
    link = linked(client, couple.owner, child.client_id, parent.client_id, "PARENT",
                  linked_client_can=can("bookAndManageAppointments"))

    # then the parent's package cannot pay for the child's session
    refused = couple.book(parent, monday + timedelta(hours=4), forClientId=child.client_id)
    assert refused == {"session": None, "userErrors": [NOT_SHARED]}
    assert remaining(client, couple.owner, couple.package_id) == 10

    # when the parent also lets the child use their package sessions
    unlink(client, couple.owner, link["id"])
    linked(client, couple.owner, child.client_id, parent.client_id, "PARENT",
           linked_client_can=can("bookAndManageAppointments"),
           client_can=can("usePackageSessions"))

    # then the parent books the child's session with a credit
    payload = couple.book(parent, monday + timedelta(hours=4), forClientId=child.client_id)
    assert payload["userErrors"] == []
    assert payload["session"]["attendees"] == [{"id": child.client_id}]
    assert payload["session"]["bookedBy"] == {"id": parent.client_id}
    assert remaining(client, couple.owner, couple.package_id) == 9


def test_the_practice_may_not_pay_with_a_package_its_owner_does_not_share(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    relationship = create_relationship(client, couple.owner, [couple.sam.client_id])["id"]
    payload = book_with(client, couple.owner.token, couple.package_id,
                        monday + timedelta(hours=4), relationshipId=relationship)
    assert payload == {"session": None, "userErrors": [NOT_SHARED]}
    # and another practice cannot reach it at all
    elsewhere = register_practice(client, sessionPrice="80.00")
    theirs = create_client(client, elsewhere)["id"]
    their_relationship = create_relationship(client, elsewhere, [theirs])["id"]
    payload = book_with(client, elsewhere.token, couple.package_id,
                        monday + timedelta(hours=4), relationshipId=their_relationship)
    assert payload == {"session": None, "userErrors": [NO_PACKAGE]}
    assert remaining(client, couple.owner, couple.package_id) == 10


# ------------------------------------------------------------------ emails


def test_the_emails_of_a_package_appointment_speak_of_the_package_not_the_card(
    client: GraphQLClient, couple: Couple, monday: datetime, clock: TestClock,
    server: RunningServer, mailbox: Mailbox,
) -> None:
    # given Alex booked with the package
    heard = len(mailbox.to(couple.alex.email))
    booked = couple.book(couple.alex, monday + timedelta(hours=4))["session"]
    server.drain()

    # then the confirmation says a package session pays for it, and no card is mentioned
    confirmation = mailbox.wait_for(couple.alex.email, count=heard + 1)[-1]
    assert "paid with a session from a package" in confirmation.text
    assert "card" not in confirmation.text
    assert "card" not in confirmation.html

    # when Alex cancels late
    clock.set(monday - timedelta(hours=20))
    cancel(client, couple.alex.token, booked["id"])
    server.drain()

    # then the email says the package session stays used, and nothing of a card
    cancelled = mailbox.wait_for(couple.alex.email, count=heard + 2)[-1]
    assert "the package session it was booked with stays used" in cancelled.text
    assert "card" not in cancelled.text and "fee of" not in cancelled.text


def test_ending_a_relationship_cancels_its_package_appointments_and_gives_the_credits_back(
    client: GraphQLClient, couple: Couple, monday: datetime
) -> None:
    relationship = create_relationship(client, couple.owner, [couple.alex.client_id])["id"]
    for hours in (4, 6):
        book_with(client, couple.owner.token, couple.package_id, monday + timedelta(hours=hours),
                  relationshipId=relationship)
    assert remaining(client, couple.owner, couple.package_id) == 8

    ended = end_relationship(client, couple.owner, relationship, cancelUpcomingSessions=True)

    assert ended["userErrors"] == []
    assert remaining(client, couple.owner, couple.package_id) == 10
