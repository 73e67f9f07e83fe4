"""The contract's conventions: limits, masking, node(id:), GET, health endpoints."""

from __future__ import annotations

import pytest

from resolvers.shared import loaders
from schema.shared.extensions import MAX_ALIASES, MAX_BATCH, MAX_DEPTH, MAX_TOKENS
from tests.support.graphql import GraphQLClient, Staff, add_practitioner, register_practice
from tests.support.server import RunningServer

VIEWER_PRACTICE = "query { viewer { practice { name } } }"
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Practitioner { name }
    ... on Practice { name }
  }
}
"""


def test_a_query_deeper_than_the_limit_is_refused(client: GraphQLClient, owner: Staff) -> None:
    shallow = client.execute("{ viewer { practice { practitioners { practice { name } } } } }",
                             token=owner.token)
    assert shallow.errors == []
    deep = "{ viewer { " + "practice { practitioners { " * 6 + "name" + " } }" * 6 + " } }"
    response = client.execute(deep, token=owner.token)
    assert response.body.get("data") is None
    assert response.error_codes == ["QUERY_TOO_DEEP"]
    assert str(MAX_DEPTH) in response.errors[0]["message"]


def test_too_many_aliases_are_refused(client: GraphQLClient, owner: Staff) -> None:
    allowed = " ".join(f"a{i}: viewer {{ role }}" for i in range(MAX_ALIASES))
    assert client.execute(f"{{ {allowed} }}", token=owner.token).errors == []
    too_many = " ".join(f"a{i}: viewer {{ role }}" for i in range(MAX_ALIASES + 1))
    response = client.execute(f"{{ {too_many} }}", token=owner.token)
    assert response.error_codes == ["TOO_MANY_ALIASES"]


def test_cost_grows_with_page_sizes_and_refuses_beyond_the_limit() -> None:
    from graphql import parse

    from schema.shared.extensions import MAX_COST, _cost, _fragments

    def cost(query: str) -> int:
        document = parse(query)
        return _cost(document.definitions[0].selection_set, _fragments(document))  # type: ignore[attr-defined]

    page = "{ clients(first: 10) { edges { node { firstName } } } }"
    assert cost(page) == 1 + 10 * (1 + 1 + 1)
    nested = ("{ clients(first: 100) { edges { node { sessions(first: 100) { edges { node "
              "{ startsAt attendees { firstName lastName } } } } } } } }")
    assert cost(nested) > MAX_COST
    via_variable = "query($n: Int) { clients(first: $n) { totalCount } }"
    assert cost(via_variable) == 1 + 100 * 1  # a variable is taken at the maximum page size


def test_too_many_tokens_are_refused(client: GraphQLClient, owner: Staff) -> None:
    huge = "{ viewer { " + " ".join(["role"] * MAX_TOKENS) + " } }"
    response = client.execute(huge, token=owner.token)
    assert response.error_codes == ["TOO_MANY_TOKENS"]


def test_batches_answer_each_operation_up_to_the_limit(
    client: GraphQLClient, owner: Staff
) -> None:
    ok = client.post([{"query": "{ viewer { role } }"}] * MAX_BATCH, owner.token)
    assert ok.status == 200
    assert [item["data"] for item in ok.body] == [{"viewer": {"role": "OWNER"}}] * MAX_BATCH  # type: ignore[call-overload]
    assert all(sorted(item) == ["data", "extensions"] for item in ok.body)
    refused = client.post([{"query": "{ viewer { role } }"}] * (MAX_BATCH + 1), owner.token)
    assert refused.status == 400
    assert refused.error_codes == ["BATCH_TOO_LARGE"]


def test_mutations_are_never_run_over_get(client: GraphQLClient) -> None:
    email = "get-mutation@example.com"
    query = ('mutation { registerPractice(input: {practiceName: "Via GET", name: "G", '
             f'email: "{email}", password: "long enough pw", timezone: "UTC"}}) '
             "{ accessToken } }")
    response = client.http.get("/graphql", params={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "MUTATION_OVER_GET"
    sign_in = client.execute(
        f'mutation {{ signIn(input: {{email: "{email}", password: "long enough pw"}}) '
        "{ accessToken } }"
    )
    assert sign_in.data["signIn"]["accessToken"] is None


def test_queries_may_use_get(client: GraphQLClient, owner: Staff) -> None:
    response = client.http.get("/graphql", params={"query": "{ viewer { role } }"},
                               headers={"Authorization": f"Bearer {owner.token}"})
    assert response.json()["data"] == {"viewer": {"role": "OWNER"}}
    assert "errors" not in response.json()


def test_an_unexpected_error_is_masked_and_carries_the_request_id(
    client: GraphQLClient, owner: Staff, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a bug deep in a loader
    async def broken(self, ids):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret connection string leaked here")

    monkeypatch.setattr(loaders.PracticeByIdLoader, "_load", broken)

    # when a query reaches it
    response = client.post({"query": VIEWER_PRACTICE}, owner.token, **{"X-Request-ID": "req-42"})

    # then the client sees a generic error with the request id, and the log has the detail
    assert response.body["data"] == {"viewer": None}
    [error] = response.errors
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert response.headers["x-request-id"] == "req-42"
    assert "secret" not in str(response.body)
    assert any("req-42" in r.getMessage() for r in caplog.records)


def test_node_answers_own_practice_and_hides_others(client: GraphQLClient, owner: Staff) -> None:
    colleague = add_practitioner(client, owner, name="Kim Colleague")
    stranger = register_practice(client)

    mine = client.data(NODE, {"id": colleague.practitioner_id}, token=owner.token)
    assert mine["node"] == {"__typename": "Practitioner", "id": colleague.practitioner_id,
                            "name": "Kim Colleague"}
    practice = client.data(NODE, {"id": owner.practice_id}, token=owner.token)
    assert practice["node"]["__typename"] == "Practice"

    for foreign in (stranger.practitioner_id, stranger.practice_id, "not-an-id", "UHJhY3RpY2U6"):
        assert client.data(NODE, {"id": foreign}, token=owner.token) == {"node": None}


def test_graphiql_is_served_to_browsers(server: RunningServer, client: GraphQLClient) -> None:
    response = client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_health_endpoints(client: GraphQLClient) -> None:
    assert client.http.get("/healthz").json() == {"status": "ok"}
    ready = client.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "broker": "ok"}
