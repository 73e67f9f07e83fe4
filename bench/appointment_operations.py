"""The session benchmarks' documents and variables: availability for a week, bookSession (a
mutation: every request books a slot of its own) and awaitingUpdates (a page of 50).

bookSession's requests draw numbers from one counter for the whole run, so neither the
warm-up, nor the timed run, nor the second variant ever repeats a slot: request n books
practitioner lane n % P at hour n // P after `book_from` (bench/seed_appointments.py). The
same-JSON check books one probe per variant in different lanes at the same time, so the two
answers differ only in the new session's and its relationship's ids, which it leaves out.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.seed import Seeded
from bench.seed_appointments import SeededAppointments
from schema.shared.ids import to_global_id

AVAILABILITY_DOCUMENT = """
query Week($practitionerId: ID!, $from: DateTime!, $to: DateTime!, $duration: Int!) {
  availability(practitionerId: $practitionerId, from: $from, to: $to,
               durationMinutes: $duration) { startsAt endsAt }
}
"""

BOOK_DOCUMENT = """
mutation Book($input: BookSessionInput!) {
  bookSession(input: $input) {
    session { id startsAt endsAt status price { amount currency } relationship { id } }
    userErrors { field code message }
  }
}
"""

AWAITING_DOCUMENT = """
query Awaiting($first: Int!) {
  awaitingUpdates(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id startsAt endsAt status price { amount currency }
        relationship { id kind }
        attendees { id firstName lastName }
        payer { id firstName lastName }
      }
    }
  }
}
"""

_requests = itertools.count()
_probes = itertools.count()


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _seeded_appointments(seeded: Seeded) -> SeededAppointments:
    found = seeded.appointments
    assert isinstance(found, SeededAppointments)
    return found


def unavailable(seeded: Seeded) -> str | None:
    if seeded.clients_unavailable:
        return seeded.clients_unavailable
    if not isinstance(seeded.appointments, SeededAppointments):
        return "no relationships to hold sessions (seed some clients)"
    return None


def booking_unavailable(seeded: Seeded) -> str | None:
    reason = unavailable(seeded)
    if reason is None and len(_seeded_appointments(seeded).lanes) < 2:
        return "needs two practitioners with paying relationships (--practitioners 2 or more)"
    return reason


def availability_variables(seeded: Seeded) -> dict[str, Any]:
    appointments = _seeded_appointments(seeded)
    return {"practitionerId": to_global_id("Practitioner", appointments.owner_practitioner_id),
            "from": _iso(appointments.week_start),
            "to": _iso(appointments.week_start + timedelta(days=7)), "duration": 50}


def awaiting_variables(_: Seeded) -> dict[str, Any]:
    return {"first": 50}


def _booking(lane: tuple[Any, ...], turn: int, starts_at: datetime) -> dict[str, Any]:
    return {"input": {"relationshipId": to_global_id("Relationship", lane[turn % len(lane)]),
                      "startsAt": _iso(starts_at), "durationMinutes": 50}}


def probe_variables(seeded: Seeded) -> dict[str, Any]:
    """One per variant, each in its own lane, all at the same time."""
    appointments = _seeded_appointments(seeded)
    lane = next(_probes) % len(appointments.lanes)
    return _booking(appointments.lanes[lane], 0, appointments.probe_at)


def booking_variables(seeded: Seeded) -> Callable[[], dict[str, Any]]:
    """Every call, the next free slot."""
    appointments = _seeded_appointments(seeded)
    lanes = appointments.lanes

    def next_variables() -> dict[str, Any]:
        n = next(_requests)
        turn = n // len(lanes)
        return _booking(lanes[n % len(lanes)], turn,
                        appointments.book_from + timedelta(hours=turn))

    return next_variables


def without_ids(body: bytes) -> Any:
    """The answer with every "id" blanked: two new sessions differ in nothing else."""

    def blank(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: "…" if k == "id" else blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    return blank(json.loads(body))
