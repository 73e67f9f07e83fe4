"""Helpers that put clients and relationships in place through the API."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from tests.support.graphql import PASSWORD, GraphQLClient, Staff, unique_email
from tests.support.mailbox import Mailbox

ERRORS = "userErrors { field code message }"

CREATE_CLIENT = f"""
mutation Create($input: CreateClientInput!) {{
  createClient(input: $input) {{
    client {{
      id firstName lastName email phone dateOfBirth
      address {{ line1 line2 city postalCode country }}
      isActive hasAccount missingProfileFields
    }}
    {ERRORS}
  }}
}}
"""

CREATE_RELATIONSHIP = f"""
mutation Create($input: CreateRelationshipInput!) {{
  createRelationship(input: $input) {{
    relationship {{
      id kind party status startedAt endedAt endReason completedAt
      practitioner {{ id }} clients {{ id }} payer {{ id }}
    }}
    {ERRORS}
  }}
}}
"""

INVITE = f"""
mutation Invite($input: InviteClientInput!) {{
  inviteClient(input: $input) {{ client {{ id hasAccount }} {ERRORS} }}
}}
"""

ACCEPT = f"""
mutation Accept($input: AcceptClientInviteInput!) {{
  acceptClientInvite(input: $input) {{
    accessToken
    viewer {{ role practice {{ id }} practitioner {{ id }} client {{ id firstName hasAccount }} }}
    {ERRORS}
  }}
}}
"""

END = f"""
mutation End($input: EndRelationshipInput!) {{
  endRelationship(input: $input) {{
    relationship {{ id status endedAt endReason endNote }}
    {ERRORS}
  }}
}}
"""

ADDRESS = {"line1": "1 High Street", "city": "London", "postalCode": "N1 9GU", "country": "GB"}
FULL_PROFILE: dict[str, Any] = {
    "phone": "+44 7911 123456", "dateOfBirth": "1990-04-01", "address": ADDRESS,
}

_LINK = re.compile(r"token=([A-Za-z0-9_%\-]+)")


def create_client(
    client: GraphQLClient, staff: Staff, first: str = "Robin", last: str = "Client",
    **profile: Any,
) -> dict[str, Any]:
    values = {"firstName": first, "lastName": last, **profile}
    payload = client.data(CREATE_CLIENT, {"input": values}, token=staff.token)["createClient"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["client"]  # type: ignore[no-any-return]


def create_relationship(
    client: GraphQLClient, staff: Staff, client_ids: list[str], kind: str = "INDIVIDUAL",
    **extra: Any,
) -> dict[str, Any]:
    values = {"kind": kind, "clientIds": client_ids, **extra}
    payload = client.data(CREATE_RELATIONSHIP, {"input": values}, token=staff.token)
    result = payload["createRelationship"]
    assert result["userErrors"] == [], result["userErrors"]
    return result["relationship"]  # type: ignore[no-any-return]


def end_relationship(
    client: GraphQLClient, staff: Staff, relationship_id: str, reason: str = "CLIENT_STOPPED",
    **extra: Any,
) -> dict[str, Any]:
    values = {"relationshipId": relationship_id, "reason": reason, **extra}
    return client.data(END, {"input": values}, token=staff.token)["endRelationship"]  # type: ignore[no-any-return]


def token_from(text: str) -> str:
    match = _LINK.search(text)
    assert match, text
    return unquote(match.group(1))


def invite_token(
    client: GraphQLClient, staff: Staff, mailbox: Mailbox, client_id: str, email: str,
) -> str:
    """Invite the client and read the token from the email they receive."""
    before = len(mailbox.to(email))
    payload = client.data(INVITE, {"input": {"clientId": client_id}}, token=staff.token)
    assert payload["inviteClient"]["userErrors"] == []
    received = mailbox.wait_for(email, count=before + 1)[-1]
    return token_from(received.text)


def accept(client: GraphQLClient, token: str, password: str = PASSWORD) -> dict[str, Any]:
    payload = client.data(ACCEPT, {"input": {"token": token, "password": password}})
    return payload["acceptClientInvite"]  # type: ignore[no-any-return]


def signed_in_client(
    client: GraphQLClient, staff: Staff, mailbox: Mailbox, **profile: Any,
) -> tuple[str, str, str]:
    """A client of the staff member's practice who has signed in: (client id, email, token)."""
    email = unique_email("client")
    created = create_client(client, staff, "Casey", "Signed", email=email, **profile)
    accepted = accept(client, invite_token(client, staff, mailbox, created["id"], email))
    assert accepted["userErrors"] == []
    return created["id"], email, accepted["accessToken"]


def error_pairs(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]
