"""Subscription.dashboardEvents over a real WebSocket (graphql-transport-ws) against the
test server: what each subscriber hears, what it must not, sign-in and token expiry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from caseload.settings import Settings
from tests.clients.test_intake_forms import complete, requested
from tests.support.appointments import (
    Scene,
    book,
    booked,
    cancel,
    paying_client_scene,
    relationship_of,
    reschedule,
)
from tests.support.clients import create_relationship, signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient
from tests.support.group_sessions import JUNE_1, enrolled, payer, studio
from tests.support.jobs import sweep
from tests.support.live import PROTOCOL, LiveSocket, kinds, signed_in_socket
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer, start_server


@pytest.fixture
def sockets() -> Iterator[list[LiveSocket]]:
    opened: list[LiveSocket] = []
    yield opened
    for socket in opened:
        socket.close()


def listen(server: RunningServer, token: str, sockets: list[LiveSocket]) -> LiveSocket:
    socket = signed_in_socket(server.base_url, token)
    sockets.append(socket)
    return socket


def by_kind(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(events, key=lambda event: str(event["kind"]))


def scene_with_relationship(client: GraphQLClient, mailbox: Mailbox) -> tuple[Scene, str]:
    scene = paying_client_scene(client, mailbox)
    return scene, relationship_of(client, scene)


def test_staff_hear_each_session_booked_moved_and_cancelled(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, monday: datetime,
    sockets: list[LiveSocket],
) -> None:
    # given the owner's dashboard listening
    scene, relationship = scene_with_relationship(client, mailbox)
    dashboard = listen(server, scene.owner.token, sockets)

    # when a session is booked, moved and cancelled (by the client, in good time)
    session = booked(client, scene.client_token, relationshipId=relationship,
                     practitionerId=scene.owner.practitioner_id,
                     startsAt=monday.replace(hour=10))
    assert reschedule(client, scene.client_token, session["id"],
                      monday.replace(hour=11))["userErrors"] == []
    assert cancel(client, scene.client_token, session["id"])["userErrors"] == []

    # then the dashboard hears the three (workers run in parallel: in any order), each with
    # the session as it is when the event is delivered, never before its change committed
    events = by_kind(dashboard.events(3))
    assert kinds(events) == [("SESSION_BOOKED", session["id"]),
                             ("SESSION_CANCELLED", session["id"]),
                             ("SESSION_MOVED", session["id"])]
    moved = events[2]["session"]
    assert moved["startsAt"] == "{}Z".format(
        monday.replace(hour=11).isoformat().removesuffix("+00:00"))
    assert moved["status"] in ("SCHEDULED", "CANCELLED")
    assert events[1]["session"]["status"] == "CANCELLED"
    assert len({e["eventId"] for e in events}) == 3
    assert all(e["occurredAt"] for e in events)


def test_another_practices_dashboard_hears_nothing_of_it(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, monday: datetime,
    sockets: list[LiveSocket],
) -> None:
    # given two practices' dashboards listening
    ours, our_relationship = scene_with_relationship(client, mailbox)
    theirs, their_relationship = scene_with_relationship(client, mailbox)
    our_dashboard = listen(server, ours.owner.token, sockets)
    their_dashboard = listen(server, theirs.owner.token, sockets)

    # when we book a session, and then they book one
    ours_booked = booked(client, ours.owner.token, relationshipId=our_relationship,
                         startsAt=monday.replace(hour=10))
    assert kinds(our_dashboard.events(1)) == [("SESSION_BOOKED", ours_booked["id"])]
    theirs_booked = booked(client, theirs.owner.token, relationshipId=their_relationship,
                           startsAt=monday.replace(hour=10))

    # then the first thing their dashboard hears is their own booking, never ours
    assert kinds(their_dashboard.events(1)) == [("SESSION_BOOKED", theirs_booked["id"])]


def test_a_client_hears_only_about_its_own_sessions(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, monday: datetime,
    sockets: list[LiveSocket],
) -> None:
    # given a signed-in client listening, and another client of the same practice
    scene, relationship = scene_with_relationship(client, mailbox)
    other_id, _, other_token = signed_in_client(client, scene.owner, mailbox)
    client.data("mutation($i: AddPaymentMethodInput!) { addPaymentMethod(input: $i) "
                "{ userErrors { code } } }", {"i": {"token": "tok_visa"}}, token=other_token)
    other_relationship = create_relationship(client, scene.owner, [other_id])["id"]
    own = listen(server, scene.client_token, sockets)

    # when the practice books the other client, then this one
    booked(client, scene.owner.token, relationshipId=other_relationship,
           startsAt=monday.replace(hour=9))
    mine = booked(client, scene.owner.token, relationshipId=relationship,
                  startsAt=monday.replace(hour=10))

    # then the client hears of its own session only
    assert kinds(own.events(1)) == [("SESSION_BOOKED", mine["id"])]


def test_a_refused_change_is_never_heard(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, monday: datetime,
    sockets: list[LiveSocket],
) -> None:
    # given the dashboard listening, and a session booked
    scene, relationship = scene_with_relationship(client, mailbox)
    dashboard = listen(server, scene.owner.token, sockets)
    session = booked(client, scene.owner.token, relationshipId=relationship,
                     startsAt=monday.replace(hour=10))
    assert kinds(dashboard.events(1)) == [("SESSION_BOOKED", session["id"])]

    # when a booking is refused (the time is taken) and then a move succeeds
    refused = book(client, scene.owner.token, relationshipId=relationship,
                   startsAt=monday.replace(hour=10))
    assert refused["session"] is None and refused["userErrors"] != []
    assert reschedule(client, scene.owner.token, session["id"],
                      monday.replace(hour=12))["userErrors"] == []

    # then the next thing heard is the move: the refused booking made no event
    assert kinds(dashboard.events(1)) == [("SESSION_MOVED", session["id"])]


def test_charges_taken_and_refused_are_heard(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, monday: datetime,
    clock: TestClock, sockets: list[LiveSocket],
) -> None:
    # given two practices listening, the second's client with a card that is declined
    scene, relationship = scene_with_relationship(client, mailbox)
    declined = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    declined_relationship = relationship_of(client, declined)
    dashboard = listen(server, scene.owner.token, sockets)
    declined_dashboard = listen(server, declined.owner.token, sockets)
    paid = booked(client, scene.owner.token, relationshipId=relationship,
                  startsAt=monday.replace(hour=10))
    refused = booked(client, declined.owner.token, relationshipId=declined_relationship,
                     startsAt=monday.replace(hour=10))
    assert kinds(dashboard.events(1)) == [("SESSION_BOOKED", paid["id"])]
    assert kinds(declined_dashboard.events(1)) == [("SESSION_BOOKED", refused["id"])]

    # when the sweep takes payment inside the notice window
    clock.set(monday.replace(hour=10) - timedelta(hours=47))
    sweep(server)

    # then one dashboard hears its session charged, the other its charge refused
    assert kinds(dashboard.events(1)) == [("SESSION_CHARGED", paid["id"])]
    assert kinds(declined_dashboard.events(1)) == [("SESSION_PAYMENT_FAILED", refused["id"])]


def test_a_completed_form_and_a_paid_invoice_are_heard(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, clock: TestClock,
    sockets: list[LiveSocket],
) -> None:
    # given a studio's dashboard listening, and a client with a card
    clock.set(JUNE_1)
    place = studio(client)
    maya = payer(client, place.owner, mailbox)
    dashboard = listen(server, place.owner.token, sockets)

    # when the client completes a form, and is enrolled paying now
    form = requested(client, place.owner, maya.client_id)
    assert complete(client, maya.token, form["id"], {"ok": True})["userErrors"] == []
    invoice = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-01", checkout="PAY_NOW")["invoice"]

    # then the dashboard hears both
    events = by_kind(dashboard.events(2))
    assert kinds(events) == [("FORM_COMPLETED", form["id"]), ("INVOICE_PAID", invoice["id"])]
    assert (events[0]["intakeForm"]["status"], events[1]["invoice"]["status"]) == (
        "COMPLETED", "PAID")


@pytest.mark.parametrize("payload", [
    None, {"authorization": "Bearer not-a-token"}, {"authorization": "forged"},
    {"authorization": 42},
])
def test_a_connection_without_a_valid_token_is_refused(
    server: RunningServer, payload: dict[str, object] | None,
) -> None:
    socket = LiveSocket(server.base_url)
    try:
        socket.send({"type": "connection_init", "payload": payload or {}})
        assert socket.close_code() == (4403, "Forbidden")
    finally:
        socket.close()


def test_a_token_of_another_secret_is_refused(server: RunningServer, owner) -> None:  # type: ignore[no-untyped-def]
    # given the owner's token with its signature changed
    head, body, _ = owner.token.split(".")
    forged = f"{head}.{body}.{uuid.uuid4().hex}"
    socket = LiveSocket(server.base_url)
    try:
        socket.send({"type": "connection_init", "payload": {"authorization": f"Bearer {forged}"}})
        assert socket.close_code() == (4403, "Forbidden")
    finally:
        socket.close()


SIGN_OUT_EVERYWHERE = "mutation { signOutEverywhere { accessToken userErrors { code } } }"


def test_a_token_ended_by_signing_out_everywhere_is_refused(
    server: RunningServer, client: GraphQLClient, owner,  # type: ignore[no-untyped-def]
) -> None:
    # given the owner signed out everywhere: the token sent before no longer signs in
    ended = owner.token
    fresh = client.data(SIGN_OUT_EVERYWHERE, token=ended)["signOutEverywhere"]
    assert fresh["userErrors"] == [] and fresh["accessToken"] != ended
    # when a dashboard connects with the ended token, then with the fresh one
    refused, accepted = LiveSocket(server.base_url), LiveSocket(server.base_url)
    try:
        refused.send({"type": "connection_init", "payload": {"authorization": f"Bearer {ended}"}})
        accepted.send({"type": "connection_init",
                       "payload": {"authorization": f"Bearer {fresh['accessToken']}"}})
        # then the ended one is refused as any bad token, the fresh one is not
        assert refused.close_code() == (4403, "Forbidden")
        assert accepted.receive()["type"] == "connection_ack"
    finally:
        refused.close()
        accepted.close()


def test_subscribing_before_signing_in_is_refused(server: RunningServer) -> None:
    socket = LiveSocket(server.base_url)
    try:
        socket.send({"id": "1", "type": "subscribe",
                     "payload": {"query": "subscription { dashboardEvents { kind } }"}})
        assert socket.close_code() == (4401, "Unauthorized")
    finally:
        socket.close()


def test_the_socket_closes_when_the_token_expires(
    server: RunningServer, owner, clock: TestClock, sockets: list[LiveSocket],  # type: ignore[no-untyped-def]
) -> None:
    # given a dashboard listening on a token that lasts 60 days (the suite's setting)
    dashboard = listen(server, owner.token, sockets)

    # when the token's time runs out
    clock.set(clock() + timedelta(days=61))

    # then the server closes the socket, saying why
    assert dashboard.close_code() == (4401, "The access token has expired.")


def test_a_page_on_another_origin_may_not_open_the_socket(server: RunningServer) -> None:
    # a browser page elsewhere carries its Origin: the handshake is refused before any
    # message, so no page can ride on a signed-in user's connection
    url = server.base_url.replace("http://", "ws://", 1) + "/graphql"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, subprotocols=[PROTOCOL], origin=Origin("https://elsewhere.example"),
                open_timeout=15)
    assert refused.value.response.status_code == 403


@pytest.fixture(scope="module")
def strict_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    env = {**test_env, "RATE_LIMIT_ANONYMOUS": "2/60",
           "REDIS_NAMESPACE": f"{test_env['REDIS_NAMESPACE']}-live-edge"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


def test_opening_sockets_spends_the_address_budget(strict_server: RunningServer) -> None:
    # given an address allowed two operations a minute
    url = strict_server.base_url.replace("http://", "ws://", 1) + "/graphql"

    # when it opens two sockets, then a third
    for _ in range(2):
        LiveSocket(strict_server.base_url).close()

    # then the third handshake is refused
    with pytest.raises(InvalidStatus) as refused:
        connect(url, subprotocols=[PROTOCOL], open_timeout=15)
    assert refused.value.response.status_code == 403
