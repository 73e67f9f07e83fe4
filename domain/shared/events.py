"""Domain events: facts an aggregate records; the unit of work turns them into outbox rows."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """Base of every event. Fields must be JSON-friendly once `to_payload` has run."""

    registry: ClassVar[dict[str, type[Event]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Event.registry[cls.__name__] = cls

    @property
    def kind(self) -> str:
        return type(self).__name__

    def to_payload(self) -> dict[str, Any]:
        return {
            f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
        }

    @classmethod
    def from_payload(cls, kind: str, payload: dict[str, Any]) -> Event:
        event_type = cls.registry[kind]
        values = {}
        for f in dataclasses.fields(event_type):
            raw = payload.get(f.name)
            values[f.name] = uuid.UUID(raw) if f.type in ("uuid.UUID", "UUID") and raw else raw
        return event_type(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class Aggregate:
    """Something the unit of work saves; it records events as rules succeed."""

    def record(self, event: Event) -> None:
        self.__dict__.setdefault("_pending_events", []).append(event)

    def pop_events(self) -> list[Event]:
        return self.__dict__.pop("_pending_events", [])
