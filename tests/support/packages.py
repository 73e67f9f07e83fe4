"""Helpers for packages: documents, selling one, and reading what the gateway charged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from persistence import tables
from persistence.database import Database
from schema.shared.ids import decode_id
from tests.support.appointments import iso
from tests.support.graphql import GraphQLClient, Staff
from tests.support.group_sessions import INVOICE_FIELDS
from tests.support.jobs import with_database
from tests.support.server import RunningServer

ERRORS = "userErrors { field code message }"
PACKAGE_FIELDS = """
  id name totalSessions remainingSessions price { amount currency } owner { id }
"""

CREATE_PACKAGE = f"""
mutation Sell($input: CreatePackageInput!) {{
  createPackage(input: $input) {{
    package {{ {PACKAGE_FIELDS} invoice {{ id }} }}
    invoice {{ {INVOICE_FIELDS} }}
    {ERRORS}
  }}
}}
"""

CLIENT_PACKAGES = f"""
query Packages($id: ID!) {{
  node(id: $id) {{ ... on Client {{
    packages {{ {PACKAGE_FIELDS} }}
    usablePackages {{ id }}
    invoices {{ id number status }}
  }} }}
}}
"""

PACKAGE = f"query One($id: ID!) {{ node(id: $id) {{ ... on Package {{ {PACKAGE_FIELDS} }} }} }}"


def sell(client: GraphQLClient, staff: Staff, client_id: str, **values: Any) -> dict[str, Any]:
    """createPackage for the client: ten sessions for 500.00, PAY_LATER unless told."""
    values = {"clientId": client_id, "name": "Ten sessions", "sessions": 10,
              "price": "500.00", "checkout": "PAY_LATER", **values}
    return client.data(CREATE_PACKAGE, {"input": values}, token=staff.token)["createPackage"]  # type: ignore[no-any-return]


def sold(client: GraphQLClient, staff: Staff, client_id: str, **values: Any) -> dict[str, Any]:
    """Sell a package and answer it, asserting it was sold."""
    payload = sell(client, staff, client_id, **values)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["package"]  # type: ignore[no-any-return]


def packages_of(client: GraphQLClient, token: str, client_id: str) -> dict[str, Any] | None:
    return client.data(CLIENT_PACKAGES, {"id": client_id}, token=token)["node"]  # type: ignore[no-any-return]


def package(client: GraphQLClient, token: str, package_id: str) -> dict[str, Any] | None:
    return client.data(PACKAGE, {"id": package_id}, token=token)["node"]  # type: ignore[no-any-return]


def remaining(client: GraphQLClient, staff: Staff, package_id: str) -> int:
    found = package(client, staff.token, package_id)
    assert found is not None
    return int(found["remainingSessions"])


def card_charges(server: RunningServer, client_id: str) -> list[Any]:
    """What the sandbox gateway charged (or refused) on the client's card on file, oldest
    first, with the key it was charged under."""
    owner_id = decode_id(client_id, "Client")

    async def read(db: Database) -> list[Any]:
        s, m = tables.sandbox_charges, tables.payment_methods
        async with db.reading() as tx:
            result = await tx.execute(
                select(s.c.amount, s.c.status, s.c.idempotency_key, s.c.refunded_at)
                .join(m, m.c.gateway_reference == s.c.card_reference)
                .where(m.c.client_id == owner_id).order_by(s.c.created_at)
            )
            return list(result)

    return with_database(server, read)


BOOK = f"""
mutation Book($input: BookSessionInput!) {{
  bookSession(input: $input) {{
    session {{ id status startsAt attendees {{ id }} payer {{ id }} bookedBy {{ id }}
               package {{ id remainingSessions }} charge {{ id }} }}
    {ERRORS}
  }}
}}
"""


def book_with(client: GraphQLClient, token: str, package_id: str, starts_at: datetime,
              **values: Any) -> dict[str, Any]:
    """bookSession paid with the package (practitionerId or relationshipId in `values`)."""
    variables = {"input": {"packageId": package_id, "startsAt": iso(starts_at), **values}}
    return client.data(BOOK, variables, token=token)["bookSession"]  # type: ignore[no-any-return]
