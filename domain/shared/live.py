"""A live update for dashboards: which committed event happened, to what, in which practice.
It names its subject by id only; what a subscriber may read of it is decided when it is
delivered, by the same rules as a query."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class LiveEvent:
    id: str  # the outbox row's id: a repeated delivery of one event keeps its id
    kind: str
    practice_id: str
    subject_type: str  # the Node type of the subject: Session, IntakeForm, Invoice
    subject_id: str
    occurred_at: str  # ISO 8601, UTC

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveEvent | None:
        """None for anything that is not one of ours (another writer on the channel)."""
        try:
            values = json.loads(raw)
            return cls(**{f.name: str(values[f.name]) for f in fields(cls)})
        except (ValueError, TypeError, KeyError):
            return None
