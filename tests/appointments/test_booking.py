"""bookSession and availability: practice side, client side, money, and no double booking."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from tests.support.appointments import (
    AVAILABILITY,
    Scene,
    book,
    iso,
    paying_client_scene,
    relationship_of,
)
from tests.support.clients import create_client, create_relationship
from tests.support.graphql import GraphQLClient
from tests.support.mailbox import Mailbox


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


def test_the_practice_books_inside_a_relationship_at_its_price(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    relationship_id = relationship_of(client, scene)
    payload = book(client, scene.owner.token, relationshipId=relationship_id,
                   startsAt=monday + timedelta(hours=4))
    assert payload["userErrors"] == []
    appointment = payload["session"]
    assert appointment["status"] == "SCHEDULED"
    assert appointment["startsAt"] == iso(monday + timedelta(hours=4))
    assert appointment["endsAt"] == iso(monday + timedelta(hours=4, minutes=50))
    assert appointment["price"] == {"amount": "80.00", "currency": "GBP"}
    assert appointment["payer"]["id"] == scene.client_id
    assert appointment["attendees"] == [{"id": scene.client_id}]
    assert appointment["bookedBy"] is None
    assert appointment["charge"] is None


def test_the_practice_may_record_a_appointment_in_the_past(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    relationship_id = relationship_of(client, scene)
    past = monday - timedelta(days=7) + timedelta(hours=20)  # a Monday evening, off hours
    payload = book(client, scene.owner.token, relationshipId=relationship_id, startsAt=past)
    assert payload["userErrors"] == []


def test_a_client_books_their_own_first_appointment_which_opens_a_relationship(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    payload = book(client, scene.client_token, practitionerId=scene.owner.practitioner_id,
                   startsAt=monday + timedelta(hours=4))
    assert payload["userErrors"] == []
    appointment = payload["session"]
    assert appointment["bookedBy"] == {"id": scene.client_id}
    assert appointment["relationship"]["status"] == "ACTIVE"
    assert appointment["relationship"]["party"] == "FIRST_PARTY"


def test_a_client_books_only_inside_availability_and_only_the_future(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    practitioner = scene.owner.practitioner_id
    outside_hours = book(client, scene.client_token, practitionerId=practitioner,
                         startsAt=monday + timedelta(hours=17))
    off_quarter = book(client, scene.client_token, practitionerId=practitioner,
                       startsAt=monday + timedelta(hours=4, minutes=5))
    past = book(client, scene.client_token, practitionerId=practitioner,
                startsAt=monday - timedelta(days=7, hours=-4))
    assert [e["code"] for e in outside_hours["userErrors"]] == ["SLOT_UNAVAILABLE"]
    assert [e["code"] for e in off_quarter["userErrors"]] == ["SLOT_UNAVAILABLE"]
    assert past["userErrors"] == [{"field": ["input", "startsAt"], "code": "INVALID",
                                   "message": "Sessions can only be booked in the future."}]


def test_booking_needs_a_card_on_file(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    cardless = create_client(client, scene.owner, "No", "Card")
    relationship = create_relationship(client, scene.owner, [cardless["id"]])
    payload = book(client, scene.owner.token, relationshipId=relationship["id"],
                   startsAt=monday + timedelta(hours=4))
    assert payload == {"session": None, "userErrors": [{
        "field": None, "code": "NO_PAYMENT_METHOD",
        "message": "The payer has no card on file; they need to add one before a session "
                   "is booked."}]}


def test_availability_leaves_out_booked_times(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    relationship_id = relationship_of(client, scene)
    book(client, scene.owner.token, relationshipId=relationship_id,
         startsAt=monday + timedelta(hours=4))
    day = {"practitionerId": scene.owner.practitioner_id, "from": iso(monday),
           "to": iso(monday + timedelta(days=1))}
    slots = client.data(AVAILABILITY, day, token=scene.client_token)["availability"]
    starts = [s["startsAt"] for s in slots]
    assert iso(monday + timedelta(hours=3)) in starts  # 09:00 London, free
    assert iso(monday + timedelta(hours=4)) not in starts  # the booked 10:00
    assert iso(monday + timedelta(hours=3, minutes=15)) not in starts  # would run into it
    assert iso(monday + timedelta(hours=4, minutes=45)) not in starts  # 10:45 still inside
    assert iso(monday + timedelta(hours=5)) in starts  # 11:00, after 10:50 on the quarter


def test_twenty_concurrent_bookings_of_one_slot_make_exactly_one_appointment(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    relationship_id = relationship_of(client, scene)
    when = monday + timedelta(hours=5)

    def attempt(_: int) -> list[str]:
        payload = book(client, scene.owner.token, relationshipId=relationship_id,
                       startsAt=when)
        return [e["code"] for e in payload["userErrors"]]

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert outcomes.count([]) == 1
    assert outcomes.count(["SLOT_UNAVAILABLE"]) == 19


def test_a_retry_with_the_same_key_answers_the_first_booking(
    client: GraphQLClient, scene: Scene, monday: datetime
) -> None:
    relationship_id = relationship_of(client, scene)
    values = {"relationshipId": relationship_id, "startsAt": monday + timedelta(hours=6),
              "idempotencyKey": "booking-123"}
    first = book(client, scene.owner.token, **values)
    again = book(client, scene.owner.token, **values)
    assert again["userErrors"] == []
    assert again["session"]["id"] == first["session"]["id"]
    other = book(client, scene.owner.token, **{**values, "startsAt": monday + timedelta(hours=7)})
    assert [(e["field"], e["code"]) for e in other["userErrors"]] == [
        (["input", "idempotencyKey"], "IDEMPOTENCY_CONFLICT")
    ]
