"""reserveSlot, releaseReservedSlot, the reservedSlots fields, and what a reserved slot does to
availability and booking."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts.practice import Weekday
from domain.appointments.availability import Reservation
from resolvers.appointments.reserved_slots import weekly_overlap
from tests.support.appointments import (
    ADD_CARD,
    AVAILABILITY,
    Scene,
    book,
    iso,
    local_hhmm,
    paying_client_scene,
    practitioner_slots,
    relationship_of,
    relationship_slots,
    release_slot,
    reserve_slot,
)
from tests.support.clients import (
    create_client,
    create_relationship,
    end_relationship,
    error_pairs,
    signed_in_client,
)
from tests.support.graphql import GraphQLClient, add_practitioner, register_practice
from tests.support.mailbox import Mailbox


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


def slot_values(slot: dict) -> tuple[str, str, int]:  # type: ignore[type-arg]
    return slot["weekday"], slot["startTime"], slot["durationMinutes"]


# ------------------------------------------------------------------ reserving and releasing


def test_a_reserved_slot_shows_on_the_relationship_and_the_practitioner(
    client: GraphQLClient, scene: Scene,
) -> None:
    token = scene.owner.token
    relationship_id = relationship_of(client, scene)
    payload = reserve_slot(client, token, relationship_id, "TUESDAY", "14:30",
                           durationMinutes=60)
    assert payload["userErrors"] == []
    slot = payload["reservedSlot"]
    assert slot_values(slot) == ("TUESDAY", "14:30", 60)
    assert slot["relationship"] == {"id": relationship_id}
    assert relationship_slots(client, token, relationship_id) == [slot]
    assert practitioner_slots(client, token, scene.owner.practitioner_id) == [slot]
    # the practice's planning: a client sees none of it
    assert relationship_slots(client, scene.client_token, relationship_id) == []


def test_the_duration_defaults_to_fifty_minutes(client: GraphQLClient, scene: Scene) -> None:
    relationship_id = relationship_of(client, scene)
    slot = reserve_slot(client, scene.owner.token, relationship_id, "MONDAY", "09:15")
    assert slot_values(slot["reservedSlot"]) == ("MONDAY", "09:15", 50)


def test_a_bad_time_or_duration_is_invalid(client: GraphQLClient, scene: Scene) -> None:
    relationship_id = relationship_of(client, scene)
    payload = reserve_slot(client, scene.owner.token, relationship_id, "MONDAY", "25:00",
                           durationMinutes=3)
    assert payload == {"reservedSlot": None, "userErrors": [
        {"field": ["input", "startTime"], "code": "INVALID",
         "message": "'25:00' is not a time of day in HH:MM."},
        {"field": ["input", "durationMinutes"], "code": "INVALID",
         "message": "durationMinutes must be between 5 and 480."},
    ]}
    assert relationship_slots(client, scene.owner.token, relationship_id) == []


def test_another_relationships_slot_may_not_be_overlapped(
    client: GraphQLClient, scene: Scene,
) -> None:
    token = scene.owner.token
    mine = relationship_of(client, scene)
    other = create_client(client, scene.owner, "Other", "Client")
    theirs = create_relationship(client, scene.owner, [other["id"]])["id"]
    assert reserve_slot(client, token, mine, "WEDNESDAY", "10:00")["userErrors"] == []
    clash = reserve_slot(client, token, theirs, "WEDNESDAY", "10:45")
    assert clash == {"reservedSlot": None, "userErrors": [{
        "field": ["input", "startTime"], "code": "SLOT_UNAVAILABLE",
        "message": "That time is not available."}]}
    earlier = reserve_slot(client, token, theirs, "WEDNESDAY", "09:15", durationMinutes=50)
    assert error_pairs(earlier) == [(["input", "startTime"], "SLOT_UNAVAILABLE")]
    # back to back is fine, as is the same time on another day
    assert reserve_slot(client, token, theirs, "WEDNESDAY", "10:50")["userErrors"] == []
    assert reserve_slot(client, token, theirs, "WEDNESDAY", "09:10")["userErrors"] == []
    assert reserve_slot(client, token, theirs, "THURSDAY", "10:00")["userErrors"] == []


def test_a_slot_running_past_midnight_meets_the_next_days_slots(
    client: GraphQLClient, scene: Scene,
) -> None:
    token = scene.owner.token
    mine = relationship_of(client, scene)
    other = create_client(client, scene.owner, "Other", "Client")
    theirs = create_relationship(client, scene.owner, [other["id"]])["id"]
    assert reserve_slot(client, token, mine, "SUNDAY", "23:30", durationMinutes=60)[
        "userErrors"] == []
    clash = reserve_slot(client, token, theirs, "MONDAY", "00:00")
    assert error_pairs(clash) == [(["input", "startTime"], "SLOT_UNAVAILABLE")]


def test_another_practitioners_slots_do_not_clash(client: GraphQLClient, scene: Scene) -> None:
    colleague = add_practitioner(client, scene.owner)
    mine = relationship_of(client, scene)
    theirs = create_relationship(client, scene.owner, [scene.client_id],
                                 practitionerId=colleague.practitioner_id)["id"]
    assert reserve_slot(client, scene.owner.token, mine, "FRIDAY", "10:00")["userErrors"] == []
    assert reserve_slot(client, colleague.token, theirs, "FRIDAY", "10:00")["userErrors"] == []


def test_the_relationships_own_slots_may_overlap_and_an_identical_one_is_not_doubled(
    client: GraphQLClient, scene: Scene,
) -> None:
    token = scene.owner.token
    mine = relationship_of(client, scene)
    first = reserve_slot(client, token, mine, "MONDAY", "10:00")["reservedSlot"]
    again = reserve_slot(client, token, mine, "MONDAY", "10:00")["reservedSlot"]
    assert again == first
    longer = reserve_slot(client, token, mine, "MONDAY", "10:00", durationMinutes=90)
    assert longer["userErrors"] == [] and longer["reservedSlot"]["id"] != first["id"]
    assert len(relationship_slots(client, token, mine)) == 2


def test_a_slot_may_lie_outside_working_hours(client: GraphQLClient, scene: Scene) -> None:
    """Working hours are Monday to Friday 09:00-17:00; an evening or weekend arrangement is
    the practice's to keep."""
    mine = relationship_of(client, scene)
    for weekday, start in (("SATURDAY", "11:00"), ("TUESDAY", "16:30"), ("WEDNESDAY", "19:00")):
        assert reserve_slot(client, scene.owner.token, mine, weekday, start)["userErrors"] == []


