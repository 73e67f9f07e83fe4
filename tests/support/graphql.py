"""A small GraphQL client over real HTTP, and helpers that sign people up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def data(self) -> Any:
        assert "errors" not in self.body, self.body.get("errors")
        return self.body["data"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    @property
    def sql_statements(self) -> int:
        return int(self.headers["x-sql-statements"])


class GraphQLClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=60)

    def post(self, body: Any, token: str | None = None, **headers: str) -> Response:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.post("/graphql", json=body, headers=headers)
        return Response(response.status_code, response.json(), response.headers)

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Response:
        return self.post({"query": query, "variables": variables or {}}, token)

    def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Any:
        return self.execute(query, variables, token=token).data


def unique_email(name: str = "person") -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


REGISTER = """
mutation Register($input: RegisterPracticeInput!) {
  registerPractice(input: $input) {
    accessToken
    viewer { role practice { id name timezone currency } practitioner { id name email } }
    userErrors { field code message }
  }
}
"""

ADD_PRACTITIONER = """
mutation Add($input: AddPractitionerInput!) {
  addPractitioner(input: $input) {
    practitioner { id name email timezone }
    userErrors { field code message }
  }
}
"""

SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { accessToken viewer { role } userErrors { field code message } }
}
"""

PASSWORD = "correct horse battery"


@dataclass
class Staff:
    token: str
    email: str
    practice_id: str
    practitioner_id: str


def register_practice(client: GraphQLClient, **overrides: Any) -> Staff:
    values = {
        "practiceName": "Calm Waters Therapy",
        "name": "Ada Owner",
        "email": unique_email("owner"),
        "password": PASSWORD,
        "timezone": "Europe/London",
        **overrides,
    }
    payload = client.data(REGISTER, {"input": values})["registerPractice"]
    assert payload["userErrors"] == []
    viewer = payload["viewer"]
    return Staff(
        payload["accessToken"], values["email"], viewer["practice"]["id"],
        viewer["practitioner"]["id"],
    )


def add_practitioner(client: GraphQLClient, owner: Staff, **overrides: Any) -> Staff:
    values = {"name": "Pat Practitioner", "email": unique_email("pat"), "password": PASSWORD,
              **overrides}
    payload = client.data(ADD_PRACTITIONER, {"input": values}, token=owner.token)
    assert payload["addPractitioner"]["userErrors"] == []
    token = client.data(SIGN_IN, {"input": {"email": values["email"], "password": PASSWORD}})
    return Staff(
        token["signIn"]["accessToken"], values["email"], owner.practice_id,
        payload["addPractitioner"]["practitioner"]["id"],
    )
