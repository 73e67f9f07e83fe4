"""Query cost in `extensions.cost` on every answer (requested, actual, the budget left),
Shopify-style, and a budget per caller that counts cost: an operation asking for more than
is left is refused with THROTTLED before it runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caseload.settings import Settings
from tests.support.clients import create_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.server import RunningServer, start_server

CLIENTS = """
query Clients($first: Int) {
  clients(includeInactive: true, first: $first) { totalCount edges { node { id lastName } } }
}
"""
BUDGET = 400


@pytest.fixture(scope="module")
def frugal_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    """A second server on the same database with a small cost budget of its own."""
    env = {**test_env, "RATE_LIMIT_COST": f"{BUDGET}/3600",
           "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-cost"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


def _cost(body: dict) -> dict:  # type: ignore[type-arg]
    return body["extensions"]["cost"]  # type: ignore[no-any-return]


def test_every_answer_reports_what_was_asked_what_was_answered_and_what_is_left(
    client: GraphQLClient, owner: Staff
) -> None:
    # given three clients
    for last in ("Able", "Baker", "Cole"):
        create_client(client, owner, "Pat", last)
    # when a page of up to ten clients is asked for
    response = client.execute(CLIENTS, {"first": 10}, token=owner.token)
    # then requested counts the page at its size (the connection's selection once per item
    # it may hold), actual what came back
    cost = _cost(response.body)
    # clients + 10 * (totalCount + edges + node + id + lastName)
    assert cost["requestedQueryCost"] == 1 + 10 * 5
    # clients, totalCount, edges, and 3 edges of node { id lastName }
    assert cost["actualQueryCost"] == 3 + 3 * 3
    throttle = cost["throttleStatus"]
    assert throttle["maximumAvailable"] == 100_000_000
    assert throttle["currentlyAvailable"] <= 100_000_000 - cost["actualQueryCost"]
    assert throttle["restoreRate"] == pytest.approx(100_000_000 / 60, rel=0.01)


@pytest.mark.parametrize("document", ["{ viewr }", "{ viewer { role ", "{ viewer { role } }"])
def test_refusals_report_cost_too_and_spend_nothing(client: GraphQLClient, document: str) -> None:
    # when an anonymous caller sends a document that is refused (validation, parse, sign-in)
    response = client.execute(document)
    # then the answer still has its cost: nothing requested, nothing answered
    cost = _cost(response.body)
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (0, 0)
    assert cost["throttleStatus"]["maximumAvailable"] == 100_000_000


def test_a_budget_counts_cost_and_refuses_before_running(
    frugal_server: RunningServer, client: GraphQLClient
) -> None:
    # given an owner with three clients, on a server whose budget is 400 an hour
    owner = register_practice(client)
    for last in ("Able", "Baker", "Cole"):
        create_client(client, owner, "Pat", last)
    frugal = GraphQLClient(frugal_server.base_url)
    # when pages of 20 (requested 1 + 20 * 5 = 101, answering 3 + 3 * 3 = 12) are asked for
    answers = [frugal.execute(CLIENTS, {"first": 20}, token=owner.token) for _ in range(3)]
    # then the budget falls by what was answered, not by the number of requests
    assert all(a.errors == [] for a in answers)
    lefts = [_cost(a.body)["throttleStatus"]["currentlyAvailable"] for a in answers]
    assert lefts == [BUDGET - 12, BUDGET - 24, BUDGET - 36]
    # and a request may ask for up to what is left (361 of 364)
    allowed = frugal.execute(CLIENTS, {"first": 72}, token=owner.token)
    assert allowed.errors == []
    assert _cost(allowed.body)["throttleStatus"]["currentlyAvailable"] == BUDGET - 48
    # but once it asks for more than is left (361 of 352), it is THROTTLED without running
    refused = frugal.execute(CLIENTS, {"first": 72}, token=owner.token)
    assert refused.error_codes == ["THROTTLED"]
    assert refused.body["data"] is None
    assert _cost(refused.body)["requestedQueryCost"] == 361
    assert _cost(refused.body)["actualQueryCost"] == 0
    assert _cost(refused.body)["throttleStatus"]["currentlyAvailable"] == BUDGET - 48
    # and another caller's budget is untouched
    other = register_practice(client)
    theirs = frugal.execute(CLIENTS, {"first": 20}, token=other.token)
    assert theirs.errors == []
    assert _cost(theirs.body)["throttleStatus"]["currentlyAvailable"] == BUDGET - 3
