"""The benchmarked operations: name -> GraphQL document, variables and plain twin.

To benchmark another operation, write its plain endpoint in bench/plain.py (same rows, same
JSON) and add one Operation to OPERATIONS. Its plain route is served at /bench/plain/<name>.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import appointment_operations as appointment_operations
from bench import family_operations, group_operations, plain, plain_families, plain_groups
from bench import plain_appointments as plain_appointments
from bench.seed import Seeded

Endpoint = Callable[[Request], Awaitable[Response]]


def _no_variables(_: Seeded) -> dict[str, Any]:
    return {}


def _always_available(_: Seeded) -> str | None:
    return None


def _as_sent(body: bytes) -> Any:
    return body


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    plain: Endpoint
    variables: Callable[[Seeded], dict[str, Any]] = field(default=_no_variables)
    # why it cannot run against this seeded database (None: it can)
    unavailable: Callable[[Seeded], str | None] = field(default=_always_available)
    # for an operation that must not repeat (a mutation): a new set of variables per timed
    # request; `variables` then gives the one request whose answers are compared
    next_variables: Callable[[Seeded], Callable[[], dict[str, Any]]] | None = None
    # what of the two answers must be equal (default: every byte)
    comparable: Callable[[bytes], Any] = field(default=_as_sent)
    # who sends it: the email of a seeded account (the seeded password); None: the owner
    signed_in_as: Callable[[Seeded], str] | None = None

    @property
    def plain_path(self) -> str:
        return f"/bench/plain/{self.name}"

    def body(self, seeded: Seeded) -> dict[str, Any]:
        return {"query": self.document, "variables": self.variables(seeded)}

    def next_body(self, seeded: Seeded) -> Callable[[], dict[str, Any]] | None:
        if self.next_variables is None:
            return None
        variables = self.next_variables(seeded)
        return lambda: {"query": self.document, "variables": variables()}


VIEWER_DOCUMENT = """
query Viewer {
  viewer {
    role
    practice { name practitioners { name email } }
    practitioner { id name workingHours { weekday start end } }
  }
}
"""

# The practitioner dashboard: a page of clients with relationships, payer and card.
CLIENTS_DOCUMENT = """
query Dashboard($first: Int!) {
  clients(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id firstName lastName email isActive
        paymentMethod { brand last4 expMonth expYear }
        relationships {
          id kind party status startedAt endedAt
          practitioner { id name }
          clients { id firstName lastName }
          payer { id firstName lastName paymentMethod { brand last4 } }
        }
      }
    }
  }
}
"""


def _clients_unavailable(seeded: Seeded) -> str | None:
    return seeded.clients_unavailable


OPERATIONS: tuple[Operation, ...] = (
    Operation("viewer", VIEWER_DOCUMENT, plain.viewer),
    Operation(
        "clients", CLIENTS_DOCUMENT, plain.clients,
        variables=lambda _: {"first": 50},
        unavailable=_clients_unavailable,
    ),
    Operation(
        "availability", appointment_operations.AVAILABILITY_DOCUMENT,
                plain_appointments.availability,
        variables=appointment_operations.availability_variables,
        unavailable=appointment_operations.unavailable,
    ),
    Operation(
        "bookSession", appointment_operations.BOOK_DOCUMENT, plain_appointments.book_appointment,
        variables=appointment_operations.probe_variables,
        next_variables=appointment_operations.booking_variables,
        comparable=appointment_operations.without_ids,
        unavailable=appointment_operations.booking_unavailable,
    ),
    Operation(
        "awaitingUpdates", appointment_operations.AWAITING_DOCUMENT,
                plain_appointments.awaiting_updates,
        variables=appointment_operations.awaiting_variables,
        unavailable=appointment_operations.unavailable,
    ),
    Operation(
        "transferSession", group_operations.TRANSFER_DOCUMENT, plain_groups.transfer_group_session,
        variables=group_operations.probe_variables,
        next_variables=group_operations.transfer_variables,
        comparable=group_operations.without_new_ids,
        unavailable=group_operations.unavailable,
    ),
    Operation(
        "clientInvoices", group_operations.INVOICES_DOCUMENT, plain_groups.client_invoices,
        variables=group_operations.invoices_variables,
        unavailable=group_operations.unavailable,
    ),
    Operation(
        "myAppointments", family_operations.MY_APPOINTMENTS_DOCUMENT,
        plain_families.my_appointments,
        variables=family_operations.variables,
        unavailable=family_operations.unavailable,
        signed_in_as=family_operations.parent_email,
    ),
)

BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}


def plain_routes() -> list[Route]:
    return [Route(op.plain_path, op.plain, methods=["POST"]) for op in OPERATIONS]
