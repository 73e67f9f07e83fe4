"""Time off and closures through the API: adding, listing and removing them; availability,
public availability and bookSession respecting them across London's spring change; the
practice's explicit override."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.appointments import (
    AVAILABILITY,
    RESCHEDULE,
    Scene,
    book,
    booked,
    iso,
    paying_client_scene,
    relationship_of,
    submit_update,
)
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, add_practitioner, register_practice
from tests.support.mailbox import Mailbox
from tests.support.widgets import PUBLIC_AVAILABILITY, create_key, widget_post

ERRORS = "userErrors { field code message }"
FIELDS = "id startsOn endsOn startTime endTime reason closure"
ADD_TIME_OFF = f"""
mutation Off($input: AddTimeOffInput!) {{ addTimeOff(input: $input) {{ timeOff {{ {FIELDS} }}
  {ERRORS} }} }}"""
ADD_CLOSURE = f"""
mutation Closed($input: AddClosureInput!) {{ addClosure(input: $input) {{
  timeOff {{ {FIELDS} }} {ERRORS} }} }}"""
REMOVE = f"""
mutation Remove($input: RemoveTimeOffInput!) {{ removeTimeOff(input: $input) {{
  removedTimeOffId {ERRORS} }} }}"""
LISTS = f"""
query Lists($id: ID!) {{
  node(id: $id) {{ ... on Practitioner {{ timeOff {{ {FIELDS} }}
                   practice {{ closures {{ {FIELDS} }} }} }} }}
}}"""

# London's clocks go forward on Sunday 28 March 2027: Friday 26th is GMT, Monday 29th BST.
FRIDAY, MONDAY = datetime(2027, 3, 26, tzinfo=UTC), datetime(2027, 3, 29, tzinfo=UTC)


@pytest.fixture
def scene(client: GraphQLClient, mailbox: Mailbox, clock: TestClock) -> Scene:
    clock.set(datetime(2027, 3, 15, 12, tzinfo=UTC))
    return paying_client_scene(client, mailbox)


def starts(client: GraphQLClient, scene: Scene, start: datetime, end: datetime) -> list[str]:
    variables = {"practitionerId": scene.owner.practitioner_id, "from": iso(start),
                 "to": iso(end)}
    found = client.data(AVAILABILITY, variables, token=scene.client_token)["availability"]
    return [slot["startsAt"] for slot in found]


def add_time_off(client: GraphQLClient, token: str, **values: object) -> dict:  # type: ignore[type-arg]
    return client.data(ADD_TIME_OFF, {"input": values}, token=token)["addTimeOff"]  # type: ignore[no-any-return]


def test_a_range_off_across_the_spring_change_leaves_out_those_days_only(
    client: GraphQLClient, scene: Scene
) -> None:
    # given the practitioner off from Friday 26 to Monday 29 March 2027 (over the change)
    added = add_time_off(client, scene.owner.token, practitionerId=scene.owner.practitioner_id,
                         startsOn="2027-03-26", endsOn="2027-03-29", reason="Holiday")
    assert added["userErrors"] == []
    assert added["timeOff"]["closure"] is False
    # when a client reads availability from Thursday to Tuesday
    found = starts(client, scene, FRIDAY - timedelta(days=1), MONDAY + timedelta(days=2))
    days = sorted({s[:10] for s in found})
    # then Thursday (09:00 GMT = 09:00Z) and Tuesday (09:00 BST = 08:00Z) are offered, and
    # nothing from Friday to Monday
    assert days == ["2027-03-25", "2027-03-30"]
    assert "2027-03-25T09:00:00Z" in found
    assert "2027-03-30T08:00:00Z" in found and "2027-03-30T07:45:00Z" not in found


def test_a_part_day_off_after_the_change_closes_that_part_in_bst(
    client: GraphQLClient, scene: Scene
) -> None:
    # given Monday 29 March (BST) off from 13:00 local
    added = add_time_off(client, scene.owner.token, practitionerId=scene.owner.practitioner_id,
                         startsOn="2027-03-29", startTime="13:00")
    assert added["userErrors"] == []
    found = starts(client, scene, MONDAY, MONDAY + timedelta(days=1))
    # then the morning is open and the last start ends by 13:00 BST (12:00Z)
    assert found[0] == "2027-03-29T08:00:00Z"
    assert found[-1] == "2027-03-29T11:00:00Z"  # 12:00 BST, ends 12:50
    assert "2027-03-29T11:15:00Z" not in found


def test_a_closure_stops_client_booking_and_the_practice_needs_the_override(
    client: GraphQLClient, scene: Scene, mailbox: Mailbox
) -> None:
    # given a practice closure on Monday 29 March (a bank holiday)
    closed = client.data(ADD_CLOSURE, {"input": {"startsOn": "2027-03-29",
                                                 "reason": "Bank holiday"}},
                         token=scene.owner.token)["addClosure"]
    assert closed["userErrors"] == [] and closed["timeOff"]["closure"] is True
    ten = MONDAY + timedelta(hours=9)  # 10:00 BST
    # when the client books then, and the practice books without and with the override
    by_client = book(client, scene.client_token, practitionerId=scene.owner.practitioner_id,
                     startsAt=ten)
    relationship = relationship_of(client, scene)
    refused = book(client, scene.owner.token, relationshipId=relationship, startsAt=ten)
    overridden = book(client, scene.owner.token, relationshipId=relationship, startsAt=ten,
                      allowDuringTimeOff=True)
    # then only the practice with the override books it
    assert by_client["userErrors"] == [{"field": ["input", "startsAt"],
                                        "code": "SLOT_UNAVAILABLE",
                                        "message": "That time is not available."}]
    assert refused == {"session": None, "userErrors": [{
        "field": ["input", "startsAt"], "code": "TIME_OFF",
        "message": "That time falls in time off (Bank holiday, 2027-03-29); set "
                   "allowDuringTimeOff to book it anyway."}]}
    assert overridden["userErrors"] == [] and overridden["session"]["status"] == "SCHEDULED"
    assert starts(client, scene, MONDAY, MONDAY + timedelta(days=1)) == []


def test_moving_a_session_into_time_off_needs_the_override_too(
    client: GraphQLClient, scene: Scene
) -> None:
    relationship = relationship_of(client, scene)
    session = booked(client, scene.owner.token, relationshipId=relationship,
                     startsAt=MONDAY + timedelta(days=1, hours=8))
    add_time_off(client, scene.owner.token, practitionerId=scene.owner.practitioner_id,
                 startsOn="2027-03-29")
    into = {"sessionId": session["id"], "startsAt": iso(MONDAY + timedelta(hours=8))}
    refused = client.data(RESCHEDULE, {"input": into}, token=scene.owner.token)
    moved = client.data(RESCHEDULE, {"input": {**into, "allowDuringTimeOff": True}},
                        token=scene.owner.token)
    assert [e["code"] for e in refused["rescheduleSession"]["userErrors"]] == ["TIME_OFF"]
    assert moved["rescheduleSession"]["userErrors"] == []
    assert moved["rescheduleSession"]["session"]["startsAt"] == iso(MONDAY + timedelta(hours=8))


def test_public_availability_leaves_out_a_closure(
    client: GraphQLClient, scene: Scene
) -> None:
    key = create_key(client, scene.owner)
    window = {"id": scene.owner.practitioner_id, "from": iso(MONDAY),
              "to": iso(MONDAY + timedelta(days=2))}
    before = widget_post(client, key, PUBLIC_AVAILABILITY, window).data["publicAvailability"]
    client.data(ADD_CLOSURE, {"input": {"startsOn": "2027-03-29"}}, token=scene.owner.token)
    after = widget_post(client, key, PUBLIC_AVAILABILITY, window).data["publicAvailability"]
    assert {s["startsAt"][:10] for s in before} == {"2027-03-29", "2027-03-30"}
    assert {s["startsAt"][:10] for s in after} == {"2027-03-30"}


def test_time_off_is_listed_to_staff_removed_and_closed_to_others(
    client: GraphQLClient, scene: Scene, mailbox: Mailbox
) -> None:
    owner = scene.owner
    colleague = add_practitioner(client, owner)
    mine = add_time_off(client, owner.token, practitionerId=owner.practitioner_id,
                        startsOn="2027-04-01", startTime="09:00", endTime="12:30")["timeOff"]
    closure = client.data(ADD_CLOSURE, {"input": {"startsOn": "2027-04-02"}},
                          token=owner.token)["addClosure"]["timeOff"]
    # a practitioner may not add time off for a colleague, nor close the practice
    for_owner = add_time_off(client, colleague.token, practitionerId=owner.practitioner_id,
                             startsOn="2027-04-05")
    closing = client.data(ADD_CLOSURE, {"input": {"startsOn": "2027-04-05"}},
                          token=colleague.token)["addClosure"]
    assert [e["code"] for e in for_owner["userErrors"]] == ["NOT_PERMITTED"]
    assert [e["code"] for e in closing["userErrors"]] == ["NOT_PERMITTED"]
    # staff see both lists; a client sees neither
    listed = client.data(LISTS, {"id": owner.practitioner_id}, token=colleague.token)["node"]
    assert listed["timeOff"] == [mine]
    assert listed["practice"]["closures"] == [closure]
    as_client = client.data(LISTS, {"id": owner.practitioner_id}, token=scene.client_token)
    assert as_client["node"] == {"timeOff": [], "practice": {"closures": []}}
    # removing it; a second remove, and another practice's owner, find nothing
    stranger = register_practice(client)
    foreign = client.data(REMOVE, {"input": {"id": mine["id"]}}, token=stranger.token)
    removed = client.data(REMOVE, {"input": {"id": mine["id"]}}, token=owner.token)
    again = client.data(REMOVE, {"input": {"id": mine["id"]}}, token=owner.token)
    assert [e["code"] for e in foreign["removeTimeOff"]["userErrors"]] == ["NOT_FOUND"]
    assert removed["removeTimeOff"] == {"removedTimeOffId": mine["id"], "userErrors": []}
    assert again["removeTimeOff"]["userErrors"] == [
        {"field": ["input", "id"], "code": "NOT_FOUND", "message": "Time off not found."}]
    listed = client.data(LISTS, {"id": owner.practitioner_id}, token=owner.token)["node"]
    assert listed["timeOff"] == []


def test_bad_time_off_changes_nothing_and_names_each_field(
    client: GraphQLClient, scene: Scene
) -> None:
    payload = add_time_off(client, scene.owner.token,
                           practitionerId=scene.owner.practitioner_id, startsOn="2027-04-02",
                           endsOn="2027-04-01", startTime="9am")
    assert payload == {"timeOff": None, "userErrors": [
        {"field": ["input", "startTime"], "code": "INVALID",
         "message": "'9am' is not a time of day in HH:MM."}]}
    backwards = add_time_off(client, scene.owner.token,
                             practitionerId=scene.owner.practitioner_id,
                             startsOn="2027-04-02", endsOn="2027-04-01")
    assert backwards["userErrors"] == [{"field": ["input", "endsOn"], "code": "INVALID",
                                        "message": "endsOn must be on or after startsOn."}]
    listed = client.data(LISTS, {"id": scene.owner.practitioner_id}, token=scene.owner.token)
    assert listed["node"]["timeOff"] == []


def test_a_follow_up_into_a_closure_needs_the_override(
    client: GraphQLClient, scene: Scene, clock: TestClock
) -> None:
    # given a session on Monday 22 March 2027 (09:00 GMT) that has started, and a closure
    # on Monday 29 March, when the same weekly slot would be 09:00 BST
    relationship = relationship_of(client, scene)
    session = booked(client, scene.owner.token, relationshipId=relationship,
                     startsAt=MONDAY - timedelta(days=7, hours=-9))
    client.data(ADD_CLOSURE, {"input": {"startsOn": "2027-03-29", "reason": "Bank holiday"}},
                token=scene.owner.token)
    clock.set(MONDAY - timedelta(days=7, hours=-9, minutes=-5))
    # when the practice books the follow-up without, then with, the override
    refused = submit_update(client, scene.owner.token, session["id"])
    booked_anyway = submit_update(client, scene.owner.token, session["id"],
                                  allowDuringTimeOff=True)
    # then the first changes nothing and names the continuation; the second books 08:00Z
    assert refused["userErrors"] == [{
        "field": ["input", "continuation"], "code": "TIME_OFF",
        "message": "That time falls in time off (Bank holiday, 2027-03-29); set "
                   "allowDuringTimeOff to book it anyway."}]
    assert booked_anyway["userErrors"] == []
    assert booked_anyway["followUpSession"]["startsAt"] == "2027-03-29T08:00:00Z"
