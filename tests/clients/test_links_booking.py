"""Book and manage appointments for a linked client: booking with forClientId, the other's
sessions in myAppointments and through node(id:), moving and cancelling them under the
client's policy; and none of it once the permission is taken away or the clients unlinked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.appointments import (
    ADD_CARD,
    Scene,
    book,
    booked,
    cancel,
    paying_client_scene,
    read_appointment,
    reschedule,
    submit_update,
)
from tests.support.clients import create_client, create_relationship, signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, register_practice
from tests.support.links import UPDATE_LINK, can, linked, unlink
from tests.support.mailbox import Mailbox

BOOKS = can("bookAndManageAppointments")
MINE = """query { myAppointments(first: 50) { totalCount edges { node {
    id attendees { id firstName } bookedBy { id } } } } }"""
NO_APPOINTMENT = {"field": ["input", "sessionId"], "code": "NOT_FOUND",
              "message": "Session not found."}
NO_CLIENT = {"field": ["input", "forClientId"], "code": "NOT_FOUND",
             "message": "Client not found."}
NOT_ALLOWED = {"field": ["input", "forClientId"], "code": "NOT_PERMITTED",
               "message": "This client has not allowed you to book and manage their "
               "appointments."}


@dataclass
class Family:
    """The scene's client is the parent (with a card); the child signs in and has a card."""

    scene: Scene
    child_id: str
    child_token: str

    @property
    def parent_id(self) -> str:
        return self.scene.client_id

    @property
    def parent_token(self) -> str:
        return self.scene.client_token



@pytest.fixture
def family(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Family:
    scene = paying_client_scene(client, mailbox)
    child_id, _, child_token = signed_in_client(client, scene.owner, mailbox)
    added = client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=child_token)
    assert added["addPaymentMethod"]["userErrors"] == []
    return Family(scene, child_id, child_token)


def link_family(client: GraphQLClient, family: Family, **permissions: dict[str, bool]
                ) -> dict[str, Any]:
    """The child's link to the parent; `linked_client_can` is what the parent may do."""
    return linked(client, family.scene.owner, family.child_id, family.parent_id, "PARENT",
                  **permissions)


def for_child(client: GraphQLClient, family: Family, starts_at: datetime) -> dict[str, Any]:
    return book(client, family.parent_token, practitionerId=family.scene.owner.practitioner_id,
                forClientId=family.child_id, startsAt=starts_at)


def childs_appointment(
    client: GraphQLClient, family: Family, starts_at: datetime, *, assign_parent: bool = True
) -> str:
    """A session of the child's own, booked by the practice (the parent assigned to it
    unless told otherwise); the child pays."""
    relationship = create_relationship(client, family.scene.owner, [family.child_id])["id"]
    assigned = [family.parent_id] if assign_parent else []
    return str(booked(client, family.scene.owner.token, relationshipId=relationship,
                      startsAt=starts_at, assignLinkedClientIds=assigned)["id"])


def mine(client: GraphQLClient, token: str) -> list[str]:
    page = client.data(MINE, token=token)["myAppointments"]
    return [edge["node"]["id"] for edge in page["edges"]]


