"""A practitioner's private calendar feed: an iCalendar URL with a secret token that Google
Calendar, Apple Calendar and others subscribe to, listing their sessions.

rotateCalendarFeed makes a new token (the old URL stops at once) and answers the URL, once:
only a hash of the token is kept. revokeCalendarFeed removes it. The practitioner may do
either for themselves, the owner for anyone of the practice.

The feed holds the sessions that keep time taken, from 60 days back to a year ahead, each
with the UID and SEQUENCE its emails' invitations carry, so one session is one event
everywhere. Anyone holding the URL can read it (that is how subscribing works): rotate it if
it leaked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.accounts.practice import Practitioner
from domain.appointments.appointments import Appointment
from domain.clients.clients import Client
from persistence.database import Database
from persistence.uow import UnitOfWork
from resolvers.appointments import calendar_files
from resolvers.appointments.calendar_files import EventText, Method, Person
from resolvers.shared.access import ensure_acts_for, practice_practitioner
from resolvers.shared.context import RequestContext

FEED_PATH = "/calendar/{token}.ics"
PAST, AHEAD = timedelta(days=60), timedelta(days=366)
MOST_EVENTS = 2000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RotatedFeed:
    practitioner: Practitioner
    url: str


async def rotate_feed(ctx: RequestContext, practitioner_id: uuid.UUID | None) -> RotatedFeed:
    token = secrets.token_urlsafe(32)
    async with ctx.unit_of_work() as uow:
        practitioner = await _own(uow, ctx, practitioner_id)
        practitioner.calendar_token_hash = _hash(token)
        await uow.commit()
    url = ctx.services.public_url.rstrip("/") + FEED_PATH.format(token=token)
    return RotatedFeed(practitioner, url)


async def revoke_feed(ctx: RequestContext, practitioner_id: uuid.UUID | None) -> Practitioner:
    async with ctx.unit_of_work() as uow:
        practitioner = await _own(uow, ctx, practitioner_id)
        practitioner.calendar_token_hash = None
        await uow.commit()
    return practitioner


async def _own(uow: UnitOfWork, ctx: RequestContext,
               practitioner_id: uuid.UUID | None) -> Practitioner:
    viewer = ctx.staff()
    practitioner = await practice_practitioner(uow, viewer, practitioner_id, ["practitionerId"])
    ensure_acts_for(viewer, practitioner.id)
    return practitioner


async def feed(db: Database, token: str, now: datetime) -> bytes | None:
    """The feed for a token, or None for one that is not (or no longer) a feed's."""
    if not _TOKEN.match(token):
        return None
    async with UnitOfWork(db, now, read_only=True) as uow:
        practitioner = await uow.practitioners.by_calendar_token_hash(_hash(token))
        if practitioner is None:
            return None
        practice = await uow.practices.get(practitioner.practice_id)
        found = await uow.appointments.of_practitioner_between(
            practitioner.id, now - PAST, now + AHEAD, MOST_EVENTS)
        clients = await uow.clients.many({c for a in found for c in a.client_ids})
    assert practice is not None
    events = [calendar_files.session_event(a, _text(a, practitioner, clients), now)
              for a in found]
    return calendar_files.calendar(events, Method.PUBLISH,
                                   name=f"{practice.name}: {practitioner.name}")


def _text(appointment: Appointment, practitioner: Practitioner,
          clients: dict[uuid.UUID, Client]) -> EventText:
    attending = [clients[c] for c in appointment.client_ids if c in clients]
    names = ", ".join(f"{c.first_name} {c.last_name}" for c in attending)
    return EventText(
        summary=f"Session: {names}",
        description=f"Reference {appointment.reference}.",
        organizer=Person(practitioner.name, practitioner.email),
    )
