"""Intake forms: the practice requests one; it is emailed to the client and to linked clients
the client lets complete forms; the client or such a linked client completes it once; it stays
in the client's profile with who completed it; unlinking takes all of it away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.clients import ERRORS, create_client, signed_in_client
from tests.support.graphql import GraphQLClient, Staff, register_practice, unique_email
from tests.support.links import can, linked, unlink
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

FORM_FIELDS = ("id title questions status answers completedAt client { id } "
               "completedBy { id }")
REQUEST = f"""
mutation Request($input: RequestIntakeFormInput!) {{
  requestIntakeForm(input: $input) {{ form {{ {FORM_FIELDS} }} {ERRORS} }}
}}
"""
COMPLETE = f"""
mutation Complete($input: CompleteIntakeFormInput!) {{
  completeIntakeForm(input: $input) {{ form {{ {FORM_FIELDS} }} {ERRORS} }}
}}
"""
PENDING = "query { myPendingForms { id title client { id firstName } } }"
CLIENT_FORMS = f"""
query Forms($id: ID!) {{ node(id: $id) {{ ... on Client {{ intakeForms {{ {FORM_FIELDS} }} }} }} }}
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
FORMS = can("completeIntakeForms")
NO_FORM = {"field": ["input", "formId"], "code": "NOT_FOUND", "message": "Intake form not found."}
ANSWERS = {"allergies": "none", "medication": ["ibuprofen"]}


@dataclass
class Household:
    owner: Staff
    child_id: str
    child_email: str
    parent_id: str
    parent_email: str
    parent_token: str


@pytest.fixture
def household(client: GraphQLClient, owner: Staff, mailbox: Mailbox) -> Household:
    """A child with an address but no sign-in, and a signed-in parent; not linked yet."""
    email = unique_email("child")
    child = create_client(client, owner, "Sam", "Child", email=email)["id"]
    parent, parent_email, token = signed_in_client(client, owner, mailbox)
    return Household(owner, child, email, parent, parent_email, token)


def request(client: GraphQLClient, staff: Staff, client_id: str, **values: Any
            ) -> dict[str, Any]:
    variables = {"input": {"clientId": client_id, "title": "Health history",
                           "questions": ["Allergies?", "Medication?"], **values}}
    return client.data(REQUEST, variables, token=staff.token)["requestIntakeForm"]  # type: ignore[no-any-return]


def requested(client: GraphQLClient, staff: Staff, client_id: str) -> dict[str, Any]:
    payload = request(client, staff, client_id)
    assert payload["userErrors"] == []
    return payload["form"]  # type: ignore[no-any-return]


def complete(client: GraphQLClient, token: str, form_id: str, answers: Any = None
             ) -> dict[str, Any]:
    variables = {"input": {"formId": form_id, "answers": answers or ANSWERS}}
    return client.data(COMPLETE, variables, token=token)["completeIntakeForm"]  # type: ignore[no-any-return]


def pending(client: GraphQLClient, token: str) -> list[str]:
    return [f["id"] for f in client.data(PENDING, token=token)["myPendingForms"]]


def test_a_request_goes_to_the_client_and_the_permitted_linked_client(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, household: Household,
) -> None:
    # given the child lets the parent complete forms, and lets a sibling only book
    sibling_email = unique_email("sibling")
    sibling = create_client(client, household.owner, "Ari", "Sibling", email=sibling_email)
    linked(client, household.owner, household.child_id, household.parent_id, "PARENT",
           linked_client_can=FORMS)
    linked(client, household.owner, household.child_id, sibling["id"], "SIBLING",
           linked_client_can=can("bookAndManageAppointments"), client_can=FORMS)

    # when the practice requests a form for the child
    form = requested(client, household.owner, household.child_id)

    # then it is pending, in the child's profile
    assert form == {"id": form["id"], "title": "Health history",
                    "questions": ["Allergies?", "Medication?"], "status": "PENDING",
                    "answers": None, "completedAt": None, "client": {"id": household.child_id},
                    "completedBy": None}
    forms = client.data(CLIENT_FORMS, {"id": household.child_id}, token=household.owner.token)
    assert forms["node"]["intakeForms"] == [form]
    # and the child and the parent are asked to fill it in; the sibling is not
    server.drain()
    [to_child] = mailbox.to(household.child_email)
    assert to_child.subject.strip() == (
        "Calm Waters Therapy asks you to fill in a form: Health history")
    [to_parent] = [m for m in mailbox.to(household.parent_email) if "form" in m.subject]
    assert to_parent.subject.strip() == (
        "Calm Waters Therapy asks you to fill in a form for Sam Child: Health history")
    assert mailbox.to(sibling_email) == []


