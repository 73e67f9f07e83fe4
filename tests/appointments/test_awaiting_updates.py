"""awaitingUpdates: the signed-in practitioner's started, still-SCHEDULED sessions, oldest first,
paged at a fixed cost."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.appointments import (
    AWAITING,
    Scene,
    awaiting,
    booked,
    cancel,
    iso,
    paying_client_scene,
    relationship_of,
    submit_update,
)
from tests.support.clients import create_relationship
from tests.support.graphql import GraphQLClient, add_practitioner
from tests.support.mailbox import Mailbox


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


def starts(connection: dict) -> list[str]:  # type: ignore[type-arg]
    return [edge["node"]["startsAt"] for edge in connection["edges"]]


def test_started_scheduled_appointments_wait_oldest_first(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    token = scene.owner.token
    relationship_id = relationship_of(client, scene)
    at = [monday - timedelta(days=10) + timedelta(hours=4),  # recorded in the past
          monday + timedelta(hours=4), monday + timedelta(hours=6),
          monday + timedelta(hours=8)]
    appointments = [booked(client, token, relationshipId=relationship_id, startsAt=when)
                for when in reversed(at)][::-1]
    assert awaiting(client, token)["totalCount"] == 1  # only the past one has started
    clock.set(at[2])  # the third starts exactly now
    assert starts(awaiting(client, token)) == [iso(t) for t in at[:3]]
    assert awaiting(client, token)["edges"][0]["node"]["id"] == appointments[0]["id"]
    submit_update(client, token, appointments[1]["id"], continuation="NO_REBOOK")
    assert starts(awaiting(client, token)) == [iso(at[0]), iso(at[2])]


def test_cancelled_appointments_and_other_practitioners_appointments_are_not_awaited(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    colleague = add_practitioner(client, scene.owner)
    mine = relationship_of(client, scene)
    theirs = create_relationship(client, scene.owner, [scene.client_id],
                                 practitionerId=colleague.practitioner_id)["id"]
    cancelled = booked(client, scene.owner.token, relationshipId=mine,
                       startsAt=monday + timedelta(hours=4))
    cancel(client, scene.owner.token, cancelled["id"])
    kept = booked(client, scene.owner.token, relationshipId=mine,
                  startsAt=monday + timedelta(hours=5))
    colleagues = booked(client, colleague.token, relationshipId=theirs,
                        startsAt=monday + timedelta(hours=4))
    clock.set(monday + timedelta(hours=7))
    owner_sees = awaiting(client, scene.owner.token)
    assert [e["node"]["id"] for e in owner_sees["edges"]] == [kept["id"]]
    colleague_sees = awaiting(client, colleague.token)
    assert [e["node"]["id"] for e in colleague_sees["edges"]] == [colleagues["id"]]


def test_a_client_gets_an_empty_connection(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    relationship_id = relationship_of(client, scene)
    booked(client, scene.owner.token, relationshipId=relationship_id,
           startsAt=monday + timedelta(hours=4))
    clock.set(monday + timedelta(hours=5))
    assert awaiting(client, scene.client_token) == {
        "totalCount": 0, "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None,
                     "endCursor": None}}


def test_pages_follow_cursors_at_the_same_cost_whatever_their_size(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    token = scene.owner.token
    relationship_id = relationship_of(client, scene)
    times = [monday - timedelta(days=day) + timedelta(hours=4) for day in range(4, 16)]
    for when in times:
        booked(client, token, relationshipId=relationship_id, startsAt=when)
    oldest_first = [iso(t) for t in sorted(times)]

    first = awaiting(client, token, first=5)
    assert first["totalCount"] == 12
    assert starts(first) == oldest_first[:5]
    assert first["pageInfo"]["hasNextPage"] is True
    second = awaiting(client, token, first=5, after=first["pageInfo"]["endCursor"])
    assert starts(second) == oldest_first[5:10]
    assert second["pageInfo"]["hasPreviousPage"] is True
    last = awaiting(client, token, first=5, after=second["pageInfo"]["endCursor"])
    assert starts(last) == oldest_first[10:]
    assert last["pageInfo"]["hasNextPage"] is False

    small = client.execute(AWAITING, {"first": 2}, token=token)
    large = client.execute(AWAITING, {"first": 12}, token=token)
    assert len(small.data["awaitingUpdates"]["edges"]) == 2
    assert len(large.data["awaitingUpdates"]["edges"]) == 12
    assert small.sql_statements == large.sql_statements


def test_page_size_is_bounded(client: GraphQLClient, scene: Scene) -> None:
    response = client.execute(AWAITING, {"first": 101}, token=scene.owner.token)
    assert response.error_codes == ["BAD_USER_INPUT"]


AWAITING_BACKWARD = """
query Backward($last: Int, $before: String) {
  awaitingUpdates(last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id startsAt } }
  }
}
"""


def test_paging_while_submitting_each_update_skips_nothing(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    # given five started sessions waiting for an update
    token = scene.owner.token
    relationship_id = relationship_of(client, scene)
    times = [monday - timedelta(days=day) + timedelta(hours=4) for day in range(4, 9)]
    for when in times:
        booked(client, token, relationshipId=relationship_id, startsAt=when)
    # when the practitioner pages one at a time, submitting each update before the next page
    seen: list[str] = []
    page = awaiting(client, token, first=1)
    while page["edges"]:
        (edge,) = page["edges"]
        seen.append(edge["node"]["startsAt"])
        submit_update(client, token, edge["node"]["id"], continuation="NO_REBOOK")
        page = awaiting(client, token, first=1, after=edge["cursor"])
    # then every session was reached once, oldest first, and none is left waiting
    assert seen == [iso(t) for t in sorted(times)]
    assert page["pageInfo"]["hasNextPage"] is False
    assert awaiting(client, token)["totalCount"] == 0


def test_last_and_before_page_backwards_in_list_order(
    client: GraphQLClient, scene: Scene, monday: datetime, clock,  # type: ignore[no-untyped-def]
) -> None:
    # given five started sessions waiting for an update
    token = scene.owner.token
    relationship_id = relationship_of(client, scene)
    times = sorted(monday - timedelta(days=day) + timedelta(hours=4) for day in range(4, 9))
    for when in times:
        booked(client, token, relationshipId=relationship_id, startsAt=when)
    # when the practitioner reads the last two, then the two before them
    tail = client.data(AWAITING_BACKWARD, {"last": 2}, token=token)["awaitingUpdates"]
    before = client.data(AWAITING_BACKWARD, {"last": 2, "before": tail["pageInfo"]["startCursor"]},
                         token=token)["awaitingUpdates"]
    rest = client.data(AWAITING_BACKWARD, {"last": 2, "before": before["pageInfo"]["startCursor"]},
                       token=token)["awaitingUpdates"]
    # then each page is in list order (oldest first), and PageInfo says what lies behind
    assert starts(tail) == [iso(t) for t in times[3:]]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    assert tail["pageInfo"]["hasNextPage"] is False
    assert starts(before) == [iso(t) for t in times[1:3]]
    assert before["pageInfo"]["hasPreviousPage"] is True
    assert before["pageInfo"]["hasNextPage"] is True
    assert starts(rest) == [iso(times[0])]
    assert rest["pageInfo"]["hasPreviousPage"] is False
    # and a forward page after the oldest picks up exactly where the backward one began
    forward = awaiting(client, token, first=2, after=rest["pageInfo"]["endCursor"])
    assert starts(forward) == [iso(t) for t in times[1:3]]
