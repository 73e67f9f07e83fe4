"""A small GraphQL client over real HTTP, and helpers that sign people up."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx

from tests.support.mailbox import Mailbox


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
    def __init__(self, base_url: str, mailbox: Mailbox | None = None) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.mailbox = mailbox  # where sign-up links arrive (register_practice)

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

VERIFY_EMAIL = """
mutation Verify($input: VerifyEmailInput!) {
  verifyEmail(input: $input) {
    accessToken
    viewer { role practice { id name timezone currency } practitioner { id name email } }
    userErrors { field code message }
  }
}
"""

# What registerPractice answers, whether the email was free or taken.
REGISTERED = {"accessToken": None, "viewer": None, "userErrors": []}

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
    payload = verified_registration(client, values)
    viewer = payload["viewer"]
    return Staff(
        payload["accessToken"], values["email"], viewer["practice"]["id"],
        viewer["practitioner"]["id"],
    )


def verified_registration(client: GraphQLClient, values: dict[str, Any]) -> Any:
    """registerPractice, then the link its email carries through verifyEmail: the
    verifyEmail payload."""
    registered = client.data(REGISTER, {"input": values})["registerPractice"]
    assert registered == REGISTERED
    verified = client.data(VERIFY_EMAIL, {"input": {
        "token": verification_token(client, values["email"])}})["verifyEmail"]
    assert verified["userErrors"] == []
    return verified


def verification_token(client: GraphQLClient, email: str, index: int = 0) -> str:
    """The token in the `index`th verification link sent to `email`."""
    assert client.mailbox is not None, "register through a client that has the mailbox"
    links = [link for received in client.mailbox.wait_for(email, count=index + 1)
             for link in VERIFY_LINK.findall(received.text)]
    return unquote(links[index])


VERIFY_LINK = re.compile(r"/verify-email\?token=(\S+)")


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