def test_a_permitted_parent_completes_the_childs_form_once(
    client: GraphQLClient, household: Household,
) -> None:
    # given a pending form of the child's, which the parent may complete
    linked(client, household.owner, household.child_id, household.parent_id, "PARENT",
           linked_client_can=FORMS)
    form = requested(client, household.owner, household.child_id)
    assert pending(client, household.parent_token) == [form["id"]]

    # when the parent completes it
    payload = complete(client, household.parent_token, form["id"])

    # then it is completed by the parent, and stays in the child's profile
    assert payload["userErrors"] == []
    done = payload["form"]
    assert (done["status"], done["answers"], done["completedBy"], done["client"]) == (
        "COMPLETED", ANSWERS, {"id": household.parent_id}, {"id": household.child_id})
    assert done["completedAt"] is not None
    forms = client.data(CLIENT_FORMS, {"id": household.child_id}, token=household.owner.token)
    assert forms["node"]["intakeForms"] == [done]
    assert client.data(CLIENT_FORMS, {"id": household.parent_id},
                       token=household.owner.token)["node"]["intakeForms"] == []
    # and it is no longer pending, nor can it be completed again
    assert pending(client, household.parent_token) == []
    assert complete(client, household.parent_token, form["id"], {"x": 1}) == {
        "form": None, "userErrors": [{"field": ["input", "formId"], "code": "INVALID_STATE",
                                      "message": "This form has already been completed."}]}


def test_a_client_completes_their_own_form(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox,
) -> None:
    me, _, token = signed_in_client(client, owner, mailbox)
    form = requested(client, owner, me)
    assert pending(client, token) == [form["id"]]
    payload = complete(client, token, form["id"])
    assert payload["userErrors"] == [] and payload["form"]["completedBy"] == {"id": me}


@pytest.mark.parametrize("permissions", [
    {},
    {"linked_client_can": can("bookAndManageAppointments", "receiveNotificationCopies",
                              "usePackageSessions")},
    {"client_can": FORMS},  # the wrong way round
])
def test_without_the_permission_the_form_is_out_of_reach(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, household: Household,
    permissions: dict[str, dict[str, bool]],
) -> None:
    linked(client, household.owner, household.child_id, household.parent_id, "PARENT",
           **permissions)
    form = requested(client, household.owner, household.child_id)
    server.drain()
    assert [m for m in mailbox.to(household.parent_email) if "form" in m.subject] == []
    assert pending(client, household.parent_token) == []
    assert client.data(NODE, {"id": form["id"]}, token=household.parent_token) == {"node": None}
    assert complete(client, household.parent_token, form["id"]) == {
        "form": None, "userErrors": [NO_FORM]}


def test_unlinking_takes_the_forms_away(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, household: Household,
) -> None:
    # given the parent may complete the child's forms, and sees one pending
    link = linked(client, household.owner, household.child_id, household.parent_id, "PARENT",
                  linked_client_can=FORMS)
    first = requested(client, household.owner, household.child_id)
    server.drain()
    assert client.data(NODE, {"id": first["id"]}, token=household.parent_token) == {
        "node": {"id": first["id"]}}

    # when the practice unlinks them and requests another form
    assert unlink(client, household.owner, link["id"])["userErrors"] == []
    second = requested(client, household.owner, household.child_id)
    server.drain()

    # then the parent was asked about the first only, sees neither, and completes neither
    asked = [m for m in mailbox.to(household.parent_email) if "form" in m.subject]
    assert len(asked) == 1
    assert pending(client, household.parent_token) == []
    for form in (first, second):
        assert client.data(NODE, {"id": form["id"]}, token=household.parent_token) == {
            "node": None}
        assert complete(client, household.parent_token, form["id"]) == {
            "form": None, "userErrors": [NO_FORM]}


def test_requesting_is_the_practices_and_checks_the_form(
    client: GraphQLClient, household: Household,
) -> None:
    as_client = Staff(household.parent_token, "", household.owner.practice_id, "")
    assert request(client, as_client, household.child_id)["userErrors"] == [{
        "field": None, "code": "NOT_PERMITTED",
        "message": "Only the practice's staff may do this."}]
    elsewhere = create_client(client, register_practice(client), "Far", "Away")["id"]
    assert request(client, household.owner, elsewhere)["userErrors"] == [{
        "field": ["input", "clientId"], "code": "NOT_FOUND", "message": "Client not found."}]
    payload = request(client, household.owner, household.child_id, title=" ",
                      questions=["Fine?", ""])
    assert payload == {"form": None, "userErrors": [
        {"field": ["input", "title"], "code": "INVALID",
         "message": "A title of 1 to 200 characters is needed."},
        {"field": ["input", "questions", "1"], "code": "INVALID",
         "message": "A question cannot be empty."},
    ]}
    assert request(client, household.owner, household.child_id, questions=[])[
        "userErrors"] == [{"field": ["input", "questions"], "code": "INVALID",
                           "message": "Between 1 and 100 questions are needed."}]
