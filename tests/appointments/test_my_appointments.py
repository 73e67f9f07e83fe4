"""myAppointments for a signed-in client, Client.sessions and Relationship.sessions: which
sessions, the upcoming filter, paging, a fixed number of SQL statements a page, and no
session of anyone else."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.appointments import (
    ADD_CARD,
    Scene,
    booked,
    cancel,
    iso,
    paying_client_scene,
    read_appointment,
    relationship_of,
)
from tests.support.clients import create_client, create_relationship, signed_in_client
from tests.support.graphql import GraphQLClient, register_practice
from tests.support.mailbox import Mailbox

PAGE = """
  totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id startsAt status } }
"""

MINE = f"""
query Mine($upcoming: Boolean, $first: Int, $after: String) {{
  myAppointments(upcoming: $upcoming, first: $first, after: $after) {{ {PAGE} }}
}}
"""

MINE_IN_FULL = """
query Mine($first: Int) {
  myAppointments(upcoming: true, first: $first) {
    totalCount
    edges { node {
      id startsAt status price { amount currency } bookedBy { id }
      practitioner { id name } relationship { id status payer { id } }
      attendees { id firstName } payer { id firstName } charge { id status }
    } }
  }
}
"""

CLIENT_APPOINTMENTS = f"""
query Sessions($id: ID!, $upcoming: Boolean, $first: Int, $after: String) {{
  node(id: $id) {{
    ... on Client {{ sessions(upcoming: $upcoming, first: $first, after: $after) {{ {PAGE} }} }}
    ... on Relationship {{
      sessions(upcoming: $upcoming, first: $first, after: $after) {{ {PAGE} }}
    }}
  }}
}}
"""



@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


@pytest.fixture
def calendar(client: GraphQLClient, scene: Scene, monday: datetime) -> dict[str, Any]:
    """The scene's client: two past sessions, three upcoming, one upcoming but cancelled, and
    one upcoming session of a child they pay for but do not attend."""
    owner = scene.owner.token
    own = relationship_of(client, scene)
    child = create_client(client, scene.owner, "Kit", "Young")
    paid_for = create_relationship(client, scene.owner, [child["id"]], kind="CHILD",
                                   payerId=scene.client_id)["id"]

    def at(when: datetime, relationship: str = own) -> str:
        return str(booked(client, owner, relationshipId=relationship, startsAt=when)["id"])

    past = [at(monday - timedelta(days=7, hours=-4)), at(monday - timedelta(days=6, hours=-4))]
    upcoming = [at(monday + timedelta(hours=4)), at(monday + timedelta(days=1, hours=4))]
    childs = at(monday + timedelta(days=1, hours=6), paid_for)
    upcoming.append(childs)
    upcoming.append(at(monday + timedelta(days=2, hours=4)))
    cancelled = at(monday + timedelta(days=3, hours=4))
    assert cancel(client, owner, cancelled)["userErrors"] == []
    return {"past": past, "upcoming": upcoming, "cancelled": cancelled, "child": child["id"],
            "childs": childs, "relationship": own}


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def mine(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    return client.data(MINE, variables, token=token)["myAppointments"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------ myAppointments


def test_a_client_sees_the_appointments_they_attend_or_pay_for(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    everything = mine(client, scene.client_token)

    # all of them, the most recent first
    assert everything["totalCount"] == 7
    expected = {*calendar["past"], *calendar["upcoming"], calendar["cancelled"]}
    assert set(ids(everything)) == expected
    starts = [edge["node"]["startsAt"] for edge in everything["edges"]]
    assert starts == sorted(starts, reverse=True)


def test_upcoming_means_scheduled_and_ahead_soonest_first_and_past_means_started(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    upcoming = mine(client, scene.client_token, upcoming=True)
    past = mine(client, scene.client_token, upcoming=False)

    assert ids(upcoming) == calendar["upcoming"]
    assert upcoming["totalCount"] == 4
    assert ids(past) == list(reversed(calendar["past"]))
    assert {edge["node"]["status"] for edge in upcoming["edges"]} == {"SCHEDULED"}


def test_pages_follow_on_from_their_cursor(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    first = mine(client, scene.client_token, upcoming=True, first=3)
    second = mine(client, scene.client_token, upcoming=True, first=3,
                  after=first["pageInfo"]["endCursor"])

    assert ids(first) == calendar["upcoming"][:3]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert ids(second) == calendar["upcoming"][3:]
    assert second["pageInfo"] == {
        "hasNextPage": False, "hasPreviousPage": True,
        "startCursor": second["edges"][0]["cursor"], "endCursor": second["edges"][0]["cursor"],
    }
    assert second["totalCount"] == 4


def test_a_page_costs_the_same_sql_whatever_its_size(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    small = client.execute(MINE_IN_FULL, {"first": 1}, token=scene.client_token)
    large = client.execute(MINE_IN_FULL, {"first": 4}, token=scene.client_token)

    assert len(small.data["myAppointments"]["edges"]) == 1
    assert len(large.data["myAppointments"]["edges"]) == 4
    assert small.sql_statements == large.sql_statements > 0


def test_a_client_sees_no_one_elses_appointments(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any], mailbox: Mailbox
) -> None:
    _, _, stranger = signed_in_client(client, scene.owner, mailbox)

    assert mine(client, stranger) == {
        "totalCount": 0, "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None,
                     "endCursor": None},
    }
    assert read_appointment(client, stranger, calendar["upcoming"][0]) is None
    assert read_appointment(client, register_practice(client).token,
            calendar["upcoming"][0]) is None


def test_staff_have_no_appointments_of_their_own(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    assert mine(client, scene.owner.token)["totalCount"] == 0


def test_a_payer_sees_the_appointment_they_pay_for_but_not_the_attendees_other_appointments(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any], monday: datetime,
    mailbox: Mailbox
) -> None:
    # given the child also attends sessions someone else pays for
    other_payer, _, token = signed_in_client(client, scene.owner, mailbox)
    client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=token)
    other = create_relationship(client, scene.owner, [calendar["child"]], kind="CHILD",
                                payerId=other_payer)["id"]
    elsewhere = booked(client, scene.owner.token, relationshipId=other,
                       startsAt=monday + timedelta(days=4, hours=4))["id"]

    found = read_appointment(client, scene.client_token, calendar["childs"])

    assert found is not None and found["attendees"] == [{"id": calendar["child"]}]
    assert found["payer"] == {"id": scene.client_id}
    assert calendar["childs"] in ids(mine(client, scene.client_token, upcoming=True))
    assert elsewhere not in ids(mine(client, scene.client_token, upcoming=True))
    assert read_appointment(client, scene.client_token, elsewhere) is None
    assert ids(mine(client, token)) == [elsewhere]


# ------------------------------------------------------- Client.sessions, Relationship.sessions


def test_a_clients_appointments_are_those_they_attend_filtered_and_paged(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    def page(**variables: Any) -> dict[str, Any]:
        values = {"id": scene.client_id, **variables}
        node = client.data(CLIENT_APPOINTMENTS, values, token=scene.owner.token)["node"]
        return node["sessions"]  # type: ignore[no-any-return]

    attended_upcoming = [s for s in calendar["upcoming"] if s != calendar["childs"]]
    assert ids(page(upcoming=True)) == attended_upcoming
    assert ids(page(upcoming=False)) == list(reversed(calendar["past"]))
    assert page()["totalCount"] == 6
    first = page(upcoming=True, first=2)
    assert ids(first) == attended_upcoming[:2]
    rest = page(upcoming=True, first=2, after=first["pageInfo"]["endCursor"])
    assert ids(rest) == attended_upcoming[2:]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_a_relationships_appointments_are_its_own(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    values = {"id": calendar["relationship"], "upcoming": True, "first": 10}

    for token in (scene.owner.token, scene.client_token):
        node = client.data(CLIENT_APPOINTMENTS, values, token=token)["node"]
        assert ids(node["sessions"]) == [
            s for s in calendar["upcoming"] if s != calendar["childs"]]


def test_another_practice_sees_neither_the_client_nor_their_appointments(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any]
) -> None:
    other = register_practice(client)

    for node_id in (scene.client_id, calendar["relationship"]):
        found = client.data(CLIENT_APPOINTMENTS, {"id": node_id}, token=other.token)["node"]
        assert found is None


def test_appointments_answer_times_in_utc(
    client: GraphQLClient, scene: Scene, calendar: dict[str, Any], monday: datetime
) -> None:
    first = mine(client, scene.client_token, upcoming=True, first=1)
    assert first["edges"][0]["node"]["startsAt"] == iso(monday + timedelta(hours=4))
