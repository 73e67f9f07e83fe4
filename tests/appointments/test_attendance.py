"""submitAttendanceUpdate: attendance, the three continuations, reserved slots, who may, once,
and all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schema.shared.ids import decode_id
from tests.support.appointments import (
    ADD_CARD,
    APPOINTMENT,
    ERRORS,
    Scene,
    awaiting,
    booked,
    booked_events,
    cancel,
    follow_up_of,
    iso,
    local_hhmm,
    next_week_same_local_time,
    paying_client_scene,
    relationship_of,
    relationship_slots,
    reserve_slot,
    submit_update,
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
from tests.support.server import RunningServer


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


@pytest.fixture
def started(client: GraphQLClient, scene: Scene, monday: datetime, clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A 50-minute session at 10:00 UTC on the Monday, in its first minute."""
    relationship_id = relationship_of(client, scene)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_id,
                     startsAt=monday + timedelta(hours=4))
    clock.set(monday + timedelta(hours=4, minutes=1))
    return appointment


def add_card(client: GraphQLClient, token: str) -> None:
    payload = client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=token)
    assert payload["addPaymentMethod"]["userErrors"] == []


def remove_card(client: GraphQLClient, token: str) -> None:
    query = f"mutation {{ removePaymentMethod {{ client {{ id }} {ERRORS} }} }}"
    assert client.data(query, token=token)["removePaymentMethod"]["userErrors"] == []


def node(client: GraphQLClient, token: str, global_id: str) -> Any:
    return client.data(APPOINTMENT, {"id": global_id}, token=token)["node"]


def appointments_of(client: GraphQLClient, token: str, relationship_id: str) -> list[str]:
    query = """query R($id: ID!) { node(id: $id) { ... on Relationship {
      sessions(first: 100) { edges { node { id startsAt status } } } } } }"""
    edges = client.data(query, {"id": relationship_id}, token=token)["node"]["sessions"]["edges"]
    return sorted(f'{e["node"]["startsAt"]} {e["node"]["status"]}' for e in edges)


# ------------------------------------------------------------------ attendance and follow-ups


def test_same_weekly_slot_records_attendance_and_books_a_week_later_at_the_practitioners_price(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime, clock,  # type: ignore[no-untyped-def]
    server: RunningServer,
) -> None:
    payload = submit_update(client, scene.owner.token, started["id"], attended=True,
                            continuation="SAME_WEEKLY_SLOT")
    assert payload["userErrors"] == []
    appointment = payload["session"]
    assert appointment["status"] == "ATTENDED"
    assert appointment["attendanceUpdate"] == {"attended": True, "continuation": "SAME_WEEKLY_SLOT",
                                           "submittedAt": iso(clock())}
    follow_up = payload["followUpSession"]
    assert follow_up["startsAt"] == iso(next_week_same_local_time(monday + timedelta(hours=4)))
    assert follow_up["status"] == "SCHEDULED"
    assert (follow_up["relationship"]["id"], follow_up["attendees"], follow_up["payer"]) == (
        started["relationship"]["id"], [{"id": scene.client_id}], {"id": scene.client_id})
    assert follow_up["price"] == {"amount": "80.00", "currency": "GBP"}
    assert follow_up["bookedBy"] is None
    assert follow_up["attendanceUpdate"] is None
    assert payload["reservedSlot"] is None and payload["reservedSlotRemoved"] is False
    assert follow_up_of(server, follow_up["id"]) == decode_id(started["id"], "Session")
    assert follow_up_of(server, started["id"]) is None
    assert booked_events(server, follow_up["id"]) == ["AppointmentBooked"]
    assert awaiting(client, scene.owner.token)["totalCount"] == 0