def test_a_permitted_parent_books_for_the_child(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given the child lets the parent book and manage for them
    link_family(client, family, linked_client_can=BOOKS)

    # when the parent books a session for the child
    payload = for_child(client, family, monday + timedelta(hours=4))

    # then the session is the child's, booked by the parent
    assert payload["userErrors"] == []
    booked_appointment = payload["session"]
    assert booked_appointment["attendees"] == [{"id": family.child_id}]
    assert booked_appointment["bookedBy"] == {"id": family.parent_id}
    assert booked_appointment["payer"] == {"id": family.child_id}
    # and both see it, the parent's list saying whom it is for
    page = client.data(MINE, token=family.parent_token)["myAppointments"]
    assert page["edges"][0]["node"]["attendees"][0]["id"] == family.child_id
    assert mine(client, family.child_token) == [booked_appointment["id"]]
    assert read_appointment(client, family.parent_token, booked_appointment["id"]) is not None


def test_booking_for_oneself_by_forclientid_is_plain_booking(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    payload = book(client, family.parent_token,
                   practitionerId=family.scene.owner.practitioner_id,
                   forClientId=family.parent_id, startsAt=monday + timedelta(hours=4))
    assert payload["userErrors"] == []
    assert payload["session"]["attendees"] == [{"id": family.parent_id}]


def test_a_link_without_the_permission_refuses_booking(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given the parent may do everything else for the child, and the child may book for
    # the parent: the permission that counts is the one the child gives
    link_family(client, family, client_can=BOOKS, linked_client_can=can(
        "completeIntakeForms", "receiveNotificationCopies", "usePackageSessions"))

    # then the parent may not book for the child
    assert for_child(client, family, monday + timedelta(hours=4)) == {
        "session": None, "userErrors": [NOT_ALLOWED]}
    assert mine(client, family.child_token) == []


def test_a_client_one_is_not_linked_to_reads_as_not_found(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # an unlinked client of the same practice, and one of another practice
    stranger = create_client(client, family.scene.owner, "Stray", "Client")["id"]
    elsewhere = create_client(client, register_practice(client), "Far", "Away")["id"]
    for someone in (stranger, elsewhere, family.child_id):
        payload = book(client, family.parent_token,
                       practitionerId=family.scene.owner.practitioner_id,
                       forClientId=someone, startsAt=monday + timedelta(hours=4))
        assert payload == {"session": None, "userErrors": [NO_CLIENT]}


def test_the_parent_sees_moves_and_cancels_the_childs_appointments(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given two sessions of the child's own, which the parent neither attends nor pays for,
    # the parent assigned to both while the link gives them nothing
    link = link_family(client, family)
    first = childs_appointment(client, family, monday + timedelta(hours=4))
    second = childs_appointment(client, family, monday + timedelta(days=1, hours=4))
    assert mine(client, family.parent_token) == []

    # when the child lets the parent book and manage for them
    values = {"linkId": link["id"], "linkedClientCan": BOOKS}
    update = client.data(UPDATE_LINK, {"input": values}, token=family.scene.owner.token)
    assert update["updateClientLink"]["userErrors"] == []

    # then the parent sees both
    assert set(mine(client, family.parent_token)) == {first, second}
    assert read_appointment(client, family.parent_token, first)["attendees"] == [  # type: ignore[index]
        {"id": family.child_id}]
    # and moves one and cancels the other under the client's policy (more than 48 hours)
    moved = reschedule(client, family.parent_token, first, monday + timedelta(days=2, hours=4))
    assert moved["userErrors"] == []
    cancelled = cancel(client, family.parent_token, second)
    assert (cancelled["userErrors"], cancelled["lateCancellation"]) == ([], False)
    assert cancelled["session"]["status"] == "CANCELLED"


def test_the_parent_is_held_to_the_clients_notice_window(
    client: GraphQLClient, family: Family, monday: datetime, clock: TestClock,
) -> None:
    # given a session of the child's tomorrow, inside the 48-hour window
    link_family(client, family, linked_client_can=BOOKS)
    soon = childs_appointment(client, family, monday + timedelta(hours=4))
    clock.set(monday - timedelta(hours=20))

    # then the parent may not move it, and cancelling it is late
    moved = reschedule(client, family.parent_token, soon, monday + timedelta(days=1, hours=4))
    assert [error["code"] for error in moved["userErrors"]] == ["LATE_CHANGE"]
    cancelled = cancel(client, family.parent_token, soon)
    assert (cancelled["userErrors"], cancelled["lateCancellation"]) == ([], True)


def test_taking_the_permission_away_takes_the_appointments_away(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given the parent booked for the child and sees the child's own session
    link = link_family(client, family, linked_client_can=BOOKS)
    theirs = childs_appointment(client, family, monday + timedelta(hours=4))
    booked_for = for_child(client, family, monday + timedelta(days=1, hours=4))["session"]
    assert set(mine(client, family.parent_token)) == {theirs, booked_for["id"]}

    # when the practice takes the permission away
    values = {"linkId": link["id"], "linkedClientCan": can("receiveNotificationCopies")}
    update = client.data(UPDATE_LINK, {"input": values}, token=family.scene.owner.token)
    assert update["updateClientLink"]["userErrors"] == []

    # then the parent may not book for the child, and the child's sessions are out of
    # sight, the one the parent booked too (the child attends and pays for it)
    assert for_child(client, family, monday + timedelta(days=2, hours=4)) == {
        "session": None, "userErrors": [NOT_ALLOWED]}
    assert mine(client, family.parent_token) == []
    assert read_appointment(client, family.parent_token, theirs) is None
    assert cancel(client, family.parent_token, theirs)["userErrors"] == [NO_APPOINTMENT]


def test_unlinking_takes_booking_and_managing_away(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given the parent may book and manage for the child
    link = link_family(client, family, linked_client_can=BOOKS)
    theirs = childs_appointment(client, family, monday + timedelta(hours=4))
    assert theirs in mine(client, family.parent_token)

    # when the practice unlinks them
    assert unlink(client, family.scene.owner, link["id"])["userErrors"] == []

    # then the child reads as a stranger to the parent, and so do the child's sessions
    assert for_child(client, family, monday + timedelta(days=1, hours=4)) == {
        "session": None, "userErrors": [NO_CLIENT]}
    assert mine(client, family.parent_token) == []
    assert read_appointment(client, family.parent_token, theirs) is None
    assert reschedule(client, family.parent_token, theirs,
                      monday + timedelta(days=2, hours=4))["userErrors"] == [NO_APPOINTMENT]
    assert cancel(client, family.parent_token, theirs)["userErrors"] == [NO_APPOINTMENT]
    # and the child's session is as it was
    assert read_appointment(client, family.child_token, theirs)["status"] == "SCHEDULED"  # type: ignore[index]


# ------------------------------------------------------------------ assigned per session

NO_LINKED_CLIENT = {"field": ["input", "assignLinkedClientIds", "0"], "code": "NOT_FOUND",
                    "message": "Client not found."}


def test_the_link_applies_only_to_the_sessions_the_parent_is_assigned_to(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given the child lets the parent book and manage, and the practice books two sessions
    # of the child's, assigning the parent to the first only
    link_family(client, family, linked_client_can=BOOKS)
    assigned = childs_appointment(client, family, monday + timedelta(hours=4))
    other = childs_appointment(client, family, monday + timedelta(days=1, hours=4),
                               assign_parent=False)

    # then the parent sees, moves and cancels the first, and nothing of the second
    assert mine(client, family.parent_token) == [assigned]
    assert read_appointment(client, family.parent_token, other) is None
    assert reschedule(client, family.parent_token, other,
                      monday + timedelta(days=2, hours=4))["userErrors"] == [NO_APPOINTMENT]
    assert cancel(client, family.parent_token, other)["userErrors"] == [NO_APPOINTMENT]
    assert cancel(client, family.parent_token, assigned)["userErrors"] == []
    # and the second is as it was, for the child and the practice
    assert read_appointment(client, family.child_token, other)["status"] == "SCHEDULED"  # type: ignore[index]


def test_an_assignment_without_the_permission_grants_nothing(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    link_family(client, family, linked_client_can=can("receiveNotificationCopies"))
    assigned = childs_appointment(client, family, monday + timedelta(hours=4))
    assert mine(client, family.parent_token) == []
    assert read_appointment(client, family.parent_token, assigned) is None


def test_only_a_client_linked_to_an_attendee_may_be_assigned(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    # given a client of the practice not linked to the child, and one of another practice
    stranger = create_client(client, family.scene.owner, "Stray", "Client")["id"]
    elsewhere = create_client(client, register_practice(client), "Far", "Away")["id"]
    relationship = create_relationship(client, family.scene.owner, [family.child_id])["id"]

    # when the practice assigns either to a session of the child's
    for someone in (stranger, elsewhere, "bm90IGFuIGlk"):
        payload = book(client, family.scene.owner.token, relationshipId=relationship,
                       startsAt=monday + timedelta(hours=4), assignLinkedClientIds=[someone])

        # then nothing is booked, and the entry is named
        assert payload == {"session": None, "userErrors": [NO_LINKED_CLIENT]}
    assert mine(client, family.child_token) == []


def test_a_client_booking_assigns_nobody_else(
    client: GraphQLClient, family: Family, monday: datetime,
) -> None:
    link_family(client, family, linked_client_can=BOOKS)
    payload = book(client, family.parent_token, practitionerId=family.scene.owner.practitioner_id,
                   forClientId=family.child_id, startsAt=monday + timedelta(hours=4),
                   assignLinkedClientIds=[family.parent_id])
    assert payload == {"session": None, "userErrors": [{
        "field": ["input", "assignLinkedClientIds"], "code": "NOT_PERMITTED",
        "message": "Only the practice assigns linked clients to a session."}]}


def test_a_follow_up_keeps_the_sessions_assignments(
    client: GraphQLClient, family: Family, monday: datetime, clock: TestClock,
) -> None:
    # given the parent assigned to a session of the child's that has started
    link_family(client, family, linked_client_can=BOOKS)
    assigned = childs_appointment(client, family, monday + timedelta(hours=4))
    clock.set(monday + timedelta(hours=5))

    # when the practitioner records it and books the same weekly slot
    payload = submit_update(client, family.scene.owner.token, assigned)
    assert payload["userErrors"] == []

    # then the parent sees the follow-up too
    assert payload["followUpSession"]["id"] in mine(client, family.parent_token)
