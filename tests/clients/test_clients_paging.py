"""The clients connection pages by keyset (last name, first name, id): a client added or
removed between pages neither shifts nor repeats the list; `last`/`before` read it from the
end; a cursor that is not this connection's is the caller's error."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.clients import create_client
from tests.support.graphql import GraphQLClient, Staff

CLIENTS = """
query Clients($first: Int, $after: String, $last: Int, $before: String) {
  clients(includeInactive: true, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { lastName } }
  }
}
"""

APPOINTMENTS = """
query Mine($after: String) { myAppointments(first: 1, after: $after) { totalCount } }
"""


def _page(client: GraphQLClient, owner: Staff, **arguments: object) -> dict:  # type: ignore[type-arg]
    return client.data(CLIENTS, arguments, token=owner.token)["clients"]  # type: ignore[no-any-return]


def _names(page: dict) -> list[str]:  # type: ignore[type-arg]
    return [edge["node"]["lastName"] for edge in page["edges"]]


def test_a_client_added_before_the_cursor_does_not_shift_the_next_page(
    client: GraphQLClient, owner: Staff
) -> None:
    # given four clients, read two at a time
    for last in ("Baker", "Cole", "Dunn", "Eyre"):
        create_client(client, owner, "Pat", last)
    first = _page(client, owner, first=2)
    # when a client sorting before the cursor is added, and one already read is not changed
    create_client(client, owner, "Pat", "Abbot")
    second = _page(client, owner, first=2, after=first["pageInfo"]["endCursor"])
    # then the next page starts right after the last one read: nothing repeated or skipped
    assert _names(first) == ["Baker", "Cole"]
    assert _names(second) == ["Dunn", "Eyre"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["totalCount"] == 5


def test_last_and_before_read_the_list_from_its_end(client: GraphQLClient, owner: Staff) -> None:
    # given five clients
    for last in ("Baker", "Cole", "Dunn", "Eyre", "Frost"):
        create_client(client, owner, "Pat", last)
    # when the last two are read, then the two before them, then what is left
    tail = _page(client, owner, last=2)
    middle = _page(client, owner, last=2, before=tail["pageInfo"]["startCursor"])
    head = _page(client, owner, last=2, before=middle["pageInfo"]["startCursor"])
    # then every page is in list order, and says whether more lies before it
    assert [_names(p) for p in (head, middle, tail)] == [
        ["Baker"], ["Cole", "Dunn"], ["Eyre", "Frost"]]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (head, middle, tail)] == [
        False, True, True]
    assert [p["pageInfo"]["hasNextPage"] for p in (head, middle, tail)] == [True, True, False]
    # and first/after with before reads just the items between the two cursors
    between = _page(client, owner, first=10, after=head["pageInfo"]["endCursor"],
                    before=tail["pageInfo"]["startCursor"])
    assert _names(between) == ["Cole", "Dunn"]


def _forged(parts: list[list[str]]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


@pytest.mark.parametrize(("arguments", "argument"), [
    ({"first": 1, "after": "not-a-cursor"}, "after"),
    ({"last": 1, "before": base64.urlsafe_b64encode(b"offset:3").decode()}, "before"),
    ({"first": 1, "after": _forged([["t", "2026-01-01T00:00:00+00:00"],
                                    ["u", "00000000-0000-0000-0000-000000000001"]])}, "after"),
    ({"first": 1, "last": 1}, "last"),
    ({"last": 101}, "last"),
])
def test_a_cursor_or_size_that_does_not_fit_is_the_callers_error(
    client: GraphQLClient, owner: Staff, arguments: dict, argument: str  # type: ignore[type-arg]
) -> None:
    # given one client
    create_client(client, owner, "Pat", "Only")
    # when the clients are asked for with a bad cursor, a session's cursor, or both sizes
    response = client.execute(CLIENTS, arguments, token=owner.token)
    # then one BAD_USER_INPUT error names the argument, and no page is answered
    assert [(e["extensions"]["code"], e["extensions"]["argument"]) for e in response.errors] == [
        ("BAD_USER_INPUT", argument)]
    assert response.body["data"] is None


def test_a_clients_cursor_is_refused_by_a_appointments_connection(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a cursor from the clients connection
    create_client(client, owner, "Pat", "Only")
    cursor = _page(client, owner, first=1)["pageInfo"]["endCursor"]
    # when it is given to a sessions connection
    response = client.execute(APPOINTMENTS, {"after": cursor}, token=owner.token)
    # then that connection refuses it as not its own
    assert [(e["extensions"]["code"], e["extensions"]["argument"]) for e in response.errors] == [
        ("BAD_USER_INPUT", "after")]
