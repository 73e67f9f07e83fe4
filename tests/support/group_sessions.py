"""Helpers for group sessions, subscriptions and invoices: documents, a practice with two
services and paying clients, and one-line calls through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tests.support.appointments import ADD_CARD
from tests.support.clients import create_client, signed_in_client
from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.mailbox import Mailbox

ERRORS = "userErrors { field code message }"
MONEY = "{ amount currency }"
INVOICE_FIELDS = f"""
  id number status subtotal {MONEY} discount {MONEY} total {MONEY} discountReason
  issuedAt paidAt suggestedRecipients payer {{ id }}
  lines {{ description quantity unitPrice {MONEY} amount {MONEY} }}
"""
SUBSCRIPTION_FIELDS = """
  id status startDate endDate client { id } payer { id } session { id name }
  transferredFrom { id } transferredTo { id }
"""
GROUP_SESSION_FIELDS = f"""
  id name weekday startTime durationMinutes capacity enrolledCount startsOn endsOn
  monthlyPrice {MONEY} service {{ id name }} practitioner {{ id }}
"""

CREATE_SERVICE = f"""
mutation CreateService($input: CreateServiceInput!) {{
  createService(input: $input) {{ service {{ id name description sessions {{ id }} }} {ERRORS} }}
}}
"""

CREATE_GROUP_SESSION = f"""
mutation CreateGroupSession($input: CreateGroupSessionInput!) {{
  createGroupSession(input: $input) {{ session {{ {GROUP_SESSION_FIELDS} }} {ERRORS} }}
}}
"""

ENROLL = f"""
mutation Enroll($input: EnrollInSessionInput!) {{
  enrollInSession(input: $input) {{
    subscription {{ {SUBSCRIPTION_FIELDS} invoices {{ id }} }}
    invoice {{ {INVOICE_FIELDS} }}
    {ERRORS}
  }}
}}
"""

TRANSFER = f"""
mutation Transfer($input: TransferSessionInput!) {{
  transferSession(input: $input) {{
    endedSubscription {{ {SUBSCRIPTION_FIELDS} }}
    subscription {{ {SUBSCRIPTION_FIELDS} }}
    invoice {{ {INVOICE_FIELDS} }}
    {ERRORS}
  }}
}}
"""

PREVIEW = f"""
query Preview($subscriptionId: ID!, $transferDate: Date!, $toSessionId: ID!, $firstDate: Date!) {{
  sessionTransferPreview(subscriptionId: $subscriptionId, transferDate: $transferDate,
                         toSessionId: $toSessionId, firstDate: $firstDate) {{
    lines {{ description quantity unitPrice {MONEY} amount {MONEY} }}
    suggestedCredit {MONEY}
    newSessionFirstDates
  }}
}}
"""

PAY = f"""
mutation Pay($input: PayInvoiceInput!) {{
  payInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} {ERRORS} }}
}}
"""

SEND = f"""
mutation Send($input: SendInvoiceInput!) {{
  sendInvoice(input: $input) {{ invoice {{ id number }} {ERRORS} }}
}}
"""

# Everything a refusal must leave as it was: a client's subscriptions and invoices.
CLIENT_STATE = f"""
query State($id: ID!) {{
  node(id: $id) {{
    ... on Client {{
      subscriptions {{ {SUBSCRIPTION_FIELDS} invoices {{ id number status total {MONEY} }} }}
      invoices {{ {INVOICE_FIELDS} }}
    }}
  }}
}}
"""

CLIENT_INVOICES = f"""
query Invoices($id: ID!, $status: InvoiceStatus) {{
  node(id: $id) {{ ... on Client {{ invoices(status: $status) {{ {INVOICE_FIELDS} }} }} }}
}}
"""

NODE = """query Node($id: ID!) { node(id: $id) { id __typename } }"""

# Tuesday 1 June 2027, 09:00 in London: the tests' "today".
JUNE_1 = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


@dataclass
class Payer:
    client_id: str
    email: str
    token: str


@dataclass
class Studio:
    """A practice (GBP, Europe/London) with two services: Tuesday Yoga (100.00 a month, 10
    places) and Thursday Pilates (80.00 a month, 10 places), both June to September 2027."""

    owner: Staff
    yoga_service: str
    pilates_service: str
    tuesday: str
    thursday: str


def create_service(client: GraphQLClient, staff: Staff, name: str,
                   description: str | None = None) -> str:
    values: dict[str, Any] = {"name": name}
    if description is not None:
        values["description"] = description
    payload = client.data(CREATE_SERVICE, {"input": values}, token=staff.token)["createService"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(payload["service"]["id"])


def group_session_values(service_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "serviceId": service_id, "name": "Tuesday Yoga", "weekday": "TUESDAY",
        "startTime": "18:00", "durationMinutes": 60, "capacity": 10,
        "monthlyPrice": "100.00", "startsOn": "2027-06-01", "endsOn": "2027-09-28",
        **overrides,
    }


def create_group_session(client: GraphQLClient, staff: Staff, service_id: str,
                         **overrides: Any) -> dict[str, Any]:
    payload = client.data(CREATE_GROUP_SESSION,
                          {"input": group_session_values(service_id, **overrides)},
                          token=staff.token)["createGroupSession"]
    return payload  # type: ignore[no-any-return]


def new_group_session(client: GraphQLClient, staff: Staff, service_id: str,
                      **overrides: Any) -> str:
    payload = create_group_session(client, staff, service_id, **overrides)
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(payload["session"]["id"])


def studio(client: GraphQLClient, **practice: Any) -> Studio:
    owner = register_practice(client, **practice)
    yoga = create_service(client, owner, "Yoga")
    pilates = create_service(client, owner, "Pilates")
    tuesday = new_group_session(client, owner, yoga)
    thursday = new_group_session(client, owner, pilates, name="Thursday Pilates",
                                 weekday="THURSDAY", monthlyPrice="80.00",
                                 startsOn="2027-06-03", endsOn="2027-09-30")
    return Studio(owner, yoga, pilates, tuesday, thursday)


def payer(client: GraphQLClient, owner: Staff, mailbox: Mailbox,
          card: str | None = "tok_visa") -> Payer:
    """A client who has signed in and, unless `card` is None, keeps that card on file."""
    client_id, email, token = signed_in_client(client, owner, mailbox)
    if card is not None:
        added = client.data(ADD_CARD, {"input": {"token": card}}, token=token)
        assert added["addPaymentMethod"]["userErrors"] == []
    return Payer(client_id, email, token)


def plain_client(client: GraphQLClient, owner: Staff, first: str = "Noa") -> str:
    """A client with no sign-in and no card."""
    return str(create_client(client, owner, first, "Walker")["id"])


def enroll(client: GraphQLClient, staff: Staff, **values: Any) -> dict[str, Any]:
    values.setdefault("checkout", "PAY_LATER")
    for key in ("firstDate",):
        if isinstance(values.get(key), date):
            values[key] = values[key].isoformat()
    payload = client.data(ENROLL, {"input": values}, token=staff.token)
    return payload["enrollInSession"]  # type: ignore[no-any-return]


def enrolled(client: GraphQLClient, staff: Staff, **values: Any) -> dict[str, Any]:
    payload = enroll(client, staff, **values)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def transfer(client: GraphQLClient, staff: Staff, **values: Any) -> dict[str, Any]:
    values.setdefault("checkout", "PAY_LATER")
    payload = client.data(TRANSFER, {"input": values}, token=staff.token)
    return payload["transferSession"]  # type: ignore[no-any-return]


def client_state(client: GraphQLClient, staff: Staff, client_id: str) -> dict[str, Any]:
    return client.data(CLIENT_STATE, {"id": client_id}, token=staff.token)["node"]  # type: ignore[no-any-return]


def gbp(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "GBP"}


def line(description: str, amount: str) -> dict[str, Any]:
    return {"description": description, "quantity": 1, "unitPrice": gbp(amount),
            "amount": gbp(amount)}


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]
