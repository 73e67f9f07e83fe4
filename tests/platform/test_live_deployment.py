"""Live updates on real `caseload serve` processes (and, with Redis, `caseload worker`): an
event committed through one process reaches a subscriber on another."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.appointments import booked, next_monday, paying_client_scene, relationship_of
from tests.support.deployment import Deployment, serving
from tests.support.graphql import GraphQLClient
from tests.support.live import kinds, signed_in_socket

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                 reason="several serve processes share events through Redis")


@pytest.fixture
def deployment(test_env: dict[str, str], tmp_path: Path) -> Iterator[Deployment]:
    with serving(test_env, tmp_path, "live", delay=0) as running:
        yield running


def test_a_real_serve_delivers_a_booking_to_its_dashboard(deployment: Deployment) -> None:
    # given a practice on a real deployment, its dashboard listening
    client = GraphQLClient(deployment.base_url, deployment.mailbox)
    scene = paying_client_scene(client, deployment.mailbox)
    relationship = relationship_of(client, scene)
    dashboard = signed_in_socket(deployment.base_url, scene.owner.token)
    try:
        # when a session is booked
        monday = next_monday(datetime.now(UTC)).replace(hour=10)
        session = booked(client, scene.owner.token, relationshipId=relationship,
                         startsAt=monday)

        # then the dashboard hears it
        assert kinds(dashboard.events(1)) == [("SESSION_BOOKED", session["id"])]
    finally:
        dashboard.close()
        client.http.close()


@needs_redis
def test_an_event_committed_on_one_serve_reaches_a_subscriber_on_another(
    deployment: Deployment,
) -> None:
    # given two serve processes and a worker, and two practices each listening on the
    # process other than the one their bookings go through
    other_url = deployment.start_another_serve()
    client = GraphQLClient(deployment.base_url, deployment.mailbox)
    ours = paying_client_scene(client, deployment.mailbox)
    theirs = paying_client_scene(client, deployment.mailbox)
    our_relationship = relationship_of(client, ours)
    their_relationship = relationship_of(client, theirs)
    our_dashboard = signed_in_socket(other_url, ours.owner.token)
    their_dashboard = signed_in_socket(other_url, theirs.owner.token)
    try:
        # when we book through the first process, and then they do
        monday = next_monday(datetime.now(UTC)).replace(hour=10)
        ours_booked = booked(client, ours.owner.token, relationshipId=our_relationship,
                             startsAt=monday)
        assert kinds(our_dashboard.events(1)) == [("SESSION_BOOKED", ours_booked["id"])]
        theirs_booked = booked(client, theirs.owner.token, relationshipId=their_relationship,
                               startsAt=monday)

        # then each dashboard, on the other process, hears its own booking only
        assert kinds(their_dashboard.events(1)) == [("SESSION_BOOKED", theirs_booked["id"])]
    finally:
        our_dashboard.close()
        their_dashboard.close()
        client.http.close()
