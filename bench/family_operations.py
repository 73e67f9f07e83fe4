"""The linked-clients benchmark: myAppointments for a parent who manages several children's
appointments (bench/seed_families.py), signed in as the parent."""

from __future__ import annotations

from typing import Any

from bench.seed import Seeded
from bench.seed_families import SeededFamily

MY_APPOINTMENTS_DOCUMENT = """
query Mine($first: Int!) {
  myAppointments(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id startsAt endsAt status price { amount currency }
        attendees { id firstName lastName }
        payer { id firstName lastName }
        bookedBy { id }
      }
    }
  }
}
"""


def unavailable(seeded: Seeded) -> str | None:
    if seeded.clients_unavailable:
        return seeded.clients_unavailable
    if not isinstance(seeded.family, SeededFamily):
        return "needs two practitioners (--practitioners 2 or more)"
    return None


def parent_email(seeded: Seeded) -> str:
    family = seeded.family
    assert isinstance(family, SeededFamily)
    return family.parent_email


def variables(_: Seeded) -> dict[str, Any]:
    return {"first": 50}
