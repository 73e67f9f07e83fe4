"""bookAsGuest through a publishable key: for yourself (FIRST_PARTY) or for someone else
(THIRD_PARTY, the booker pays); clients matched by email, never duplicated, never revealed;
the rules of bookSession (availability, payment method, no double booking, idempotency)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.appointments import iso, local_hhmm, reserve_slot
from tests.support.clients import create_client, create_relationship
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff, register_practice, unique_email
from tests.support.group_sessions import payer
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer
from tests.support.widgets import (
    ATTENDEE,
    PUBLIC_AVAILABILITY,
    PUBLIC_PRACTICE,
    WidgetKey,
    book_as_guest,
    create_key,
    guest_input,
    practice_clients,
    public_id,
    sandbox_counts,
    session_of,
    widget_post,
)

NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"


@pytest.fixture
def practice(client: GraphQLClient) -> Staff:
    return register_practice(client, sessionPrice="80.00")


@pytest.fixture
def key(client: GraphQLClient, practice: Staff) -> WidgetKey:
    return create_key(client, practice)


def test_a_guest_books_for_themselves_which_opens_a_first_party_relationship(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    mailbox: Mailbox, server: RunningServer,
) -> None:
    email = unique_email("maya")
    starts = monday + timedelta(hours=4)

    # when a guest books for themselves through the widget
    payload = book_as_guest(client, key, guest_input(practice.practitioner_id, starts, email))

    # then the answer tells the session as booked
    assert payload["userErrors"] == []
    booking = payload["booking"]
    assert booking["party"] == "FIRST_PARTY"
    assert booking["startsAt"] == iso(starts)
    assert booking["endsAt"] == iso(starts + timedelta(minutes=50))
    assert booking["price"] == {"amount": "80.00", "currency": "GBP"}
    assert booking["practitioner"]["id"] == public_id(practice.practitioner_id)

    # and the practice has a new client who pays for and attends it, card on file
    [maya] = practice_clients(client, practice)
    assert (maya["firstName"], maya["lastName"], maya["email"], maya["phone"]) == (
        "Maya", "Booker", email, "+447911123456")
    assert maya["paymentMethod"] == {"brand": "visa", "last4": "4242"}
    [relationship] = maya["relationships"]
    assert (relationship["kind"], relationship["party"], relationship["status"]) == (
        "INDIVIDUAL", "FIRST_PARTY", "ACTIVE")
    [appointment] = [e["node"] for e in relationship["sessions"]["edges"]]
    assert appointment["id"] == session_of(booking["reference"])
    assert appointment["bookedBy"] == {"id": maya["id"]}
    assert appointment["payer"] == {"id": maya["id"]}
    assert appointment["attendees"] == [{"id": maya["id"]}]

    # and the booker gets the confirmation and an invitation to the client dashboard
    server.drain()
    subjects = sorted(r.subject.strip() for r in mailbox.wait_for(email, count=2))
    assert subjects == [
        "Calm Waters Therapy invites you to your client dashboard",
        f"Your session with Ada Owner is booked for {_london(starts)}",
    ]


def test_a_guest_books_for_someone_else_and_pays_which_opens_a_third_party_relationship(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    mailbox: Mailbox, server: RunningServer,
) -> None:
    booker_email, attendee_email = unique_email("parent"), unique_email("leo")
    starts = monday + timedelta(hours=5)

    # when a guest books for someone else, giving the attendee's details
    payload = book_as_guest(client, key, guest_input(
        practice.practitioner_id, starts, booker_email,
        attendee={**ATTENDEE, "email": attendee_email}))

    # then a THIRD_PARTY relationship: the attendee attends, the booker pays
    assert payload["userErrors"] == []
    assert payload["booking"]["party"] == "THIRD_PARTY"
    clients = {c["email"]: c for c in practice_clients(client, practice)}
    assert set(clients) == {booker_email, attendee_email}
    booker, attendee = clients[booker_email], clients[attendee_email]
    assert booker["paymentMethod"] == {"brand": "visa", "last4": "4242"}
    assert attendee["paymentMethod"] is None
    [relationship] = attendee["relationships"]
    assert relationship["party"] == "THIRD_PARTY"
    assert relationship["payer"] == {"id": booker["id"], "email": booker_email}
    assert relationship["clients"] == [{"id": attendee["id"], "email": attendee_email}]
    [appointment] = [e["node"] for e in relationship["sessions"]["edges"]]
    assert appointment["payer"] == {"id": booker["id"]}
    assert appointment["attendees"] == [{"id": attendee["id"]}]
    assert appointment["bookedBy"] == {"id": booker["id"]}

    # and the booker gets the confirmation and the invitation; the attendee a copy
    server.drain()
    booker_mail = sorted(r.subject.strip() for r in mailbox.wait_for(booker_email, count=2))
    assert booker_mail == [
        "Calm Waters Therapy invites you to your client dashboard",
        f"The session for Leo Attendee with Ada Owner is booked for {_london(starts)}",
    ]
    [copy] = mailbox.wait_for(attendee_email)
    assert copy.subject.strip() == f"Your session with Ada Owner is booked for {_london(starts)}"
    assert len(mailbox.to(booker_email)) == 2


def test_an_attendee_without_an_email_is_booked_and_gets_no_email(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    payload = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=4), unique_email("parent"),
        attendee=ATTENDEE))
    assert payload["userErrors"] == []
    assert payload["booking"]["party"] == "THIRD_PARTY"
    names = sorted((c["firstName"], c["email"] is None) for c in practice_clients(client, practice))
    assert names == [("Leo", True), ("Maya", False)]


def test_existing_clients_are_matched_by_email_never_duplicated_nor_revealed(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    # given clients on file (the booker with other details, the attendee already known)
    booker_email, attendee_email = unique_email("known"), unique_email("kid")
    on_file = create_client(client, practice, "Kept", "Onfile", email=booker_email,
                            phone="+44 20 7946 0958")
    kid = create_client(client, practice, "Kid", "Onfile", email=attendee_email.upper())
    # and a fresh guest's answer, to compare with
    fresh = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=4), unique_email("fresh"),
        attendee={**ATTENDEE, "email": unique_email("freshkid")}))

    # when a guest books with those emails (typed differently) and other names
    payload = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=6), booker_email.upper(),
        attendee={**ATTENDEE, "email": attendee_email}))

    # then the answer has the same shape as for new people and names nobody on file
    assert payload["userErrors"] == []
    assert _shape(payload) == _shape(fresh)
    assert "Kept" not in str(payload) and "Onfile" not in str(payload)
    assert "7946" not in str(payload)

    # and the clients on file are used as they are, not duplicated nor changed
    matching = [c for c in practice_clients(client, practice)
                if c["email"] in (booker_email, attendee_email)]
    assert sorted((c["id"], c["firstName"], c["phone"]) for c in matching) == sorted([
        (on_file["id"], "Kept", "+442079460958"), (kid["id"], "Kid", None)])
    known = next(c for c in matching if c["id"] == kid["id"])
    [relationship] = known["relationships"]
    assert relationship["party"] == "THIRD_PARTY"
    assert relationship["payer"]["id"] == on_file["id"]
    assert len(practice_clients(client, practice)) == 4


def test_a_guest_booking_for_themselves_twice_reuses_their_relationship(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    email = unique_email("again")
    for hours in (4, 6):
        payload = book_as_guest(client, key, guest_input(
            practice.practitioner_id, monday + timedelta(hours=hours), email))
        assert payload["userErrors"] == []
    [guest] = practice_clients(client, practice)
    [relationship] = guest["relationships"]
    assert len(relationship["sessions"]["edges"]) == 2


def test_bad_input_answers_every_problem_and_changes_nothing(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    values = guest_input(practice.practitioner_id, monday + timedelta(hours=4), "not-an-email",
                         attendee={"firstName": "x" * 201, "lastName": "", "email": "bad@"},
                         paymentToken="", durationMinutes=0)
    payload = book_as_guest(client, key, values)
    assert payload["booking"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "booker", "email"], "INVALID"),
        (["input", "attendee", "firstName"], "INVALID"),
        (["input", "attendee", "lastName"], "INVALID"),
        (["input", "attendee", "email"], "INVALID"),
        (["input", "paymentToken"], "INVALID"),
        (["input", "durationMinutes"], "INVALID"),
    ]
    same_person = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=4), "same@example.com",
        attendee={**ATTENDEE, "email": "Same@Example.com"}))
    assert same_person["userErrors"] == [{
        "field": ["input", "attendee", "email"], "code": "INVALID",
        "message": "The attendee's email is the booker's; leave out the attendee to book for "
                   "yourself."}]
    assert practice_clients(client, practice) == []


def test_a_payment_token_the_provider_refuses_books_nothing(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    payload = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=4), unique_email("nocard"),
        paymentToken="4242424242424242"))
    assert payload == {"booking": None, "userErrors": [{
        "field": ["input", "paymentToken"], "code": "INVALID",
        "message": "The payment token is not valid."}]}
    assert practice_clients(client, practice) == []


def test_guests_book_only_free_future_times_inside_working_hours(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    clock: TestClock,
) -> None:
    practitioner = practice.practitioner_id
    refusals = {
        "outside hours": monday + timedelta(hours=18),
        "off the quarter": monday + timedelta(hours=4, minutes=5),
    }
    for when in refusals.values():
        payload = book_as_guest(client, key, guest_input(practitioner, when, unique_email()))
        assert payload["userErrors"] == [{"field": ["input", "startsAt"],
                                          "code": "SLOT_UNAVAILABLE",
                                          "message": "That time is not available."}]
    past = book_as_guest(client, key, guest_input(
        practitioner, clock() - timedelta(hours=1), unique_email()))
    assert past["userErrors"] == [{"field": ["input", "startsAt"], "code": "INVALID",
                                   "message": "Sessions can only be booked in the future."}]
    stranger = register_practice(client)
    elsewhere = book_as_guest(client, key, guest_input(
        stranger.practitioner_id, monday + timedelta(hours=4), unique_email()))
    assert elsewhere["userErrors"] == [{"field": ["input", "practitionerId"],
                                        "code": "NOT_FOUND",
                                        "message": "Practitioner not found."}]
    assert practice_clients(client, practice) == []


def test_a_refused_booking_keeps_no_card_and_nothing_is_charged(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    server: RunningServer,
) -> None:
    # given a guest's booking (paid by the sweep inside the notice window, never now)
    when = monday + timedelta(hours=5)
    first = book_as_guest(client, key, guest_input(practice.practitioner_id, when,
                                                   unique_email("first")))
    assert first["userErrors"] == []
    [booked] = practice_clients(client, practice)
    [appointment] = booked["relationships"][0]["sessions"]["edges"]
    assert appointment["node"]["charge"] is None
    before = sandbox_counts(server)

    # when another guest asks for the same time with a good card
    refused = book_as_guest(client, key, guest_input(practice.practitioner_id, when,
                                                     unique_email("second")))

    # then nothing is booked, the card the provider attached is let go, nothing is charged
    assert refused["userErrors"] == [{"field": ["input", "startsAt"], "code": "SLOT_UNAVAILABLE",
                                      "message": "That time is not available."}]
    assert len(practice_clients(client, practice)) == 1
    assert sandbox_counts(server) == before


def test_reserved_slots_are_closed_to_every_guest_even_the_one_who_holds_it(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    # given a client on file whose relationship keeps Mondays at this time
    when = monday + timedelta(hours=4)
    email = unique_email("regular")
    regular = create_client(client, practice, "Reg", "Ular", email=email)
    relationship = create_relationship(client, practice, [regular["id"]])
    weekday, hhmm = local_hhmm(when)
    assert reserve_slot(client, practice.token, relationship["id"], weekday,
                        hhmm)["userErrors"] == []

    # then the widget does not offer that time
    slots = widget_post(client, key, PUBLIC_AVAILABILITY, {
        "id": practice.practitioner_id, "from": iso(monday),
        "to": iso(monday + timedelta(days=1))}).data["publicAvailability"]
    starts = [s["startsAt"] for s in slots]
    assert iso(when) not in starts and iso(when + timedelta(hours=1)) in starts

    # and no guest may book it, the regular (matched by email) no more than a stranger:
    # the answer says nothing about who is on file
    for booker in (unique_email("stranger"), email):
        payload = book_as_guest(client, key, guest_input(practice.practitioner_id, when,
                                                         booker))
        assert payload["userErrors"] == [{"field": ["input", "startsAt"],
                                          "code": "SLOT_UNAVAILABLE",
                                          "message": "That time is not available."}]
    assert [c["email"] for c in practice_clients(client, practice)] == [email]


def test_concurrent_guests_for_one_slot_make_exactly_one_appointment(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    when = monday + timedelta(hours=5)

    def attempt(index: int) -> list[str]:
        payload = book_as_guest(client, key, guest_input(
            practice.practitioner_id, when, f"racer{index}-{key.id[-6:]}@example.com"))
        return [e["code"] for e in payload["userErrors"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count([]) == 1
    assert outcomes.count(["SLOT_UNAVAILABLE"]) == 7
    booked = [c for c in practice_clients(client, practice) if c["relationships"]]
    appointments = [s for c in booked for r in c["relationships"] for s in r["sessions"]["edges"]]
    assert len(appointments) == 1


def test_a_retry_with_the_same_key_answers_the_first_booking(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    mailbox: Mailbox, server: RunningServer,
) -> None:
    email = unique_email("retry")
    values = guest_input(practice.practitioner_id, monday + timedelta(hours=4), email,
                         idempotencyKey="attempt-1")
    first = book_as_guest(client, key, values)
    second = book_as_guest(client, key, values)
    assert first["userErrors"] == [] and second == first
    changed = book_as_guest(client, key, {**values, "startsAt": iso(monday + timedelta(hours=6))})
    assert changed["userErrors"] == [{
        "field": ["input", "idempotencyKey"], "code": "IDEMPOTENCY_CONFLICT",
        "message": "This idempotencyKey was used for a different request."}]
    [guest] = practice_clients(client, practice)
    assert len(guest["relationships"][0]["sessions"]["edges"]) == 1
    server.drain()
    assert len(mailbox.to(email)) == 2  # one confirmation, one invitation


def test_the_widgets_ids_are_of_their_own_types_and_come_back_in(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
) -> None:
    # given the practitioner as a widget reads them
    public = widget_post(client, key, PUBLIC_PRACTICE, {"slug": key.slug}).data
    [seen] = public["publicPractice"]["practitioners"]
    # then their id is not the staff one, and node(id:) finds nothing by it
    assert seen["id"] == public_id(practice.practitioner_id) != practice.practitioner_id
    assert client.data(NODE, {"id": seen["id"]}, token=practice.token) == {"node": None}

    # when the widget passes it back to list free times and book one
    when = monday + timedelta(hours=4)
    slots = widget_post(client, key, PUBLIC_AVAILABILITY, {
        "id": seen["id"], "from": iso(monday),
        "to": iso(monday + timedelta(days=1))}).data["publicAvailability"]
    payload = book_as_guest(client, key, guest_input(seen["id"], when, unique_email("own")))

    # then both answer as for the staff id
    assert iso(when) in [s["startsAt"] for s in slots]
    assert payload["userErrors"] == []
    assert payload["booking"]["practitioner"]["id"] == seen["id"]
    # and the booking's reference is no Session id: staff find the session by its own id
    reference = payload["booking"]["reference"]
    assert client.data(NODE, {"id": reference}, token=practice.token) == {"node": None}
    session = client.data(NODE, {"id": session_of(reference)}, token=practice.token)["node"]
    assert session == {"__typename": "Session", "id": session_of(reference)}


def _shape(payload: dict[str, object]) -> object:
    """The payload with the values that differ between two bookings left out."""
    booking = dict(payload["booking"])  # type: ignore[call-overload]
    for name in ("reference", "startsAt", "endsAt"):
        booking.pop(name)
    return {**payload, "booking": booking}


def _london(when: datetime) -> str:
    """As session emails show a time: the practitioner's clock."""
    local = when.astimezone(ZoneInfo("Europe/London"))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M %Z}"