def test_an_ended_relationship_gets_no_new_slot(client: GraphQLClient, scene: Scene) -> None:
    mine = relationship_of(client, scene)
    end_relationship(client, scene.owner, mine)
    payload = reserve_slot(client, scene.owner.token, mine, "MONDAY", "10:00")
    assert payload["userErrors"] == [{
        "field": ["input", "relationshipId"], "code": "INVALID_STATE",
        "message": "The relationship is ENDED; only an active one keeps a reserved slot."}]


def test_only_the_relationships_practitioner_or_the_owner_reserves_and_releases(
    client: GraphQLClient, scene: Scene,
) -> None:
    colleague = add_practitioner(client, scene.owner)
    mine = relationship_of(client, scene)
    theirs = create_relationship(client, scene.owner, [scene.client_id],
                                 practitionerId=colleague.practitioner_id)["id"]
    refused = [{"field": None, "code": "NOT_PERMITTED",
                "message": "Only the relationship's practitioner or the owner may do this."}]
    assert reserve_slot(client, colleague.token, mine, "MONDAY", "10:00")["userErrors"] == refused
    by_owner = reserve_slot(client, scene.owner.token, theirs, "MONDAY", "12:00")
    assert by_owner["userErrors"] == []
    owners = reserve_slot(client, scene.owner.token, mine, "MONDAY", "10:00")["reservedSlot"]
    assert release_slot(client, colleague.token, owners["id"])["userErrors"] == refused
    client_refused = [{"field": None, "code": "NOT_PERMITTED",
                       "message": "Only the practice's staff may do this."}]
    assert reserve_slot(client, scene.client_token, mine, "MONDAY", "14:00")[
        "userErrors"] == client_refused
    assert release_slot(client, scene.client_token, owners["id"])["userErrors"] == client_refused
    released = release_slot(client, colleague.token, by_owner["reservedSlot"]["id"])
    assert released == {"releasedReservedSlotId": by_owner["reservedSlot"]["id"],
                        "userErrors": []}


def test_another_practices_relationship_or_slot_is_not_found(
    client: GraphQLClient, scene: Scene,
) -> None:
    stranger = register_practice(client)
    mine = relationship_of(client, scene)
    slot = reserve_slot(client, scene.owner.token, mine, "MONDAY", "10:00")["reservedSlot"]
    assert reserve_slot(client, stranger.token, mine, "MONDAY", "12:00")["userErrors"] == [{
        "field": ["input", "relationshipId"], "code": "NOT_FOUND",
        "message": "Relationship not found."}]
    gone = [{"field": ["input", "reservedSlotId"], "code": "NOT_FOUND",
             "message": "Reserved slot not found."}]
    for token, slot_id in ((stranger.token, slot["id"]), (scene.owner.token, mine),
                           (scene.owner.token, "nonsense")):
        assert release_slot(client, token, slot_id)["userErrors"] == gone
    assert relationship_slots(client, scene.owner.token, mine) == [slot]


def test_a_released_slot_is_gone(client: GraphQLClient, scene: Scene) -> None:
    token = scene.owner.token
    mine = relationship_of(client, scene)
    slot = reserve_slot(client, token, mine, "MONDAY", "10:00")["reservedSlot"]
    assert release_slot(client, token, slot["id"]) == {
        "releasedReservedSlotId": slot["id"], "userErrors": []}
    assert relationship_slots(client, token, mine) == []
    assert practitioner_slots(client, token, scene.owner.practitioner_id) == []
    assert error_pairs(release_slot(client, token, slot["id"])) == [
        (["input", "reservedSlotId"], "NOT_FOUND")]


