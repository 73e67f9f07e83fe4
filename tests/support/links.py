"""Helpers that link and unlink clients through the API."""

from __future__ import annotations

from typing import Any

from tests.support.clients import ERRORS
from tests.support.graphql import GraphQLClient, Staff

PERMISSIONS = ("bookAndManageAppointments completeIntakeForms receiveNotificationCopies "
               "usePackageSessions")
LINK_FIELDS = (f"id type client {{ id }} linkedClient {{ id }} "
               f"linkedClientCan {{ {PERMISSIONS} }} clientCan {{ {PERMISSIONS} }}")

LINK = f"""
mutation Link($input: LinkClientsInput!) {{
  linkClients(input: $input) {{ link {{ {LINK_FIELDS} }} {ERRORS} }}
}}
"""

UPDATE_LINK = f"""
mutation Update($input: UpdateClientLinkInput!) {{
  updateClientLink(input: $input) {{ link {{ {LINK_FIELDS} }} {ERRORS} }}
}}
"""

UNLINK = f"""
mutation Unlink($input: UnlinkClientsInput!) {{
  unlinkClients(input: $input) {{ unlinkedLinkId {ERRORS} }}
}}
"""

CLIENT_LINKS = f"""
query Links($id: ID!) {{ node(id: $id) {{ ... on Client {{ links {{ {LINK_FIELDS} }} }} }} }}
"""

NONE = {"bookAndManageAppointments": False, "completeIntakeForms": False,
        "receiveNotificationCopies": False, "usePackageSessions": False}


def can(*granted: str) -> dict[str, bool]:
    """Permissions with `granted` (contract names) switched on."""
    assert set(granted) <= set(NONE), granted
    return {name: name in granted for name in NONE}


def link_payload(
    client: GraphQLClient, staff: Staff, client_id: str, linked_client_id: str,
    type: str = "PARENT", *, linked_client_can: dict[str, bool] | None = None,
    client_can: dict[str, bool] | None = None,
) -> dict[str, Any]:
    values = {"clientId": client_id, "linkedClientId": linked_client_id, "type": type,
              "linkedClientCan": linked_client_can or {}, "clientCan": client_can or {}}
    return client.data(LINK, {"input": values}, token=staff.token)["linkClients"]  # type: ignore[no-any-return]


def linked(
    client: GraphQLClient, staff: Staff, client_id: str, linked_client_id: str,
    type: str = "PARENT", **permissions: dict[str, bool],
) -> dict[str, Any]:
    """Link two clients and answer the link."""
    payload = link_payload(client, staff, client_id, linked_client_id, type, **permissions)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["link"]  # type: ignore[no-any-return]


def unlink(client: GraphQLClient, staff: Staff, link_id: str) -> dict[str, Any]:
    payload = client.data(UNLINK, {"input": {"linkId": link_id}}, token=staff.token)
    return payload["unlinkClients"]  # type: ignore[no-any-return]


def links_of(client: GraphQLClient, token: str, client_id: str) -> list[dict[str, Any]] | None:
    node = client.data(CLIENT_LINKS, {"id": client_id}, token=token)["node"]
    return None if node is None else node["links"]  # type: ignore[no-any-return]
