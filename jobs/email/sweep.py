"""Emails the sweep causes: reminders, failed payments, automatic cancellations (seeds 000, 004).

Each handler reloads the session when the email goes out and sends nothing that has stopped
being true: no reminder for a session cancelled (or moved, which queues a reminder of its own)
since; no payment-failed email once the session is paid or no longer owed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from domain.accounts.payments import PaymentMethod
from domain.appointments.appointments import (
    NOT_OWED,
    AppointmentAutoCancelled,
    AppointmentReminderDue,
    PaymentFailed,
    appointment_charge_key,
)
from domain.appointments.appointments import Charge as ChargeRecord
from domain.appointments.policy import AUTO_CANCEL_BEFORE, AppointmentStatus
from domain.clients.clients import Client
from jobs.context import JobContext
from jobs.email.adapters import Attachment
from jobs.email.appointment_facts import AppointmentFacts, appointment_facts
from jobs.email.handlers import EmailIntent, handles
from persistence import tables
from resolvers.accounts.invite_links import payment_method_link
from resolvers.appointments.calendar_files import Person


def _to_clients(facts: AppointmentFacts, template: str, *,
                removal: Callable[[str, str], Attachment] | None = None,
                **extra: object) -> list[EmailIntent]:
    """Attendees and the payer, once per address; with `removal`, each carries the .ics
    that takes the session out of their calendar."""
    intents: dict[str, EmailIntent] = {}
    for client, address in facts.client_addresses():
        values = {**facts.values(), **extra, **_phrases(facts, client),
                  "first_name": client.first_name, "is_payer": client.id == facts.payer.id}
        files = (removal(f"{client.first_name} {client.last_name}", address),) if removal else ()
        intents.setdefault(address.lower(),
                           EmailIntent(address, template, values, facts.practice.id, files))
    return list(intents.values())


def _phrases(facts: AppointmentFacts, client: Client) -> dict[str, str]:
    """"your session" to an attendee; "the session for ..." to a payer who does not attend."""
    phrase = ("your session" if client.id in facts.appointment.client_ids
              else f"the session for {facts.values()['attendee_names']}")
    return {"session_phrase": phrase[0].upper() + phrase[1:], "session_phrase_lower": phrase}


@handles(AppointmentReminderDue)
async def remind(jc: JobContext, event: AppointmentReminderDue) -> list[EmailIntent]:
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None:
        return []
    appointment = facts.appointment
    if (appointment.status is not AppointmentStatus.SCHEDULED
            or appointment.reminder_sent_at is None  # moved since: the new time gets its own
            or appointment.starts_at <= jc.clock()):
        return []
    return _to_clients(facts, "reminder", unpaid=appointment.needs_payment)


@handles(PaymentFailed)
async def payment_failed(jc: JobContext, event: PaymentFailed) -> list[EmailIntent]:
    """To the payer: the card was refused (or there was none), and what happens next."""
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None or not facts.payer.email:
        return []
    appointment = facts.appointment
    if not appointment.needs_payment or appointment.status in NOT_OWED:
        return []  # paid (a new card, say) or cancelled since
    async with jc.db.reading() as tx:
        charge = await tx.get(ChargeRecord, event.charge_id)
        card = (await tx.execute(
            select(PaymentMethod).where(tables.payment_methods.c.client_id == facts.payer.id)
        )).scalars().first()
    no_card = (charge is not None
               and charge.idempotency_key == appointment_charge_key(appointment.id, None))
    refused_card = (
        card if card is not None and charge is not None
        and charge.idempotency_key == appointment_charge_key(appointment.id, card.id) else None
    )
    cancel_at = appointment.starts_at - AUTO_CANCEL_BEFORE
    values = {
        **facts.values(),
        **_phrases(facts, facts.payer),
        "first_name": facts.payer.first_name,
        "no_card": no_card,
        "card": f"{refused_card.brand} ending {refused_card.last4}" if refused_card else None,
        "late_cancelled": appointment.status is AppointmentStatus.LATE_CANCELLED,
        "cancel_at": facts.local(cancel_at)
        if appointment.status is AppointmentStatus.SCHEDULED and cancel_at > jc.clock() else None,
        "link": payment_method_link(jc.app_url),
    }
    return [EmailIntent(facts.payer.email, "payment_failed", values, facts.practice.id)]


@handles(AppointmentAutoCancelled)
async def auto_cancelled(jc: JobContext, event: AppointmentAutoCancelled) -> list[EmailIntent]:
    """To the attendees, the payer and the practitioner."""
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None or facts.appointment.status is not AppointmentStatus.AUTO_CANCELLED:
        return []
    payer_name = f"{facts.payer.first_name} {facts.payer.last_name}"
    stamp, organizer = jc.clock(), facts.organizer(jc.sender)

    def removal(name: str, address: str, own: bool = False) -> Attachment:
        return facts.invitation(Person(name, address), for_practitioner=own, cancelled=True,
                                organizer=organizer, stamp=stamp)

    intents = _to_clients(facts, "auto_cancelled", removal=removal,
                          for_practitioner=False, payer_name=payer_name)
    practitioner = facts.practitioner
    if not facts.practitioner_joined:
        return intents
    intents.append(EmailIntent(
        practitioner.email, "auto_cancelled",
        {**facts.values(), "first_name": practitioner.name, "is_payer": False,
         "for_practitioner": True, "payer_name": payer_name},
        facts.practice.id,
        (removal(practitioner.name, practitioner.email, True),),
    ))
    return intents
