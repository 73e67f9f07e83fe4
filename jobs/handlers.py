"""What each event means for email: handlers reload state by id and say who gets what."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.events import Event
from domain.practice import Practice, PracticeRegistered, Practitioner, PractitionerAdded
from jobs.context import JobContext


@dataclass(frozen=True)
class EmailIntent:
    to: str
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    practice_id: uuid.UUID | None = None


E = TypeVar("E", bound=Event)
Handler = Callable[[JobContext, Any], Awaitable[list[EmailIntent]]]
HANDLERS: dict[str, Handler] = {}


def handles(event_type: type[E]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[event_type.__name__] = fn
        return fn

    return register


async def _practitioner_and_practice(
    jc: JobContext, practitioner_id: uuid.UUID
) -> tuple[Practitioner, Practice] | None:
    async with jc.db.reading() as session:
        practitioner = await session.get(Practitioner, practitioner_id)
        practice = await session.get(Practice, practitioner.practice_id) if practitioner else None
    return (practitioner, practice) if practitioner and practice else None


async def _practitioner_email(
    jc: JobContext, practitioner_id: uuid.UUID, template: str
) -> list[EmailIntent]:
    found = await _practitioner_and_practice(jc, practitioner_id)
    if found is None:
        return []
    practitioner, practice = found
    values = {
        "name": practitioner.name, "email": practitioner.email, "practice_name": practice.name,
        "timezone": practitioner.timezone, "app_url": jc.app_url,
    }
    return [EmailIntent(practitioner.email, template, values, practice.id)]


@handles(PracticeRegistered)
async def welcome_owner(jc: JobContext, event: PracticeRegistered) -> list[EmailIntent]:
    return await _practitioner_email(jc, event.practitioner_id, "welcome")


@handles(PractitionerAdded)
async def welcome_practitioner(jc: JobContext, event: PractitionerAdded) -> list[EmailIntent]:
    return await _practitioner_email(jc, event.practitioner_id, "practitioner_added")
