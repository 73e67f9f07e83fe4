"""Access, generated from the served schema: every Node type is read (all its leaf fields)
and every root list field is walked (every id it reaches) by each kind of caller, and the
test fails on anything a caller may not see.

One practice holds one of every Node type around one client (the victim). Callers: the
owner and another practitioner (who see it all: the positive control), the owner of another
practice, an unrelated client, clients linked to the victim lacking each permission and one
after unlinking, anonymous, and a publishable key of this practice and of another."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)

from tests.support.appointments import (
    ADD_CARD,
    booked,
    iso,
    next_monday,
    reserve_slot,
    take_payment,
)
from tests.support.clients import create_relationship, signed_in_client
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.group_sessions import create_service, enrolled, new_group_session
from tests.support.links import can, linked, unlink
from tests.support.mailbox import Mailbox
from tests.support.packages import sold
from tests.support.server import RunningServer
from tests.support.widgets import ORIGIN, create_key

PERMISSIONS = ["bookAndManageAppointments", "completeIntakeForms",
               "receiveNotificationCopies", "usePackageSessions"]
# What each link permission opens of the victim's things (the rest stays closed to links);
# a session's relationship is non-null in the contract, so managing it reaches that id.
OPENS = {"bookAndManageAppointments": {"Session", "Relationship"},
         "completeIntakeForms": {"IntakeForm"},
         "usePackageSessions": {"Package"}, "receiveNotificationCopies": set()}
PRACTICE_LEVEL = {"Practice", "Practitioner", "Service", "GroupSession"}
REQUEST_FORM = """mutation F($input: RequestIntakeFormInput!) {
  requestIntakeForm(input: $input) { form { id } userErrors { code } } }"""
ADD_TIME_OFF = """mutation T($input: AddTimeOffInput!) {
  addTimeOff(input: $input) { timeOff { id } userErrors { code } } }"""
CHARGE = "query C($id: ID!) { node(id: $id) { ... on Session { charge { id } } } }"
JOIN_WAITLIST = """mutation W($input: JoinWaitlistInput!) {
  joinWaitlist(input: $input) { entry { id } userErrors { code } } }"""
_ID = re.compile(r'"id":\s*"([^"]+)"')


@dataclass
class Caller:
    name: str
    send: Callable[[str, dict[str, Any]], dict[str, Any]]
    forbidden: set[str]  # Node type names of this practice it may not see
    must_see: set[str] = field(default_factory=set)


@dataclass
class World:
    nodes: dict[str, str]  # Node type name -> the id of one of them
    callers: list[Caller]


def _as(client: GraphQLClient, token: str | None) -> Callable[[str, dict[str, Any]], Any]:
    return lambda query, variables: client.execute(query, variables, token=token).body


def _as_key(base_url: str, key: str) -> Callable[[str, dict[str, Any]], Any]:
    def send(query: str, variables: dict[str, Any]) -> Any:
        headers = {"X-Caseload-Key": key, "Origin": ORIGIN}
        response = httpx.post(f"{base_url}/graphql", json={"query": query,
                              "variables": variables}, headers=headers, timeout=30)
        return response.json()
    return send


def _signed_in(client: GraphQLClient, owner: Staff, mailbox: Mailbox) -> tuple[str, str]:
    client_id, _, token = signed_in_client(client, owner, mailbox)
    return client_id, token


def _build(client: GraphQLClient, server: RunningServer, mailbox: Mailbox) -> World:
    owner = register_practice(client, sessionPrice="80.00")
    colleague = add_practitioner(client, owner)
    victim, victim_token = _signed_in(client, owner, mailbox)
    assert client.data(ADD_CARD, {"input": {"token": "tok_visa"}},
                       token=victim_token)["addPaymentMethod"]["userErrors"] == []
    relationship = create_relationship(client, owner, [victim])["id"]
    monday = next_monday(server.clock()) + timedelta(days=7)
    appointment = booked(client, owner.token, relationshipId=relationship,
                     startsAt=monday + timedelta(hours=4))["id"]
    take_payment(server, appointment)
    charge = client.data(CHARGE, {"id": appointment}, token=owner.token)["node"]["charge"]["id"]
    slot = reserve_slot(client, owner.token, relationship, "WEDNESDAY", "11:00")
    form = client.data(REQUEST_FORM, {"input": {"clientId": victim, "title": "Intake",
                                                "questions": ["Why now?"]}}, token=owner.token)
    service = create_service(client, owner, "Yoga")
    group = new_group_session(client, owner, service)
    enrolment = enrolled(client, owner, clientId=victim, sessionId=group, firstDate="2027-06-01")
    waiting = client.data(JOIN_WAITLIST, {"input": {
        "relationshipId": relationship, "from": iso(monday), "to": iso(monday + timedelta(
            days=1))}}, token=owner.token)["joinWaitlist"]["entry"]["id"]
    time_off = client.data(ADD_TIME_OFF, {"input": {
        "practitionerId": owner.practitioner_id, "startsOn": "2099-01-04"}},
        token=owner.token)["addTimeOff"]["timeOff"]["id"]
    nodes = {
        "Practice": owner.practice_id, "Practitioner": owner.practitioner_id, "Client": victim,
        "Relationship": relationship, "Session": appointment, "Charge": charge,
        "ReservedSlot": slot["reservedSlot"]["id"], "Service": service, "GroupSession": group,
        "SessionSubscription": enrolment["subscription"]["id"],
        "Invoice": enrolment["invoice"]["id"],
        "Package": sold(client, owner, victim)["id"],
        "IntakeForm": form["requestIntakeForm"]["form"]["id"],
        "WaitlistEntry": waiting,
        "TimeOff": time_off,
    }
    private = set(nodes) - PRACTICE_LEVEL
    everything = set(nodes) | {"ClientLink"}
    callers = [
        Caller("owner", _as(client, owner.token), set(), must_see=everything),
        Caller("practitioner", _as(client, colleague.token), set(), must_see=everything),
        Caller("another practice's owner", _as(client, register_practice(client).token),
               everything),
        Caller("unrelated client", _as(client, _signed_in(client, owner, mailbox)[1]),
               private | {"ClientLink"}),
        Caller("anonymous", _as(client, None), everything),
    ]
    for lacking in PERMISSIONS:
        other, token = _signed_in(client, owner, mailbox)
        granted = [p for p in PERMISSIONS if p != lacking]
        link = linked(client, owner, victim, other, "PARENT",
                      linked_client_can=can(*granted))
        nodes["ClientLink"] = link["id"]
        opened = set().union(*(OPENS[p] for p in granted))
        callers.append(Caller(f"linked client lacking {lacking}", _as(client, token),
                              private - opened - {"Client"}))
    gone, gone_token = _signed_in(client, owner, mailbox)
    link = linked(client, owner, victim, gone, "PARENT", linked_client_can=can(*PERMISSIONS))
    assert unlink(client, owner, link["id"])["userErrors"] == []
    callers.append(Caller("client after unlinking", _as(client, gone_token),
                          private | {"ClientLink"}))
    for name, practice_owner in (("this practice's key", owner),
                                 ("another practice's key", register_practice(client))):
        key = create_key(client, practice_owner)
        callers.append(Caller(name, _as_key(client.base_url, key.text), everything))
    return World(nodes, callers)


@pytest.fixture(scope="module")
def world(server: RunningServer, mailbox_server: tuple[str, Mailbox]) -> Iterator[World]:
    graphql = GraphQLClient(server.base_url, mailbox_server[1])
    yield _build(graphql, server, mailbox_server[1])
    graphql.http.close()


@pytest.fixture(scope="module")
def served(server: RunningServer) -> Any:
    response = httpx.post(f"{server.base_url}/graphql",
                          json={"query": get_introspection_query()}, timeout=30)
    return build_client_schema(response.json()["data"])


def _node_types(schema: Any) -> list[GraphQLObjectType]:
    node = schema.get_type("Node")
    return sorted(schema.get_possible_types(node), key=lambda t: t.name)


def _leaves(type_: GraphQLObjectType) -> str:
    """Every leaf field without required arguments: reading the node is reading all of it."""
    names = [name for name, f in type_.fields.items() if is_leaf_type(get_named_type(f.type))
             and not any(is_non_null_type(a.type) and a.default_value is None
                         for a in f.args.values())]
    return " ".join(names)


def _ids(type_: GraphQLNamedType, depth: int) -> str:
    """Every id reachable from the type, `depth` object levels down."""
    if not is_object_type(type_):
        return "__typename"
    parts = ["id"] if "id" in type_.fields else ["__typename"]  # type: ignore[attr-defined]
    if depth > 0:
        for name, f in type_.fields.items():  # type: ignore[attr-defined]
            inner = get_named_type(f.type)
            required = any(is_non_null_type(a.type) and a.default_value is None
                           for a in f.args.values())
            if is_object_type(inner) and not required:
                parts.append(f"{name} {{ {_ids(inner, depth - 1)} }}")
    return " ".join(parts)


def _root_lists(schema: Any) -> list[tuple[str, str]]:
    """Root fields that answer many things and need no argument: (name, selection)."""
    found = []
    for name, f in schema.query_type.fields.items():
        inner = get_named_type(f.type)
        many = "[" in str(f.type) or inner.name.endswith("Connection")
        required = any(is_non_null_type(a.type) and a.default_value is None
                       for a in f.args.values())
        if many and not required and is_object_type(inner):
            found.append((name, _ids(inner, 4)))
    return found


def test_the_scene_holds_every_node_type_the_schema_serves(world: World, served: Any) -> None:
    # then a Node type added to the schema fails here until the scene holds one
    assert sorted(t.name for t in _node_types(served)) == sorted(world.nodes)


def test_no_caller_reads_a_node_it_may_not_see(world: World, served: Any) -> None:
    # when each caller reads each Node type with every leaf field it has
    leaks, unseen = [], []
    for type_ in _node_types(served):
        query = (f"query Read($id: ID!) {{ node(id: $id) {{ __typename "
                 f"... on {type_.name} {{ {_leaves(type_)} }} }} }}")
        for caller in world.callers:
            body = caller.send(query, {"id": world.nodes[type_.name]})
            seen = (body.get("data") or {}).get("node")
            if type_.name in caller.forbidden and seen is not None:
                leaks.append((caller.name, type_.name))
            if type_.name in caller.must_see and (seen is None or body.get("errors")):
                unseen.append((caller.name, type_.name, body.get("errors")))
    # then no caller sees what it may not, and staff see all of it without an error
    assert leaks == []
    assert unseen == []


def test_no_root_list_reaches_what_its_caller_may_not_see(world: World, served: Any) -> None:
    # given every root list the schema serves (those known to matter among them)
    lists = _root_lists(served)
    assert {"clients", "myAppointments", "awaitingUpdates", "services"} <= {n for n, _ in lists}
    # when each caller walks each of them to every id four levels down
    leaks = []
    for name, selection in lists:
        query = f"query {{ {name} {{ {selection} }} }}"
        for caller in world.callers:
            reached = set(_ID.findall(json.dumps(caller.send(query, {}))))
            for type_name in caller.forbidden:
                if world.nodes[type_name] in reached:
                    leaks.append((caller.name, name, type_name))
    # then none reaches the id of something its caller may not see
    assert leaks == [], "\n".join(map(str, leaks))