def test_the_follow_up_is_at_the_practitioners_current_price(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    price = """mutation P($input: SetSessionPriceInput!) {
      setSessionPrice(input: $input) { userErrors { code } } }"""
    client.data(price, {"input": {"price": "95.50"}}, token=scene.owner.token)
    payload = submit_update(client, scene.owner.token, started["id"])
    assert payload["followUpSession"]["price"] == {"amount": "95.50", "currency": "GBP"}
    assert payload["session"]["price"] == {"amount": "80.00", "currency": "GBP"}


def test_a_no_show_is_recorded_as_such(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    payload = submit_update(client, scene.owner.token, started["id"], attended=False,
                            continuation="NO_REBOOK")
    assert payload["userErrors"] == []
    assert payload["session"]["status"] == "NO_SHOW"
    assert payload["session"]["attendanceUpdate"]["attended"] is False
    assert payload["followUpSession"] is None


@pytest.mark.parametrize(
    ("timezone", "appointment_utc", "follow_up_utc"),
    [
        # London leaves BST on Sunday 27 October 2030: 10:00 BST, then 10:00 GMT (169 hours)
        ("Europe/London", datetime(2030, 10, 21, 9, tzinfo=UTC),
         datetime(2030, 10, 28, 10, tzinfo=UTC)),
        # London enters BST on Sunday 30 March 2031: 10:00 GMT, then 10:00 BST (167 hours)
        ("Europe/London", datetime(2031, 3, 24, 10, tzinfo=UTC),
         datetime(2031, 3, 31, 9, tzinfo=UTC)),
        # New York leaves EDT on Sunday 3 November 2030: 18:00 EDT, then 18:00 EST
        ("America/New_York", datetime(2030, 10, 28, 22, tzinfo=UTC),
         datetime(2030, 11, 4, 23, tzinfo=UTC)),
    ],
)
def test_same_weekly_slot_keeps_the_local_time_across_a_clock_change(
    client: GraphQLClient, mailbox: Mailbox, clock, timezone: str, appointment_utc: datetime,  # type: ignore[no-untyped-def]
    follow_up_utc: datetime,
) -> None:
    clock.set(appointment_utc - timedelta(days=3))
    scene = paying_client_scene_in(client, mailbox, timezone)
    relationship_id = relationship_of(client, scene)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_id,
                     startsAt=appointment_utc)
    clock.set(appointment_utc + timedelta(minutes=55))
    payload = submit_update(client, scene.owner.token, appointment["id"], reserveSlot=True)
    assert payload["userErrors"] == []
    assert payload["followUpSession"]["startsAt"] == iso(follow_up_utc)
    assert payload["followUpSession"]["endsAt"] == iso(follow_up_utc + timedelta(minutes=50))
    weekday, hhmm = local_hhmm(appointment_utc, timezone)
    assert (payload["reservedSlot"]["weekday"], payload["reservedSlot"]["startTime"],
            payload["reservedSlot"]["durationMinutes"]) == (weekday, hhmm, 50)


def paying_client_scene_in(client: GraphQLClient, mailbox: Mailbox, timezone: str) -> Scene:
    owner = register_practice(client, sessionPrice="80.00", timezone=timezone)
    client_id, email, token = signed_in_client(client, owner, mailbox)
    assert client.data(ADD_CARD, {"input": {"token": "tok_visa"}},
                       token=token)["addPaymentMethod"]["userErrors"] == []
    return Scene(owner, client_id, email, token)


def test_different_time_books_at_next_starts_at_for_as_long_as_the_appointment(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    relationship_id = relationship_of(client, scene)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_id,
                     startsAt=monday + timedelta(hours=4), durationMinutes=30)
    clock.set(monday + timedelta(hours=4, minutes=30))
    later = monday + timedelta(days=9, hours=19)  # a Wednesday evening: the practice may
    payload = submit_update(client, scene.owner.token, appointment["id"],
                            continuation="DIFFERENT_TIME", nextStartsAt=later)
    assert payload["userErrors"] == []
    assert payload["session"]["attendanceUpdate"]["continuation"] == "DIFFERENT_TIME"
    assert (payload["followUpSession"]["startsAt"], payload["followUpSession"]["endsAt"]) == (
        iso(later), iso(later + timedelta(minutes=30)))


def test_next_starts_at_goes_with_different_time_and_only_with_it(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    token = scene.owner.token
    missing = submit_update(client, token, started["id"], continuation="DIFFERENT_TIME")
    assert missing == {"session": None, "followUpSession": None, "reservedSlot": None,
                       "reservedSlotRemoved": False, "userErrors": [{
                           "field": ["input", "nextStartsAt"], "code": "INVALID",
                           "message": "DIFFERENT_TIME needs nextStartsAt."}]}
    for continuation in ("SAME_WEEKLY_SLOT", "NO_REBOOK"):
        extra = submit_update(client, token, started["id"], continuation=continuation,
                              nextStartsAt=monday + timedelta(days=8))
        assert extra["userErrors"] == [{
            "field": ["input", "nextStartsAt"], "code": "INVALID",
            "message": "nextStartsAt goes only with DIFFERENT_TIME."}]
    both = submit_update(client, token, started["id"], continuation="NO_REBOOK",
                         nextStartsAt=monday + timedelta(days=8), reserveSlot=True)
    assert error_pairs(both) == [(["input", "nextStartsAt"], "INVALID"),
                                 (["input", "reserveSlot"], "INVALID")]
    assert node(client, token, started["id"])["status"] == "SCHEDULED"


def test_a_follow_up_must_be_in_the_future(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    clock.set(monday + timedelta(days=7, hours=4))  # a week on: the same slot is now
    token = scene.owner.token
    same = submit_update(client, token, started["id"])
    assert same["userErrors"] == [{
        "field": ["input", "continuation"], "code": "INVALID",
        "message": "A week after this session has already passed; choose DIFFERENT_TIME."}]
    past = submit_update(client, token, started["id"], continuation="DIFFERENT_TIME",
                         nextStartsAt=clock() - timedelta(hours=1))
    assert past["userErrors"] == [{"field": ["input", "nextStartsAt"], "code": "INVALID",
                                   "message": "The follow-up must start in the future."}]
    later = submit_update(client, token, started["id"], continuation="DIFFERENT_TIME",
                          nextStartsAt=clock() + timedelta(days=1))
    assert later["userErrors"] == []


# ------------------------------------------------------------------ reserved slots


def test_no_rebook_books_nothing_and_removes_the_relationships_reserved_slots(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    token = scene.owner.token
    relationship_id = started["relationship"]["id"]
    for start in ("10:00", "15:00"):
        assert reserve_slot(client, token, relationship_id, "MONDAY", start)["userErrors"] == []
    payload = submit_update(client, token, started["id"], continuation="NO_REBOOK")
    assert payload["userErrors"] == []
    assert (payload["followUpSession"], payload["reservedSlot"],
            payload["reservedSlotRemoved"]) == (None, None, True)
    assert relationship_slots(client, token, relationship_id) == []
    assert appointments_of(client, token, relationship_id) == [f'{started["startsAt"]} ATTENDED']


def test_no_rebook_without_a_reserved_slot_says_none_was_removed(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    payload = submit_update(client, scene.owner.token, started["id"], continuation="NO_REBOOK")
    assert (payload["userErrors"], payload["reservedSlotRemoved"]) == ([], False)


def test_reserve_slot_keeps_the_follow_ups_weekly_time(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    payload = submit_update(client, scene.owner.token, started["id"], reserveSlot=True)
    assert payload["userErrors"] == []
    weekday, hhmm = local_hhmm(monday + timedelta(hours=4))
    slot = payload["reservedSlot"]
    assert {k: slot[k] for k in ("weekday", "startTime", "durationMinutes")} == {
        "weekday": weekday, "startTime": hhmm, "durationMinutes": 50}
    assert slot["relationship"] == {"id": started["relationship"]["id"]}
    assert payload["reservedSlotRemoved"] is False
    assert relationship_slots(client, scene.owner.token, started["relationship"]["id"]) == [slot]


def test_an_identical_reserved_slot_is_kept_not_doubled(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    weekday, hhmm = local_hhmm(monday + timedelta(hours=4))
    existing = reserve_slot(client, token, relationship_id, weekday, hhmm)["reservedSlot"]
    payload = submit_update(client, token, started["id"], reserveSlot=True)
    assert payload["reservedSlot"] == existing
    assert relationship_slots(client, token, relationship_id) == [existing]


def test_a_different_time_moves_the_appointments_reserved_slot_and_leaves_the_others(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    weekday, hhmm = local_hhmm(monday + timedelta(hours=4))
    kept = reserve_slot(client, token, relationship_id, weekday, hhmm)["reservedSlot"]
    other = reserve_slot(client, token, relationship_id, "THURSDAY", "16:00")["reservedSlot"]
    tuesday = monday + timedelta(days=8, hours=5)
    payload = submit_update(client, token, started["id"], continuation="DIFFERENT_TIME",
                            nextStartsAt=tuesday, reserveSlot=True)
    assert payload["userErrors"] == []
    moved = payload["reservedSlot"]
    new_day, new_time = local_hhmm(tuesday)
    assert (moved["id"], moved["weekday"], moved["startTime"]) == (kept["id"], new_day, new_time)
    assert payload["reservedSlotRemoved"] is False
    slots = relationship_slots(client, token, relationship_id)
    assert sorted(s["id"] for s in slots) == sorted([kept["id"], other["id"]])


def test_without_reserve_slot_a_follow_up_leaves_reserved_slots_alone(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    slot = reserve_slot(client, token, relationship_id, "FRIDAY", "09:00")["reservedSlot"]
    payload = submit_update(client, token, started["id"])
    assert (payload["reservedSlot"], payload["reservedSlotRemoved"]) == (None, False)
    assert relationship_slots(client, token, relationship_id) == [slot]


# ------------------------------------------------------------------ all or nothing


def test_an_overlapping_follow_up_changes_nothing(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    next_week = next_week_same_local_time(monday + timedelta(hours=4))
    booked(client, token, relationshipId=relationship_id,
           startsAt=next_week + timedelta(minutes=30))
    before = appointments_of(client, token, relationship_id)
    payload = submit_update(client, token, started["id"], reserveSlot=True)
    assert payload["userErrors"] == [{"field": ["input", "continuation"],
                                      "code": "SLOT_UNAVAILABLE",
                                      "message": "That time is not available."}]
    different = submit_update(client, token, started["id"], continuation="DIFFERENT_TIME",
                              nextStartsAt=next_week + timedelta(minutes=45))
    assert error_pairs(different) == [(["input", "nextStartsAt"], "SLOT_UNAVAILABLE")]
    assert appointments_of(client, token, relationship_id) == before
    assert node(client, token, started["id"])["attendanceUpdate"] is None
    assert relationship_slots(client, token, relationship_id) == []
    assert awaiting(client, token)["totalCount"] == 1


def test_a_follow_up_right_after_another_appointment_is_fine(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    next_week = next_week_same_local_time(monday + timedelta(hours=4))
    booked(client, token, relationshipId=relationship_id,
           startsAt=next_week - timedelta(minutes=50))
    booked(client, token, relationshipId=relationship_id,
           startsAt=next_week + timedelta(minutes=50))
    assert submit_update(client, token, started["id"])["userErrors"] == []


def test_a_follow_up_needs_the_payers_card_and_changes_nothing_without_it(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    slot = reserve_slot(client, token, relationship_id, "FRIDAY", "09:00")["reservedSlot"]
    remove_card(client, scene.client_token)
    payload = submit_update(client, token, started["id"], reserveSlot=True)
    assert payload == {"session": None, "followUpSession": None, "reservedSlot": None,
                       "reservedSlotRemoved": False, "userErrors": [{
                           "field": None, "code": "NO_PAYMENT_METHOD",
                           "message": "The payer has no card on file; they need to add one "
                                      "before a session is booked."}]}
    assert node(client, token, started["id"])["status"] == "SCHEDULED"
    assert relationship_slots(client, token, relationship_id) == [slot]
    add_card(client, scene.client_token)
    assert submit_update(client, token, started["id"])["userErrors"] == []


def test_no_rebook_needs_no_card(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    remove_card(client, scene.client_token)
    payload = submit_update(client, scene.owner.token, started["id"], continuation="NO_REBOOK")
    assert payload["userErrors"] == []


def test_a_reserved_slot_of_another_client_in_the_way_changes_nothing(
    client: GraphQLClient, scene: Scene, started: dict[str, Any], monday: datetime,
) -> None:
    token, relationship_id = scene.owner.token, started["relationship"]["id"]
    other = create_client(client, scene.owner, "Other", "Client")
    theirs = create_relationship(client, scene.owner, [other["id"]])
    weekday, hhmm = local_hhmm(monday + timedelta(hours=4, minutes=30))
    assert reserve_slot(client, token, theirs["id"], weekday, hhmm)["userErrors"] == []
    before = appointments_of(client, token, relationship_id)
    payload = submit_update(client, token, started["id"], reserveSlot=True)
    assert payload["userErrors"] == [{"field": ["input", "reserveSlot"],
                                      "code": "SLOT_UNAVAILABLE",
                                      "message": "That time is not available."}]
    assert appointments_of(client, token, relationship_id) == before
    assert node(client, token, started["id"])["status"] == "SCHEDULED"
    # Without reserving, the practice may book over another client's reserved slot.
    assert submit_update(client, token, started["id"])["userErrors"] == []


def test_an_ended_relationship_books_no_follow_up_but_may_take_no_rebook(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    token = scene.owner.token
    assert end_relationship(client, scene.owner, started["relationship"]["id"])[
        "userErrors"] == []
    payload = submit_update(client, token, started["id"])
    assert payload["userErrors"] == [{
        "field": ["input", "continuation"], "code": "INVALID_STATE",
        "message": "The relationship is ENDED; restart it to book a follow-up, or choose "
                   "NO_REBOOK."}]
    assert submit_update(client, token, started["id"], continuation="NO_REBOOK")[
        "userErrors"] == []


# ------------------------------------------------------------------ once, and only when started


def test_an_update_is_taken_once(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    token = scene.owner.token
    assert submit_update(client, token, started["id"], continuation="NO_REBOOK")[
        "userErrors"] == []
    again = submit_update(client, token, started["id"], attended=False,
                          continuation="NO_REBOOK")
    assert again["userErrors"] == [{
        "field": ["input", "sessionId"], "code": "INVALID_STATE",
        "message": "Only a started session still SCHEDULED takes an attendance update."}]
    assert node(client, token, started["id"])["status"] == "ATTENDED"


def test_an_update_waits_for_the_start_exactly(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    relationship_id = relationship_of(client, scene)
    start = monday + timedelta(hours=4)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_id, startsAt=start)
    clock.set(start - timedelta(microseconds=1))
    early = submit_update(client, scene.owner.token, appointment["id"], continuation="NO_REBOOK")
    assert error_pairs(early) == [(["input", "sessionId"], "INVALID_STATE")]
    clock.set(start)
    on_time = submit_update(client, scene.owner.token, appointment["id"], continuation="NO_REBOOK")
    assert on_time["userErrors"] == []


def test_a_cancelled_appointment_takes_no_update(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    relationship_id = relationship_of(client, scene)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_id,
                     startsAt=monday + timedelta(hours=4))
    assert cancel(client, scene.owner.token, appointment["id"])["userErrors"] == []
    clock.set(monday + timedelta(hours=5))
    payload = submit_update(client, scene.owner.token, appointment["id"], continuation="NO_REBOOK")
    assert error_pairs(payload) == [(["input", "sessionId"], "INVALID_STATE")]


def test_two_updates_at_once_record_one(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> list[str]:
        payload = submit_update(client, scene.owner.token, started["id"])
        return [e["code"] for e in payload["userErrors"]]

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert outcomes.count([]) == 1
    assert sorted(outcomes)[1:] == [["INVALID_STATE"]] * 5
    assert len(appointments_of(client, scene.owner.token, started["relationship"]["id"])) == 2


# ------------------------------------------------------------------ who may


def test_only_the_appointments_own_practitioner_submits_its_update(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    colleague = add_practitioner(client, scene.owner)
    theirs = create_relationship(client, scene.owner, [scene.client_id],
                                 practitionerId=colleague.practitioner_id)
    appointment = booked(client, colleague.token, relationshipId=theirs["id"],
                     startsAt=monday + timedelta(hours=4))
    clock.set(monday + timedelta(hours=5))
    refused = {"field": ["input", "sessionId"], "code": "NOT_PERMITTED",
               "message": "Only the session's practitioner may submit its attendance update."}
    for token in (scene.owner.token, scene.client_token):
        payload = submit_update(client, token, appointment["id"], continuation="NO_REBOOK")
        assert payload["userErrors"] == [refused]
    assert submit_update(client, colleague.token, appointment["id"], continuation="NO_REBOOK")[
        "userErrors"] == []


def test_a_appointment_of_another_practice_or_none_at_all_is_not_found(
    client: GraphQLClient, scene: Scene, started: dict[str, Any],
) -> None:
    stranger = register_practice(client)
    not_found = [{"field": ["input", "sessionId"], "code": "NOT_FOUND",
                  "message": "Session not found."}]
    assert submit_update(client, stranger.token, started["id"])["userErrors"] == not_found
    for bogus in ("U2Vzc2lvbjpub3Bl", "nonsense", scene.client_id):
        assert submit_update(client, scene.owner.token, bogus)["userErrors"] == not_found
    assert node(client, scene.owner.token, started["id"])["status"] == "SCHEDULED"