def test_a_card_on_file_is_never_replaced_by_a_guest(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    mailbox: Mailbox, server: RunningServer,
) -> None:
    # given a client who signed in and keeps a Mastercard on file
    maya = payer(client, practice, mailbox, card="tok_mastercard")
    attached, charged = sandbox_counts(server)

    # when someone books as a guest with her email and a card of their own
    payload = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=4), maya.email))

    # then the booking is answered as any other, billed to her like her other sessions
    assert payload["userErrors"] == []
    [found] = [c for c in practice_clients(client, practice) if c["email"] == maya.email]
    [relationship] = found["relationships"]
    assert relationship["payer"]["id"] == maya.client_id
    # and her card on file is still hers: the guest's card was let go, nothing charged
    assert found["paymentMethod"] == {"brand": "mastercard", "last4": "4444"}
    assert sandbox_counts(server) == (attached, charged)


def test_guests_book_only_beyond_the_notice_window(
    client: GraphQLClient, practice: Staff, key: WidgetKey, monday: datetime,
    clock: TestClock,
) -> None:
    # given it is 40 hours before Monday 06:00 UTC (the practice's window is 48 hours)
    clock.set(monday - timedelta(hours=40))
    window_ends = clock() + timedelta(hours=48)

    # then no time inside the window is offered, and booking one is refused
    slots = widget_post(client, key, PUBLIC_AVAILABILITY, {
        "id": practice.practitioner_id, "from": iso(monday),
        "to": iso(monday + timedelta(days=1))}).data["publicAvailability"]
    assert slots and all(s["startsAt"] >= iso(window_ends) for s in slots)
    payload = book_as_guest(client, key, guest_input(
        practice.practitioner_id, monday + timedelta(hours=4), unique_email()))
    assert payload["userErrors"] == [{"field": ["input", "startsAt"], "code": "INVALID",
                                      "message": "Online bookings start at least 48 hours "
                                      "ahead."}]
    assert practice_clients(client, practice) == []
