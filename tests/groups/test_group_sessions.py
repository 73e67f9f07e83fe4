"""createService, createGroupSession, the services query and the GroupSession fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.group_sessions import (
    CREATE_SERVICE,
    JUNE_1,
    NODE,
    codes,
    create_group_session,
    create_service,
    enrolled,
    gbp,
    new_group_session,
    payer,
    plain_client,
    transfer,
)
from tests.support.mailbox import Mailbox

SERVICES = """
query Services {
  services {
    id name description
    sessions {
      id name weekday startTime durationMinutes capacity enrolledCount startsOn endsOn
      monthlyPrice { amount currency } practitioner { id } service { id }
      upcomingDates
      nextTwo: upcomingDates(first: 2)
    }
  }
}
"""

GROUP_SESSION = """
query One($id: ID!, $first: Int!) {
  node(id: $id) { ... on GroupSession { id enrolledCount upcomingDates(first: $first) } }
}
"""


@pytest.fixture
def owner(client: GraphQLClient, clock) -> Staff:  # type: ignore[no-untyped-def]
    clock.set(JUNE_1)
    return register_practice(client)


def test_a_service_with_a_weekly_group_session_in_the_practitioners_timezone(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a service
    payload = client.data(CREATE_SERVICE, {"input": {"name": " Yoga ",
                                                      "description": "Gentle flow"}},
                          token=owner.token)["createService"]
    assert payload["userErrors"] == []
    service = payload["service"]
    assert service | {"id": None} == {"id": None, "name": "Yoga", "description": "Gentle flow",
                                      "sessions": []}

    # when a weekly session of it is created, without naming the practitioner
    created = create_group_session(client, owner, service["id"], startTime="18:30",
                                   monthlyPrice="85.5", endsOn=None)

    # then it is the viewer's, in the practice's currency, and meets every Tuesday from
    # 1 June 2027 at 18:30 London time
    assert created["userErrors"] == []
    group_session = created["session"]
    assert group_session | {"id": None} == {
        "id": None, "name": "Tuesday Yoga", "weekday": "TUESDAY", "startTime": "18:30",
        "durationMinutes": 60, "capacity": 10, "enrolledCount": 0, "startsOn": "2027-06-01",
        "endsOn": None, "monthlyPrice": gbp("85.50"),
        "service": {"id": service["id"], "name": "Yoga"},
        "practitioner": {"id": owner.practitioner_id}}
    listed = client.data(SERVICES, token=owner.token)["services"]
    assert listed == [{**service, "sessions": [{
        **{k: group_session[k] for k in ("id", "name", "weekday", "startTime", "durationMinutes",
                                   "capacity", "enrolledCount", "startsOn", "endsOn",
                                   "monthlyPrice", "practitioner")},
        "service": {"id": service["id"]},
        "upcomingDates": ["2027-06-01", "2027-06-08", "2027-06-15", "2027-06-22",
                          "2027-06-29", "2027-07-06", "2027-07-13", "2027-07-20"],
        "nextTwo": ["2027-06-01", "2027-06-08"],
    }]}]


def test_upcoming_dates_start_from_the_practitioners_today_and_stop_at_the_end(
    client: GraphQLClient, owner: Staff, clock  # type: ignore[no-untyped-def]
) -> None:
    service = create_service(client, owner, "Yoga")
    group_session = new_group_session(client, owner, service, endsOn="2027-06-22")
    # 23:30 UTC on Tuesday 8 June is already Wednesday 9 June in Auckland, but still
    # Tuesday in London, the practitioner's timezone: the 8th is still upcoming
    clock.set(datetime(2027, 6, 8, 22, 30, tzinfo=UTC))
    dates = client.data(GROUP_SESSION, {"id": group_session, "first": 8}, token=owner.token)["node"]
    assert dates["upcomingDates"] == ["2027-06-08", "2027-06-15", "2027-06-22"]
    clock.set(datetime(2027, 6, 8, 23, 30, tzinfo=UTC))   # 00:30 on the 9th in London
    dates = client.data(GROUP_SESSION, {"id": group_session, "first": 8}, token=owner.token)["node"]
    assert dates["upcomingDates"] == ["2027-06-15", "2027-06-22"]
    assert client.data(GROUP_SESSION, {"id": group_session, "first": 500},
            token=owner.token)["node"][
        "upcomingDates"] == ["2027-06-15", "2027-06-22"]
    clock.set(datetime(2027, 6, 23, 12, tzinfo=UTC))
    node = client.data(GROUP_SESSION, {"id": group_session, "first": 8}, token=owner.token)["node"]
    assert (node["upcomingDates"], node["enrolledCount"]) == ([], 0)


def test_enrolled_count_is_the_places_taken_from_today_on(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    service = create_service(client, owner, "Yoga")
    tuesday = new_group_session(client, owner, service)
    other = new_group_session(client, owner, service, name="Other Yoga")

    def count() -> int:
        node = client.data(GROUP_SESSION, {"id": tuesday, "first": 1}, token=owner.token)["node"]
        return int(node["enrolledCount"])

    first = plain_client(client, owner, "Ana")
    enrolled(client, owner, clientId=first, sessionId=tuesday, firstDate="2027-06-01")
    second = plain_client(client, owner, "Ben")
    moving = enrolled(client, owner, clientId=second, sessionId=tuesday,
                      firstDate="2027-06-22")["subscription"]["id"]   # starts later: counts
    assert count() == 2
    transfer(client, owner, subscriptionId=moving, transferDate="2027-06-22",
             toSessionId=other, firstDate="2027-06-22")            # never attends: freed
    assert count() == 1


@pytest.mark.parametrize(("change", "expected"), [
    ({"name": " "}, [(["input", "name"], "INVALID")]),
    ({"weekday": "WEDNESDAY"}, [(["input", "startsOn"], "INVALID")]),
    ({"startTime": "7pm"}, [(["input", "startTime"], "INVALID")]),
    ({"durationMinutes": 0}, [(["input", "durationMinutes"], "INVALID")]),
    ({"capacity": 0}, [(["input", "capacity"], "INVALID")]),
    ({"monthlyPrice": "10.001"}, [(["input", "monthlyPrice"], "INVALID")]),
    ({"monthlyPrice": "-1"}, [(["input", "monthlyPrice"], "INVALID")]),
    ({"endsOn": "2027-05-25"}, [(["input", "endsOn"], "INVALID")]),
    ({"capacity": 0, "durationMinutes": 481}, [(["input", "durationMinutes"], "INVALID"),
                                               (["input", "capacity"], "INVALID")]),
])
def test_create_group_session_refuses_bad_input_field_by_field(
    client: GraphQLClient, owner: Staff, change: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    service = create_service(client, owner, "Yoga")
    payload = create_group_session(client, owner, service, **change)
    assert payload["session"] is None
    assert codes(payload) == expected


def test_a_start_date_on_the_wrong_weekday_names_the_next_one(
    client: GraphQLClient, owner: Staff
) -> None:
    service = create_service(client, owner, "Yoga")
    payload = create_group_session(client, owner, service, startsOn="2027-06-02")
    assert payload["userErrors"] == [{
        "field": ["input", "startsOn"], "code": "INVALID",
        "message": "startsOn 2027-06-02 is not a Tuesday; the next one is 2027-06-08."}]


def test_the_owner_may_give_a_group_session_to_another_practitioner_and_a_practitioner_may_not(
    client: GraphQLClient, owner: Staff
) -> None:
    pat = add_practitioner(client, owner)
    service = create_service(client, owner, "Yoga")
    given = create_group_session(client, owner, service, practitionerId=pat.practitioner_id)
    assert given["session"]["practitioner"] == {"id": pat.practitioner_id}
    own = create_group_session(client, pat, service)
    assert own["session"]["practitioner"] == {"id": pat.practitioner_id}
    refused = create_group_session(client, pat, service, practitionerId=owner.practitioner_id)
    assert codes(refused) == [(None, "NOT_PERMITTED")]


def test_another_practices_service_or_practitioner_is_not_found(
    client: GraphQLClient, owner: Staff
) -> None:
    other = register_practice(client)
    theirs = create_service(client, other, "Their Yoga")
    assert codes(create_group_session(client, owner, theirs)) == [
        (["input", "serviceId"], "NOT_FOUND")]
    mine = create_service(client, owner, "Yoga")
    assert codes(create_group_session(client, owner, mine,
                                      practitionerId=other.practitioner_id)) == [
        (["input", "practitionerId"], "NOT_FOUND")]
    assert client.data(NODE, {"id": theirs}, token=owner.token) == {"node": None}
    assert [s["name"] for s in client.data(SERVICES, token=owner.token)["services"]] == ["Yoga"]


def test_clients_see_the_timetable_but_may_not_change_it(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    service = create_service(client, owner, "Yoga")
    group_session = new_group_session(client, owner, service)
    maya = payer(client, owner, mailbox, card=None)
    listed = client.data(SERVICES, token=maya.token)["services"]
    assert [(s["name"], [g["id"] for g in s["sessions"]]) for s in listed] == [
        ("Yoga", [group_session])]
    assert client.data(NODE, {"id": group_session}, token=maya.token)["node"] == {
        "id": group_session, "__typename": "GroupSession"}
    payload = client.data(CREATE_SERVICE, {"input": {"name": "Mine"}}, token=maya.token)
    assert codes(payload["createService"]) == [(None, "NOT_PERMITTED")]
