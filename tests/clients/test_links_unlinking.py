"""Unlinking takes every permission away at once: a parent the child let do everything books
for the child, sees and manages the child's sessions, gets copies of their emails and
completes their forms and uses their package sessions; one unlinkClients later, none of it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.support.appointments import (
    ADD_CARD,
    book,
    booked,
    cancel,
    next_monday,
    paying_client_scene,
    read_appointment,
)
from tests.support.clients import create_relationship, signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient
from tests.support.links import can, linked, unlink
from tests.support.mailbox import Mailbox
from tests.support.packages import book_with, packages_of, sold
from tests.support.server import RunningServer

EVERYTHING = can("bookAndManageAppointments", "completeIntakeForms",
                 "receiveNotificationCopies", "usePackageSessions")
MINE = "query { myAppointments(first: 50) { edges { node { id } } } }"
PENDING = "query { myPendingForms { id } }"
REQUEST = """mutation($input: RequestIntakeFormInput!) {
  requestIntakeForm(input: $input) { form { id } userErrors { code } } }"""
COMPLETE = """mutation($input: CompleteIntakeFormInput!) {
  completeIntakeForm(input: $input) { form { id } userErrors { field code } } }"""


def test_one_unlink_takes_every_permission_away(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, clock: TestClock,
) -> None:
    monday = next_monday(clock())
    clock.set(monday - timedelta(days=3))
    # given a parent and a child, each signed in with a card, the child letting the parent
    # do everything on their behalf
    scene = paying_client_scene(client, mailbox)
    owner, parent, parent_email, parent_token = (
        scene.owner, scene.client_id, scene.client_email, scene.client_token)
    child, _, child_token = signed_in_client(client, owner, mailbox)
    client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=child_token)
    link = linked(client, owner, child, parent, "PARENT", linked_client_can=EVERYTHING)
    relationship = create_relationship(client, owner, [child])["id"]
    package = sold(client, owner, child)["id"]

    def childs_appointment(at: datetime, assign: bool = True) -> str:
        """Booked by the practice, the parent assigned (while they are linked)."""
        return str(booked(client, owner.token, relationshipId=relationship, startsAt=at,
                          assignLinkedClientIds=[parent] if assign else [])["id"])

    def for_child(at: datetime) -> list[str]:
        payload = book(client, parent_token, practitionerId=owner.practitioner_id,
                       forClientId=child, startsAt=at)
        return [error["code"] for error in payload["userErrors"]]

    def form() -> str:
        values = {"clientId": child, "title": "History", "questions": ["Allergies?"]}
        return str(client.data(REQUEST, {"input": values},
                               token=owner.token)["requestIntakeForm"]["form"]["id"])

    def with_childs_package(at: datetime) -> dict[str, Any]:
        """The parent books a session of their own, paid with the child's package."""
        return book_with(client, parent_token, package, at,
                         practitionerId=owner.practitioner_id)

    def usable() -> list[dict[str, str]]:
        found = packages_of(client, parent_token, parent)
        assert found is not None
        return found["usablePackages"]  # type: ignore[no-any-return]

    def complete(form_id: str) -> list[str]:
        values = {"formId": form_id, "answers": {"a": 1}}
        payload = client.data(COMPLETE, {"input": values}, token=parent_token)
        return [error["code"] for error in payload["completeIntakeForm"]["userErrors"]]

    # before: each permission works
    first = childs_appointment(monday + timedelta(hours=4))
    server.drain()
    copies_before = len(mailbox.to(parent_email))
    assert for_child(monday + timedelta(days=1, hours=4)) == []
    assert first in [e["node"]["id"] for e in
                     client.data(MINE, token=parent_token)["myAppointments"]["edges"]]
    assert read_appointment(client, parent_token, first) is not None
    pending = form()
    assert [f["id"] for f in client.data(PENDING, token=parent_token)["myPendingForms"]] == [
        pending]
    server.drain()
    assert len(mailbox.to(parent_email)) > copies_before  # the form request, and copies
    assert usable() == [{"id": package}]
    own = with_childs_package(monday + timedelta(days=1, hours=6))
    assert own["userErrors"] == []

    # when the practice unlinks them
    assert unlink(client, owner, link["id"])["userErrors"] == []
    server.drain()
    heard = len(mailbox.to(parent_email))

    # then the parent can do none of it
    assert for_child(monday + timedelta(days=2, hours=4)) == ["NOT_FOUND"]
    assert client.data(MINE, token=parent_token)["myAppointments"]["edges"] == [
        {"node": {"id": own["session"]["id"]}}]  # their own session only
    assert read_appointment(client, parent_token, first) is None
    assert cancel(client, parent_token, first)["userErrors"][0]["code"] == "NOT_FOUND"
    assert client.data(PENDING, token=parent_token)["myPendingForms"] == []
    assert complete(pending) == ["NOT_FOUND"]
    assert usable() == []
    assert with_childs_package(monday + timedelta(days=2, hours=6))["userErrors"] == [{
        "field": ["input", "packageId"], "code": "NOT_FOUND", "message": "Package not found."}]
    # and hears nothing more of the child's sessions or forms
    childs_appointment(monday + timedelta(days=3, hours=4), assign=False)
    assert cancel(client, owner.token, first)["userErrors"] == []
    form()
    server.drain()
    assert len(mailbox.to(parent_email)) == heard
    # while the child keeps everything of their own
    assert read_appointment(client, child_token, first)["status"] == "CANCELLED"  # type: ignore[index]
    mine = [f["id"] for f in client.data(PENDING, token=child_token)["myPendingForms"]]
    assert pending in mine and len(mine) == 2
