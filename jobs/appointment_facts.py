"""Everything an email about one session needs, loaded in one short read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.appointments import Appointment
from domain.clients import Client
from domain.practice import Practice, Practitioner
from jobs.context import JobContext
from persistence import tables


@dataclass(frozen=True)
class AppointmentFacts:
    appointment: Appointment
    practice: Practice
    practitioner: Practitioner
    attendees: list[Client]
    payer: Client

    def local(self, instant: datetime) -> str:
        """A time as the practitioner's clock shows it, e.g. "Monday 3 March 2031, 10:00 GMT"."""
        shown = instant.astimezone(ZoneInfo(self.practitioner.timezone))
        return f"{shown:%A} {shown.day} {shown:%B %Y, %H:%M %Z}"

    def values(self) -> dict[str, object]:
        """Template values every session email shares."""
        appointment = self.appointment
        return {
            "practice_name": self.practice.name,
            "practitioner_name": self.practitioner.name,
            "attendee_names": ", ".join(f"{c.first_name} {c.last_name}" for c in self.attendees),
            "starts_at": self.local(appointment.starts_at),
            "minutes": int(appointment.duration.total_seconds() // 60),
            "price": f"{appointment.price} {appointment.currency}",
            "notice_hours": self.practice.cancellation_notice_hours,
        }

    def client_addresses(self) -> list[tuple[Client, str]]:
        """Attendees and the payer, each once, those with an email address."""
        seen: dict[uuid.UUID, Client] = {c.id: c for c in [*self.attendees, self.payer]}
        return [(c, c.email) for c in seen.values() if c.email]


async def appointment_facts(jc: JobContext, appointment_id: uuid.UUID) -> AppointmentFacts | None:
    async with jc.db.reading() as session:
        appointment = await session.get(Appointment, appointment_id)
        if appointment is None:
            return None
        practice = await session.get(Practice, appointment.practice_id)
        practitioner = await session.get(Practitioner, appointment.practitioner_id)
        wanted = {*appointment.client_ids, appointment.payer_id}
        found = {
            c.id: c for c in (await session.execute(
                select(Client).where(tables.clients.c.id.in_(wanted))
            )).scalars()
        }
    assert practice is not None and practitioner is not None
    return AppointmentFacts(
        appointment, practice, practitioner,
        [found[c] for c in appointment.client_ids if c in found], found[appointment.payer_id],
    )
