"""Everything an email about one session needs, loaded in one short read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from domain.accounts.practice import Practice, Practitioner
from domain.appointments.appointments import Appointment
from domain.clients.clients import Client
from domain.clients.links import ClientLink, Permission
from jobs.context import JobContext
from jobs.email.adapters import Attachment
from persistence import tables
from resolvers.appointments import calendar_files
from resolvers.appointments.calendar_files import EventText, Person


@dataclass(frozen=True)
class AppointmentFacts:
    appointment: Appointment
    practice: Practice
    practitioner: Practitioner
    attendees: list[Client]
    payer: Client
    # Linked clients an attendee lets receive copies of their session emails (seed 003).
    copies: list[Client] = field(default_factory=list)
    # False while the practitioner is only invited: the practice's sessions are not sent to
    # an address that has not accepted (it may not even be theirs).
    practitioner_joined: bool = True

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
            # the tiers it was booked under, which its cancellation follows
            "notice_hours": appointment.cancellation_policy.notice_hours,
            "fee_tiers": [f"{t.within_hours} hours' notice or less: {t.percent.normalize():f} %"
                          for t in appointment.cancellation_policy.tiers],
            "tiered": appointment.cancellation_policy.as_rows() != [
                (appointment.cancellation_policy.notice_hours, 100)],
            # paid with a package credit rather than by card
            "package_credit": appointment.package_id is not None,
            "reference": appointment.reference,
        }

    def invitation(self, recipient: Person, *, for_practitioner: bool, cancelled: bool,
                   organizer: Person, stamp: datetime) -> Attachment:
        """The session as an .ics for one reader: REQUEST to add or update it, CANCEL to
        remove it; one UID for the session, its SEQUENCE one more with each change. The
        reader is its only attendee (nobody learns another's address from it), and the
        practice's sending address organises it."""
        names = ", ".join(f"{c.first_name} {c.last_name}" for c in self.attendees)
        summary = (f"Session: {names}" if for_practitioner
                   else f"Session with {self.practitioner.name}")
        text = EventText(
            summary=summary,
            description=(f"{self.practice.name}: {self.practitioner.name} with {names}. "
                         f"Reference {self.appointment.reference}."),
            organizer=organizer, attendees=(recipient,),
        )
        method, content = calendar_files.invitation(self.appointment, text, stamp,
                                                    cancelled=cancelled)
        name = "cancellation.ics" if cancelled else "invitation.ics"
        return Attachment.calendar(name, content, method.value)

    def organizer(self, sender: str) -> Person:
        """The practitioner's name at the address the emails come from."""
        return Person(self.practitioner.name, parseaddr(sender)[1] or sender)

    def client_addresses(self) -> list[tuple[Client, str]]:
        """Attendees, the payer, then linked clients receiving notification copies: each
        once, those with an email address."""
        seen: dict[uuid.UUID, Client] = {
            c.id: c for c in [*self.attendees, self.payer, *self.copies]
        }
        return [(c, c.email) for c in seen.values() if c.email]


async def appointment_facts(jc: JobContext, appointment_id: uuid.UUID) -> AppointmentFacts | None:
    async with jc.db.reading() as tx:
        appointment = await tx.get(Appointment, appointment_id)
        if appointment is None:
            return None
        practice = await tx.get(Practice, appointment.practice_id)
        practitioner = await tx.get(Practitioner, appointment.practitioner_id)
        copies = await copy_recipients(tx, appointment.client_ids,
                                       assigned=appointment.assigned_client_ids)
        wanted = {*appointment.client_ids, appointment.payer_id, *copies}
        joined = (await tx.execute(select(tables.memberships.c.id).where(
            tables.memberships.c.practitioner_id == appointment.practitioner_id))).first()
        found = {
            c.id: c for c in (await tx.execute(
                select(Client).where(tables.clients.c.id.in_(wanted))
            )).scalars()
        }
    assert practice is not None and practitioner is not None
    return AppointmentFacts(
        appointment, practice, practitioner,
        [found[c] for c in appointment.client_ids if c in found], found[appointment.payer_id],
        [found[c] for c in copies if c in found], joined is not None,
    )


async def copy_recipients(
    tx: Any, client_ids: list[uuid.UUID], *, assigned: list[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """The clients linked to any of `client_ids` who were given receiveNotificationCopies by
    them, in link order, each once; for a session, only those `assigned` to it. Read when
    the email goes out: an unlinked client gets nothing more."""
    if not client_ids:
        return []
    links = tables.client_links.c
    found = (await tx.execute(
        select(ClientLink)
        .where(or_(links.client_id.in_(client_ids), links.linked_client_id.in_(client_ids)))
        .order_by(links.created_at, links.id)
    )).scalars()
    copies: dict[uuid.UUID, None] = {}
    for link in found:
        for grantor in (link.client_id, link.linked_client_id):
            grantee = link.other(grantor)
            if assigned is not None and grantee not in assigned:
                continue
            if grantor in client_ids and grantee not in client_ids and link.grants(
                    grantor, grantee, Permission.RECEIVE_NOTIFICATION_COPIES):
                copies[grantee] = None
    return list(copies)
