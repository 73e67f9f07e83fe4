"""The group-session benchmarks' documents and variables: transferSession (a mutation: every
request moves a subscription of its own) and a client's invoices page.

transferSession's requests draw numbers from one counter for the whole run, so neither the
warm-up, nor the timed run, nor the second variant ever moves a subscription twice: request
n moves pool subscription n into target session n // 20 (bench/seed_groups.py). The
same-JSON check moves one probe per variant from the end of the pool; the two answers differ
only in the new rows' ids and the invoice's number, which it leaves out.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from bench.seed import Seeded
from bench.seed_groups import PER_GROUP_SESSION, PROBES, SeededGroups
from schema.shared.ids import to_global_id

MONEY = "{ amount currency }"

TRANSFER_DOCUMENT = f"""
mutation Transfer($input: TransferSessionInput!) {{
  transferSession(input: $input) {{
    endedSubscription {{ id status startDate endDate transferredTo {{ id }} }}
    subscription {{ id status startDate endDate session {{ id name }} transferredFrom {{ id }} }}
    invoice {{
      id number status
      lines {{ description quantity unitPrice {MONEY} amount {MONEY} }}
      subtotal {MONEY} discount {MONEY} total {MONEY}
    }}
    userErrors {{ field code message }}
  }}
}}
"""

INVOICES_DOCUMENT = f"""
query ClientInvoices($id: ID!) {{
  node(id: $id) {{
    ... on Client {{
      id firstName lastName
      invoices {{
        id number status issuedAt paidAt
        subtotal {MONEY} discount {MONEY} total {MONEY}
        lines {{ description quantity unitPrice {MONEY} amount {MONEY} }}
        suggestedRecipients
      }}
    }}
  }}
}}
"""

_requests = itertools.count()
_probes = itertools.count()


def _groups(seeded: Seeded) -> SeededGroups:
    found = seeded.groups
    assert isinstance(found, SeededGroups)
    return found


def unavailable(seeded: Seeded) -> str | None:
    if seeded.clients_unavailable:
        return seeded.clients_unavailable
    if not isinstance(seeded.groups, SeededGroups):
        return "no group sessions (seed at least 20 clients)"
    return None


def _transfer(groups: SeededGroups, n: int) -> dict[str, Any]:
    if n >= len(groups.subscriptions):
        raise RuntimeError(f"the transfer pool of {len(groups.subscriptions)} subscriptions "
                           "ran out: seed a bigger POOL in bench/seed_groups.py")
    return {"input": {
        "subscriptionId": to_global_id("SessionSubscription", groups.subscriptions[n]),
        "transferDate": groups.transfer_date.isoformat(),
        "toSessionId": to_global_id("GroupSession", groups.targets[n // PER_GROUP_SESSION]),
        "firstDate": groups.first_date.isoformat(),
        "discount": {"percent": "10", "reason": "Moved mid-month"},
        "checkout": "PAY_LATER",
    }}


def probe_variables(seeded: Seeded) -> dict[str, Any]:
    """One per variant, from the end of the pool."""
    groups = _groups(seeded)
    return _transfer(groups, len(groups.subscriptions) - 1 - next(_probes) % PROBES)


def transfer_variables(seeded: Seeded) -> Callable[[], dict[str, Any]]:
    groups = _groups(seeded)
    limit = len(groups.subscriptions) - PROBES

    def next_variables() -> dict[str, Any]:
        n = next(_requests)
        if n >= limit:
            raise RuntimeError(f"the transfer pool ({limit} subscriptions) ran out: seed a "
                               "bigger POOL in bench/seed_groups.py")
        return _transfer(groups, n)

    return next_variables


def without_new_ids(body: bytes) -> Any:
    """The answer with every "id" and the invoice "number" blanked."""

    def blank(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: "…" if k in ("id", "number") else blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    return blank(json.loads(body))


def invoices_variables(seeded: Seeded) -> dict[str, Any]:
    return {"id": to_global_id("Client", _groups(seeded).invoice_client_id)}