# ------------------------------------------------------------------ availability and booking


def test_a_reserved_slot_blocks_other_clients_but_not_its_own(
    client: GraphQLClient, scene: Scene, monday: datetime, mailbox: Mailbox,
) -> None:
    """Availability is working hours minus sessions minus other clients' reserved slots."""
    owner = scene.owner
    mine = relationship_of(client, scene)
    other_id, _, other_token = signed_in_client(client, owner, mailbox)
    assert client.data(ADD_CARD, {"input": {"token": "tok_visa"}},
                       token=other_token)["addPaymentMethod"]["userErrors"] == []
    create_relationship(client, owner, [other_id])
    reserved_at = monday + timedelta(hours=4)
    weekday, hhmm = local_hhmm(reserved_at)
    assert reserve_slot(client, owner.token, mine, weekday, hhmm)["userErrors"] == []

    day = {"practitionerId": owner.practitioner_id, "from": iso(monday),
           "to": iso(monday + timedelta(days=1))}
    own_view = [s["startsAt"] for s in client.data(
        AVAILABILITY, day, token=scene.client_token)["availability"]]
    other_view = [s["startsAt"] for s in client.data(
        AVAILABILITY, day, token=other_token)["availability"]]
    staff_view = [s["startsAt"] for s in client.data(
        AVAILABILITY, day, token=owner.token)["availability"]]
    assert iso(reserved_at) in own_view
    for blocked in (reserved_at, reserved_at + timedelta(minutes=45),
                    reserved_at - timedelta(minutes=45)):
        assert iso(blocked) not in other_view
        assert iso(blocked) not in staff_view
    assert iso(reserved_at + timedelta(minutes=50)) not in other_view  # not on a quarter
    assert iso(reserved_at + timedelta(hours=1)) in other_view
    assert iso(reserved_at - timedelta(minutes=60)) in other_view

    theirs = book(client, other_token, practitionerId=owner.practitioner_id,
                  startsAt=reserved_at)
    assert error_pairs(theirs) == [(["input", "startsAt"], "SLOT_UNAVAILABLE")]
    ours = book(client, scene.client_token, practitionerId=owner.practitioner_id,
                startsAt=reserved_at)
    assert ours["userErrors"] == []
    assert ours["session"]["relationship"]["id"] == mine


def test_a_released_slot_opens_the_time_again(
    client: GraphQLClient, scene: Scene, monday: datetime, mailbox: Mailbox,
) -> None:
    owner = scene.owner
    mine = relationship_of(client, scene)
    other_id, _, other_token = signed_in_client(client, owner, mailbox)
    reserved_at = monday + timedelta(hours=5)
    weekday, hhmm = local_hhmm(reserved_at)
    slot = reserve_slot(client, owner.token, mine, weekday, hhmm)["reservedSlot"]
    day = {"practitionerId": owner.practitioner_id, "from": iso(monday),
           "to": iso(monday + timedelta(days=1))}
    before = client.data(AVAILABILITY, day, token=other_token)["availability"]
    release_slot(client, owner.token, slot["id"])
    after = client.data(AVAILABILITY, day, token=other_token)["availability"]
    assert iso(reserved_at) not in [s["startsAt"] for s in before]
    assert iso(reserved_at) in [s["startsAt"] for s in after]
    del other_id


# ------------------------------------------------------------------ weekly overlap, as a function


def weekly(day: int, hour: int, minute: int, minutes: int) -> Reservation:
    return Reservation(uuid.uuid4(), Weekday(day), time(hour, minute), minutes)


def test_weekly_overlap_examples() -> None:
    assert weekly_overlap(weekly(0, 10, 0, 50), weekly(0, 10, 49, 5))
    assert not weekly_overlap(weekly(0, 10, 0, 50), weekly(0, 10, 50, 5))
    assert weekly_overlap(weekly(6, 23, 30, 60), weekly(0, 0, 0, 5))  # Sunday into Monday
    assert not weekly_overlap(weekly(6, 23, 0, 60), weekly(0, 0, 0, 5))
    assert weekly_overlap(weekly(2, 22, 0, 480), weekly(3, 5, 59, 5))


@given(
    st.integers(0, 6), st.integers(0, 23), st.integers(0, 59), st.integers(5, 480),
    st.integers(0, 6), st.integers(0, 23), st.integers(0, 59), st.integers(5, 480),
)
def test_weekly_overlap_agrees_with_minute_by_minute_counting(
    d1: int, h1: int, m1: int, l1: int, d2: int, h2: int, m2: int, l2: int,
) -> None:
    week = 7 * 24 * 60

    def minutes(d: int, h: int, m: int, length: int) -> set[int]:
        start = d * 24 * 60 + h * 60 + m
        return {(start + i) % week for i in range(length)}

    expected = bool(minutes(d1, h1, m1, l1) & minutes(d2, h2, m2, l2))
    a, b = weekly(d1, h1, m1, l1), weekly(d2, h2, m2, l2)
    assert weekly_overlap(a, b) is expected
    assert weekly_overlap(b, a) is expected
