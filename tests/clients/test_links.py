"""linkClients, updateClientLink, unlinkClients and Client.links: the practice links two of its
clients with a label and four permissions each way; the link reads the same from either side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.clients import create_client, signed_in_client
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.links import (
    NONE,
    UPDATE_LINK,
    can,
    link_payload,
    linked,
    links_of,
    unlink,
)
from tests.support.mailbox import Mailbox

NOT_FOUND_CLIENT = {"field": ["input", "linkedClientId"], "code": "NOT_FOUND",
                    "message": "Client not found."}
STAFF_ONLY = {"field": None, "code": "NOT_PERMITTED",
              "message": "Only the practice's staff may do this."}
NO_LINK = {"field": ["input", "linkId"], "code": "NOT_FOUND", "message": "Link not found."}


def family(client: GraphQLClient, owner: Staff) -> tuple[str, str]:
    """A parent and a child, clients of the owner's practice: (parent id, child id)."""
    parent = create_client(client, owner, "Dana", "Parent")["id"]
    child = create_client(client, owner, "Sam", "Child")["id"]
    return parent, child


def test_a_link_reads_the_same_from_either_side(client: GraphQLClient, owner: Staff) -> None:
    # given a parent and a child
    parent, child = family(client, owner)

    # when the practice links them: the child's parent may book for the child, and the
    # child may receive copies of the parent's emails
    link = linked(client, owner, child, parent, "PARENT",
                  linked_client_can=can("bookAndManageAppointments"),
                  client_can=can("receiveNotificationCopies"))

    # then the link says the parent is the child's parent, with each side's permissions
    assert link["client"] == {"id": child} and link["linkedClient"] == {"id": parent}
    assert link["type"] == "PARENT"
    assert link["linkedClientCan"] == can("bookAndManageAppointments")
    assert link["clientCan"] == can("receiveNotificationCopies")
    # and the child's links list it as made
    assert links_of(client, owner.token, child) == [link]
    # and the parent's list it from the parent's side: the child is the parent's CHILD
    assert links_of(client, owner.token, parent) == [{
        "id": link["id"], "type": "CHILD", "client": {"id": parent},
        "linkedClient": {"id": child},
        "linkedClientCan": can("receiveNotificationCopies"),
        "clientCan": can("bookAndManageAppointments"),
    }]


@pytest.mark.parametrize(("label", "inverse"), [
    ("PARENT", "CHILD"), ("CHILD", "PARENT"), ("PARTNER", "PARTNER"), ("SIBLING", "SIBLING"),
    ("OTHER", "OTHER"), ("GUARDIAN", "WARD"), ("GRANDPARENT", "GRANDCHILD"),
    # the two labels that name the other side may be picked too
    ("WARD", "GUARDIAN"), ("GRANDCHILD", "GRANDPARENT"),
])
def test_each_label_reads_right_from_the_other_side(
    client: GraphQLClient, owner: Staff, label: str, inverse: str,
) -> None:
    one, other = family(client, owner)
    link = linked(client, owner, one, other, label)
    assert link["type"] == label
    assert [found["type"] for found in links_of(client, owner.token, one) or []] == [label]
    assert [found["type"] for found in links_of(client, owner.token, other) or []] == [inverse]


def test_permissions_default_to_none(client: GraphQLClient, owner: Staff) -> None:
    one, other = family(client, owner)
    link = linked(client, owner, one, other, "SIBLING")
    assert (link["linkedClientCan"], link["clientCan"]) == (NONE, NONE)


def test_a_client_cannot_be_linked_to_themselves(client: GraphQLClient, owner: Staff) -> None:
    parent, _ = family(client, owner)
    payload = link_payload(client, owner, parent, parent)
    assert payload == {"link": None, "userErrors": [{
        "field": ["input", "linkedClientId"], "code": "INVALID",
        "message": "A client cannot be linked to themselves."}]}
    assert links_of(client, owner.token, parent) == []


def test_one_link_per_pair_in_either_direction(client: GraphQLClient, owner: Staff) -> None:
    # given a linked pair
    parent, child = family(client, owner)
    first = linked(client, owner, child, parent, "PARENT")

    # when the practice links them again, either way round
    for one, other in ((child, parent), (parent, child)):
        payload = link_payload(client, owner, one, other, "OTHER")
        # then it is refused and the pair keeps its one link
        assert payload == {"link": None, "userErrors": [{
            "field": ["input", "linkedClientId"], "code": "ALREADY_LINKED",
            "message": "These two clients are already linked."}]}
    assert [found["id"] for found in links_of(client, owner.token, parent) or []] == [first["id"]]


def test_concurrent_links_of_one_pair_make_one_link(client: GraphQLClient, owner: Staff) -> None:
    parent, child = family(client, owner)

    def attempt(index: int) -> list[str]:
        one, other = (parent, child) if index % 2 else (child, parent)
        payload = link_payload(GraphQLClient(client.base_url), owner, one, other, "PARTNER")
        return [error["code"] for error in payload["userErrors"]]

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == [[]] + [["ALREADY_LINKED"]] * 5
    assert len(links_of(client, owner.token, parent) or []) == 1


