"""A worker killed in the middle of sending: every email still arrives, each as one message
(one Message-ID per email, a crash repeating it at most once), on real processes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deployment import Deployment, serving
from tests.support.graphql import PASSWORD, REGISTER, GraphQLClient, unique_email

PRACTICES = 24


@pytest.fixture
def deployment(test_env: dict[str, str], tmp_path: Path) -> Iterator[Deployment]:
    with serving(test_env, tmp_path, "crash", delay=0.6) as running:
        yield running


def test_a_worker_killed_mid_run_sends_each_email_once_per_message_id(
    deployment: Deployment,
) -> None:
    # given practices registering, each owed a welcome email by a slow mail server
    client = GraphQLClient(deployment.base_url)
    owners = [unique_email("crash") for _ in range(PRACTICES)]
    for email in owners:
        payload = client.data(REGISTER, {"input": {
            "practiceName": "Crash Therapy", "name": "Cal Crash", "email": email,
            "password": PASSWORD, "timezone": "Europe/London"}})["registerPractice"]
        assert payload["userErrors"] == []
    client.http.close()

    # when the worker is killed while it sends them, and started again
    deployment.mailbox.wait_for(owners[0], timeout=30)
    sent_before_the_crash = deployment.mailbox.count()
    deployment.kill_worker()
    deployment.start_worker()
    deployment.settle(lambda: all(deployment.mailbox.to(email) for email in owners))

    # then the crash came mid-run, and every owner has their email, as one message each,
    # received at most twice (a message in doubt at the crash goes again, the same message)
    assert 0 < sent_before_the_crash < PRACTICES
    assert [len(deployment.mailbox.message_ids_to(email)) for email in owners] == (
        [1] * PRACTICES)
    assert max(deployment.mailbox.copies_per_message_id().values()) <= 2
    assert sum(deployment.mailbox.copies_per_message_id().values()) <= PRACTICES + 4 * 2
    # and nothing is left to send
    dry = deployment.cli("sweep", "--dry-run")
    assert re.search(r"emails to relay: 0$", dry.strip()), dry
