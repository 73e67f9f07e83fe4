"""Sessions as iCalendar (RFC 5545, written by the `icalendar` library): the invitation or
cancellation an email carries, and a practitioner's subscribable feed.

One session is one event for ever: its UID is derived from the session's id, and its
SEQUENCE is the session's `calendar_sequence`, one more with each move and at cancellation,
so a calendar program replaces what it holds with the newest and removes a cancelled one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from icalendar import Calendar, Event, vCalAddress, vText

from domain.appointments.appointments import Appointment

PRODUCT = "-//Caseload//Sessions//EN"
REFRESH = timedelta(minutes=15)  # how often a subscribed feed is read again, as a hint


class Method(Enum):
    REQUEST = "REQUEST"  # book or change: mail programs offer to add or update it
    CANCEL = "CANCEL"  # cancelled: they offer to remove it
    PUBLISH = "PUBLISH"  # a feed or a download: nothing to answer


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class EventText:
    """What one reader is shown of a session."""

    summary: str
    description: str
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()


def event_uid(appointment_id: uuid.UUID) -> str:
    return f"session-{appointment_id}@caseload"


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def session_event(appointment: Appointment, text: EventText, stamp: datetime,
                  *, cancelled: bool = False) -> Event:
    event = Event()
    event.add("uid", event_uid(appointment.id))
    event.add("sequence", appointment.calendar_sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", text.summary)
    event.add("description", text.description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if text.organizer is not None:
        event.add("organizer", _address(text.organizer))
    for person in text.attendees:
        event.add("attendee", _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED"),
                  encode=False)
    return event


def calendar(events: Iterable[Event], method: Method, name: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method.value)
    if name is not None:
        cal.add("x-wr-calname", name)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT15M")
    for event in events:
        cal.add_component(event)
    return cal.to_ical()  # type: ignore[no-any-return]


def invitation(appointment: Appointment, text: EventText, stamp: datetime,
               *, cancelled: bool) -> tuple[Method, bytes]:
    """The .ics an email about the session carries: REQUEST, or CANCEL once cancelled."""
    method = Method.CANCEL if cancelled else Method.REQUEST
    return method, calendar([session_event(appointment, text, stamp, cancelled=cancelled)],
                            method)


def download(appointment: Appointment, practitioner_name: str, practice_name: str) -> str:
    """The booking as a guest's "add to calendar" file: the session's own event, published
    (no organizer or attendees: it asks nothing of a calendar program)."""
    text = EventText(summary=f"Session with {practitioner_name}",
                     description=f"{practice_name}. Reference {appointment.reference}.")
    event = session_event(appointment, text, appointment.created_at)
    return calendar([event], Method.PUBLISH).decode()