def test_both_clients_must_be_the_practices(client: GraphQLClient, owner: Staff) -> None:
    # given a client of this practice and one of another
    parent, _ = family(client, owner)
    elsewhere = create_client(client, register_practice(client), "Lee", "Elsewhere")["id"]

    # then either way round the other practice's client reads as not found
    assert link_payload(client, owner, parent, elsewhere)["userErrors"] == [NOT_FOUND_CLIENT]
    assert link_payload(client, owner, elsewhere, parent)["userErrors"] == [{
        **NOT_FOUND_CLIENT, "field": ["input", "clientId"]}]
    # and so does an id that is not a client's
    assert link_payload(client, owner, parent, "nonsense")["userErrors"] == [NOT_FOUND_CLIENT]


def test_linking_is_the_practices_to_do(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox,
) -> None:
    # given a signed-in client and another client
    me, _, token = signed_in_client(client, owner, mailbox)
    other = create_client(client, owner, "Kim", "Other")["id"]
    as_client = Staff(token, "", owner.practice_id, "")

    # then the client may not link themselves to anyone
    assert link_payload(client, as_client, me, other)["userErrors"] == [STAFF_ONLY]
    # but any of the practice's practitioners may
    practitioner = add_practitioner(client, owner)
    link = linked(client, practitioner, me, other, "PARTNER")
    # and the client may neither change nor remove the link
    update = client.data(UPDATE_LINK, {"input": {"linkId": link["id"], "type": "OTHER"}},
                         token=token)["updateClientLink"]
    assert update == {"link": None, "userErrors": [STAFF_ONLY]}
    assert unlink(client, as_client, link["id"]) == {"unlinkedLinkId": None,
                                                     "userErrors": [STAFF_ONLY]}


def test_a_client_sees_their_own_links_and_only_the_others_name(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox,
) -> None:
    me, _, token = signed_in_client(client, owner, mailbox)
    other = create_client(client, owner, "Kim", "Other", email="kim@example.com")["id"]
    link = linked(client, owner, me, other, "PARTNER", client_can=can("usePackageSessions"))
    query = """query($id: ID!) { node(id: $id) { ... on Client { links {
        id linkedClient { firstName email } clientCan { usePackageSessions } } } } }"""
    assert client.data(query, {"id": me}, token=token)["node"]["links"] == [{
        "id": link["id"], "linkedClient": {"firstName": "Kim", "email": None},
        "clientCan": {"usePackageSessions": True}}]
    # the other client's profile, links included, stays out of reach
    assert links_of(client, token, other) is None


def test_updating_a_link_changes_only_what_is_given(client: GraphQLClient, owner: Staff) -> None:
    # given a link
    parent, child = family(client, owner)
    link = linked(client, owner, child, parent, "GUARDIAN",
                  linked_client_can=can("bookAndManageAppointments"),
                  client_can=can("receiveNotificationCopies"))

    # when the practice relabels it and changes what the linked client may do
    values = {"linkId": link["id"], "type": "PARENT",
              "linkedClientCan": {"completeIntakeForms": True}}
    payload = client.data(UPDATE_LINK, {"input": values}, token=owner.token)["updateClientLink"]

    # then the label and that side change; the other side stays
    assert payload["userErrors"] == []
    assert payload["link"] == {**link, "type": "PARENT",
                               "linkedClientCan": can("completeIntakeForms")}
    assert links_of(client, owner.token, child) == [payload["link"]]


def test_another_practices_link_reads_as_not_found(client: GraphQLClient, owner: Staff) -> None:
    parent, child = family(client, owner)
    link = linked(client, owner, child, parent)
    stranger = register_practice(client)
    update = client.data(UPDATE_LINK, {"input": {"linkId": link["id"], "type": "OTHER"}},
                         token=stranger.token)["updateClientLink"]
    assert update == {"link": None, "userErrors": [NO_LINK]}
    assert unlink(client, stranger, link["id"]) == {"unlinkedLinkId": None,
                                                    "userErrors": [NO_LINK]}
    assert links_of(client, owner.token, child) == [link]


def test_unlinking_removes_the_link_from_both_sides(client: GraphQLClient, owner: Staff) -> None:
    # given a link
    parent, child = family(client, owner)
    link = linked(client, owner, child, parent, linked_client_can=can("bookAndManageAppointments"))

    # when the practice unlinks them
    assert unlink(client, owner, link["id"]) == {"unlinkedLinkId": link["id"], "userErrors": []}

    # then neither lists it, it cannot be removed twice, and the pair may be linked again
    assert links_of(client, owner.token, child) == []
    assert links_of(client, owner.token, parent) == []
    assert unlink(client, owner, link["id"])["userErrors"] == [NO_LINK]
    assert linked(client, owner, parent, child, "CHILD")["id"] != link["id"]
