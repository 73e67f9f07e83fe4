"""A caller who may not see a client learns nothing about whether it exists: every operation
that takes a client id answers a real client of another practice, a client of the same
practice one may not act for, and an id that names nobody with the very same refusal, and
changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from schema.shared.ids import to_global_id
from tests.support.appointments import book, paying_client_scene
from tests.support.clients import create_client
from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.mailbox import Mailbox

ERRORS = "userErrors { field code message }"
# Each staff operation taking a client id: its document, its input around the id, and the
# path of the refused field.
STAFF_OPERATIONS: dict[str, tuple[str, Any, list[str]]] = {
    "updateClient": (
        f"mutation M($input: UpdateClientInput!) {{ updateClient(input: $input) "
        f"{{ client {{ id }} {ERRORS} }} }}",
        lambda cid: {"clientId": cid, "profile": {"firstName": "Changed"}},
        ["input", "clientId"]),
    "inviteClient": (
        f"mutation M($input: InviteClientInput!) {{ inviteClient(input: $input) "
        f"{{ client {{ id }} {ERRORS} }} }}",
        lambda cid: {"clientId": cid}, ["input", "clientId"]),
    "createRelationship": (
        f"mutation M($input: CreateRelationshipInput!) {{ createRelationship(input: $input) "
        f"{{ relationship {{ id }} {ERRORS} }} }}",
        lambda cid: {"kind": "INDIVIDUAL", "clientIds": [cid]}, ["input", "clientIds", "0"]),
    "createPackage": (
        f"mutation M($input: CreatePackageInput!) {{ createPackage(input: $input) "
        f"{{ package {{ id }} {ERRORS} }} }}",
        lambda cid: {"clientId": cid, "name": "Five", "sessions": 5, "price": "100.00",
                     "checkout": "PAY_LATER"},
        ["input", "clientId"]),
    "requestIntakeForm": (
        f"mutation M($input: RequestIntakeFormInput!) {{ requestIntakeForm(input: $input) "
        f"{{ form {{ id }} {ERRORS} }} }}",
        lambda cid: {"clientId": cid, "title": "Intake", "questions": ["Why now?"]},
        ["input", "clientId"]),
}
CLIENT_NAME = """query Name($id: ID!) { node(id: $id) { ... on Client { firstName } } }"""


def _nobody() -> str:
    return to_global_id("Client", uuid.uuid4())


def _refusal(path: list[str]) -> list[dict[str, Any]]:
    return [{"field": path, "code": "NOT_FOUND", "message": "Client not found."}]


@pytest.mark.parametrize("operation", sorted(STAFF_OPERATIONS))
def test_another_practice_cannot_tell_its_clients_from_nobody(
    client: GraphQLClient, owner: Staff, operation: str
) -> None:
    # given a client of this practice, and the owner of another practice
    theirs = create_client(client, owner, "Real", "Person")["id"]
    outsider = register_practice(client)
    document, values, path = STAFF_OPERATIONS[operation]
    # when the outsider acts on the real client and on an id that names nobody
    answers = [client.data(document, {"input": values(cid)}, token=outsider.token)[operation]
               for cid in (theirs, _nobody())]
    # then both answers are the same NOT_FOUND, naming the field, with nothing made
    real, invented = answers
    assert real == invented
    assert real["userErrors"] == _refusal(path)
    assert all(value is None for key, value in real.items() if key != "userErrors")
    # and the real client is unchanged
    seen = client.data(CLIENT_NAME, {"id": theirs}, token=owner.token)["node"]
    assert seen == {"firstName": "Real"}


def test_a_client_cannot_tell_an_unlinked_client_from_nobody(
    client: GraphQLClient, mailbox: Mailbox, monday: datetime
) -> None:
    # given a signed-in client, and a client of the same practice they are not linked to
    scene = paying_client_scene(client, mailbox)
    stranger = create_client(client, scene.owner, "Stray", "Client")["id"]
    elsewhere = create_client(client, register_practice(client), "Far", "Away")["id"]
    # when they book for the stranger, for a client of another practice, and for nobody
    answers = [book(client, scene.client_token, practitionerId=scene.owner.practitioner_id,
                    forClientId=someone, startsAt=monday + timedelta(hours=4))
               for someone in (stranger, elsewhere, _nobody())]
    # then the three refusals are identical, and no session was booked
    assert answers == [{"session": None, "userErrors": _refusal(["input", "forClientId"])}] * 3
    mine = client.data("query { myAppointments { totalCount } }", token=scene.client_token)
    assert mine["myAppointments"]["totalCount"] == 0
