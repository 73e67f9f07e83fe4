"""GraphQL over HTTP to the letter: the media type the client accepts, request errors (parse,
validation, variables) with their codes, 400 and no `data` under the new media type, no field
suggestions when introspection is off, and the graphql-http audit suite at no warning."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from caseload.settings import Settings
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, Staff
from tests.support.server import RunningServer, start_server

AUDIT = Path(__file__).parent / "http_audit"
NEW = "application/graphql-response+json"

VIEWER = "query { viewer { role } }"
MISSPELT = "query { viewr { role } }"
UNPARSABLE = "query { viewer { role "
TYPED_VARIABLE = "query Client($id: ID!) { node(id: $id) { id } }"


def _post(base_url: str, body: Any, accept: str | None, token: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(f"{base_url}/graphql", json=body, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def production_server(test_env: dict[str, str]) -> Iterator[RunningServer]:
    # production refuses the suite's cheap password hashes: its own least, then
    env = {**test_env, "CASELOAD_ENV": "production", "ARGON2_MEMORY_KIB": "19456",
           "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-http"}
    running = start_server(Settings.from_env(env), TestClock(), jobs=False)
    yield running
    running.stop()


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "application/json"),
    ("*/*", "application/json"),
    ("application/json", "application/json"),
    (NEW, NEW),
    (f"{NEW}, application/json;q=0.9", NEW),
    ("application/json, text/plain;q=0.5", "application/json"),
])
def test_the_answer_is_in_the_media_type_the_client_prefers(
    client: GraphQLClient, owner: Staff, accept: str | None, media_type: str
) -> None:
    # when a signed-in owner asks with this Accept header
    response = _post(client.base_url, {"query": VIEWER}, accept, owner.token)
    # then the answer is 200, in the preferred media type, in UTF-8
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json()["data"] == {"viewer": {"role": "OWNER"}}
    assert sorted(response.json()) == ["data", "extensions"]


@pytest.mark.parametrize(("query", "variables", "code"), [
    (UNPARSABLE, None, "GRAPHQL_PARSE_FAILED"),
    (MISSPELT, None, "GRAPHQL_VALIDATION_FAILED"),
    (TYPED_VARIABLE, {}, "BAD_USER_INPUT"),
    (TYPED_VARIABLE, {"id": {"not": "an id"}}, "BAD_USER_INPUT"),
])
def test_a_request_error_is_400_without_data_under_the_new_media_type(
    client: GraphQLClient, owner: Staff, query: str, variables: Any, code: str
) -> None:
    # when a request that cannot execute is sent accepting the new media type
    body = {"query": query, "variables": variables}
    new = _post(client.base_url, body, NEW, owner.token)
    # then it is 400, with one coded error and no data entry at all
    assert new.status_code == 400
    assert new.headers["content-type"] == f"{NEW}; charset=utf-8"
    assert sorted(new.json()) == ["errors", "extensions"]
    assert [e["extensions"]["code"] for e in new.json()["errors"]] == [code]
    assert new.json()["errors"][0]["locations"]
    # and a legacy client gets the same errors with 200 (the spec's application/json rule)
    legacy = _post(client.base_url, body, "application/json", owner.token)
    assert legacy.status_code == 200
    assert legacy.json()["errors"] == new.json()["errors"]
    assert "data" not in legacy.json()


def test_an_error_during_execution_keeps_data_and_200(client: GraphQLClient) -> None:
    # when an anonymous caller asks for the viewer (refused at execution, not validation)
    response = _post(client.base_url, {"query": VIEWER}, NEW)
    # then data is present (null) and the status is 200: the request itself was well formed
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]


def test_in_a_batch_each_result_stands_alone(client: GraphQLClient, owner: Staff) -> None:
    # when a batch holds one good and one misspelt operation
    response = _post(client.base_url, [{"query": VIEWER}, {"query": MISSPELT}], NEW, owner.token)
    # then the batch answers 200, the good one with data and the bad one without
    assert response.status_code == 200
    good, bad = response.json()
    assert good["data"] == {"viewer": {"role": "OWNER"}}
    assert sorted(bad) == ["errors", "extensions"]
    assert bad["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_suggestions_are_given_in_development(client: GraphQLClient) -> None:
    # when a misspelt field is sent to the development server
    response = _post(client.base_url, {"query": MISSPELT}, None)
    # then the message helps
    assert response.json()["errors"][0]["message"] == (
        "Cannot query field 'viewr' on type 'Query'. Did you mean 'viewer'?")


@pytest.mark.parametrize(("query", "variables", "message"), [
    (MISSPELT, None, "Cannot query field 'viewr' on type 'Query'."),
    ("query { viewer { role practice { nme } } }", None,
     "Cannot query field 'nme' on type 'Practice'."),
    ("query Q($s: InvoiceStatu) { node(id: \"x\") { ... on Client { invoices(status: $s) "
     "{ id } } } }", None, "Unknown type 'InvoiceStatu'."),
])
def test_no_suggestion_describes_the_schema_in_production(
    production_server: RunningServer, query: str, variables: Any, message: str
) -> None:
    # when a misspelt document is sent to a production server (introspection off)
    response = _post(production_server.base_url, {"query": query, "variables": variables}, NEW)
    # then the error names what was sent and suggests nothing
    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [message]
    assert "Did you mean" not in response.text


def test_a_variable_of_an_enum_suggests_nothing_in_production(
    production_server: RunningServer
) -> None:
    # when an enum variable has a misspelt value on a production server
    query = ("query Q($status: InvoiceStatus) "
             "{ node(id: \"x\") { ... on Client { invoices(status: $status) { id } } } }")
    response = _post(production_server.base_url,
                     {"query": query, "variables": {"status": "OPN"}}, NEW)
    # then it is the caller's error, and no valid value is named
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]
    assert "OPEN" not in response.text and "Did you mean" not in response.text


def _node() -> str | None:
    return shutil.which("node")


def test_the_graphql_http_audit_passes_without_warning(server: RunningServer) -> None:
    if _node() is None or not (AUDIT / "node_modules" / "graphql-http").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the graphql-http audit: install node and `npm ci` in "
                        f"{AUDIT}")
        pytest.skip("node or tests/platform/http_audit/node_modules missing (npm ci there)")
    # when graphql-http's server audits run against the live server
    run = subprocess.run(
        [_node(), str(AUDIT / "audit.mjs"), f"{server.base_url}/graphql"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    results = json.loads(run.stdout)
    # then every audit is ok: no error, no warning, no notice
    failures = [r for r in results if r["status"] != "ok"]
    assert failures == []
    assert len(results) >= 60
