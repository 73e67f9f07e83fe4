"""Helpers for booking widgets: publishable keys, requests a widget makes, and what the
practice then sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from persistence import tables
from persistence.database import Database
from tests.support.appointments import iso
from tests.support.graphql import GraphQLClient, Response, Staff
from tests.support.jobs import with_database
from tests.support.server import RunningServer

ERRORS = "userErrors { field code message }"
ORIGIN = "https://www.calm-waters.example"
KEY_FIELDS = "id name prefix allowedOrigins createdAt revokedAt"

CREATE_KEY = f"""
mutation Create($input: CreatePublishableKeyInput!) {{
  createPublishableKey(input: $input) {{ key publishableKey {{ {KEY_FIELDS} }} {ERRORS} }}
}}
"""

REVOKE_KEY = f"""
mutation Revoke($input: RevokePublishableKeyInput!) {{
  revokePublishableKey(input: $input) {{ publishableKey {{ {KEY_FIELDS} }} {ERRORS} }}
}}
"""

KEYS = f"{{ publishableKeys {{ {KEY_FIELDS} }} }}"

PUBLIC_PRACTICE = """
query Practice($slug: String!) {
  publicPractice(slug: $slug) {
    name slug timezone currency cancellationNoticeHours
    practitioners { id name timezone sessionPrice { amount currency } }
  }
}
"""

PUBLIC_AVAILABILITY = """
query Free($id: ID!, $from: DateTime!, $to: DateTime!) {
  publicAvailability(practitionerId: $id, from: $from, to: $to) { startsAt endsAt }
}
"""

BOOK_AS_GUEST = f"""
mutation Book($input: BookAsGuestInput!) {{
  bookAsGuest(input: $input) {{
    booking {{
      reference startsAt endsAt party price {{ amount currency }}
      practitioner {{ id name sessionPrice {{ amount currency }} }}
    }}
    {ERRORS}
  }}
}}
"""

PRACTICE_SLUG = "{ viewer { practice { slug } } }"

CLIENTS = """
query Clients($search: String) {
  clients(search: $search, includeInactive: true, first: 100) {
    totalCount
    edges { node {
      id firstName lastName email phone hasAccount
      paymentMethod { brand last4 }
      relationships {
        kind party status payer { id email } clients { id email }
        sessions { edges { node { id startsAt status bookedBy { id } payer { id }
                                 attendees { id } price { amount currency } charge { id } } } }
      }
    } }
  }
}
"""


@dataclass(frozen=True)
class WidgetKey:
    id: str
    text: str
    origin: str
    slug: str


def create_key(
    client: GraphQLClient, owner: Staff, origins: list[str] | None = None, name: str = "Site"
) -> WidgetKey:
    origins = origins or [ORIGIN]
    payload = client.data(CREATE_KEY, {"input": {"name": name, "allowedOrigins": origins}},
                          token=owner.token)["createPublishableKey"]
    assert payload["userErrors"] == [], payload["userErrors"]
    slug = client.data(PRACTICE_SLUG, token=owner.token)["viewer"]["practice"]["slug"]
    return WidgetKey(payload["publishableKey"]["id"], payload["key"], origins[0], slug)


def widget_post(
    client: GraphQLClient, key: WidgetKey | str | None, query: str,
    variables: dict[str, Any] | None = None, *, origin: str | None = ORIGIN,
    token: str | None = None,
) -> Response:
    """A request as a widget on `origin` sends it, with the key in X-Caseload-Key."""
    headers: dict[str, str] = {}
    if key is not None:
        headers["X-Caseload-Key"] = key.text if isinstance(key, WidgetKey) else key
    if origin is not None:
        headers["Origin"] = origin
    return client.post({"query": query, "variables": variables or {}}, token, **headers)


BOOKER = {"firstName": "Maya", "lastName": "Booker", "phone": "+44 7911 123456"}
ATTENDEE = {"firstName": "Leo", "lastName": "Attendee"}


def guest_input(
    practitioner_id: str, starts_at: datetime, booker_email: str, **values: Any
) -> dict[str, Any]:
    return {"practitionerId": practitioner_id, "startsAt": iso(starts_at),
            "booker": {**BOOKER, "email": booker_email}, "paymentToken": "tok_visa", **values}


def book_as_guest(
    client: GraphQLClient, key: WidgetKey, values: dict[str, Any]
) -> dict[str, Any]:
    response = widget_post(client, key, BOOK_AS_GUEST, {"input": values}, origin=key.origin)
    return response.data["bookAsGuest"]  # type: ignore[no-any-return]


def practice_clients(
    client: GraphQLClient, owner: Staff, search: str | None = None
) -> list[dict[str, Any]]:
    data = client.data(CLIENTS, {"search": search}, token=owner.token)["clients"]
    return [edge["node"] for edge in data["edges"]]


def sandbox_counts(server: RunningServer) -> tuple[int, int]:
    """Cards the sandbox provider keeps attached, and charges it has made, in all."""

    async def read(db: Database) -> tuple[int, int]:
        cards, charges = tables.sandbox_cards, tables.sandbox_charges
        async with db.reading() as tx:
            attached = await tx.scalar(select(func.count()).select_from(cards).where(
                cards.c.detached_at.is_(None)))
            charged = await tx.scalar(select(func.count()).select_from(charges))
        return int(attached or 0), int(charged or 0)

    return with_database(server, read)
