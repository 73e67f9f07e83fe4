"""Emails about booked, moved and cancelled sessions: to the attendees and the payer (each
once, those with an address) and to the practitioner.

Handlers reload the session when the email goes out, so it tells the session as it is then:
a confirmation or change for a session cancelled since is not sent (its cancellation email
is), nor a confirmation of a session recorded after it started.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.appointments.appointments import (
    Appointment,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    Charge,
    ChargeStatus,
)
from domain.appointments.policy import AppointmentStatus, CancelledBy, late_fee
from domain.widgets.guest_booking import GuestBookingHeld
from jobs.context import JobContext
from jobs.email.adapters import Attachment
from jobs.email.appointment_facts import AppointmentFacts, appointment_facts
from jobs.email.handlers import EmailIntent, handles
from resolvers.accounts.invite_links import confirm_booking_link
from resolvers.appointments.calendar_files import Person


def _everyone(
    jc: JobContext, facts: AppointmentFacts, template: str, extra: dict[str, Any], *,
    cancelled: bool = False,
) -> list[EmailIntent]:
    """One email per address: each client concerned, then the practitioner (once they have
    joined the practice); each carries the session as an .ics for that reader."""
    stamp, organizer = jc.clock(), facts.organizer(jc.sender)

    def calendar(name: str, address: str, own: bool) -> tuple[Attachment, ...]:
        return (facts.invitation(Person(name, address), for_practitioner=own,
                                 cancelled=cancelled, organizer=organizer, stamp=stamp),)

    shared = {**facts.values(), "app_url": jc.app_url, **extra}
    practice_id = facts.practice.id
    intents: dict[str, EmailIntent] = {}
    others = f"the session for {shared['attendee_names']}"
    for client, address in facts.client_addresses():
        attends = client.id in facts.appointment.client_ids
        phrase = "your session" if attends else others  # a payer who does not attend
        values = {**shared, "first_name": client.first_name, "for_practitioner": False,
                  "session_phrase": phrase[0].upper() + phrase[1:],
                  "session_phrase_lower": phrase}
        intents.setdefault(address.lower(), EmailIntent(
            address, template, values, practice_id,
            calendar(f"{client.first_name} {client.last_name}", address, False)))
    practitioner = facts.practitioner
    if not facts.practitioner_joined:
        return list(intents.values())
    values = {**shared, "first_name": practitioner.name, "for_practitioner": True,
              "session_phrase": "The session", "session_phrase_lower": "the session"}
    intents.setdefault(
        practitioner.email.lower(),
        EmailIntent(practitioner.email, template, values, practice_id,
                    calendar(practitioner.name, practitioner.email, True)),
    )
    return list(intents.values())


@handles(AppointmentBooked)
async def appointment_booked(jc: JobContext, event: AppointmentBooked) -> list[EmailIntent]:
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None or facts.appointment.status is not AppointmentStatus.SCHEDULED:
        return []
    if facts.appointment.starts_at <= jc.clock():
        return []  # the practice recording a session that already happened
    return _everyone(jc, facts, "session_booked", {})


@handles(AppointmentRescheduled)
async def appointment_rescheduled(
    jc: JobContext, event: AppointmentRescheduled
) -> list[EmailIntent]:
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None or facts.appointment.status is not AppointmentStatus.SCHEDULED:
        return []
    previous = facts.local(datetime.fromisoformat(event.previous_starts_at))
    return _everyone(jc, facts, "session_rescheduled", {"previous_starts_at": previous})


@handles(AppointmentCancelled)
async def appointment_cancelled(jc: JobContext, event: AppointmentCancelled) -> list[EmailIntent]:
    """Says who cancelled and whether the fee stands: taken, to be taken, or refunded."""
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None:
        return []
    appointment = facts.appointment
    charge = await _charge(jc, appointment.charge_id)
    paid = charge is not None and charge.status is not ChargeStatus.FAILED
    return _everyone(jc, facts, "session_cancelled", {
        "by_practice": appointment.cancelled_by is CancelledBy.PRACTICE,
        "late": bool(event.late),
        "paid": paid,
        "refunded": paid and charge is not None and charge.refund_requested_at is not None,
        "reason": appointment.cancel_reason,
        **_fee_values(appointment, charge if paid else None),
    }, cancelled=True)


def _fee_values(appointment: Appointment, charge: Charge | None) -> dict[str, Any]:
    """What a late cancellation charged and why: the notice given, the tier of the policy
    the session was booked under, its percent, the fee, and any part of a charge given back."""
    quote = late_fee(appointment)
    if quote is None or appointment.cancelled_at is None:
        return {"fee": None}
    spare = (charge.refund_amount if charge is not None and charge.refund_requested_at
             and charge.refund_amount is not None else None)
    return {
        "fee": f"{quote.amount.amount} {appointment.currency}",
        "fee_percent": f"{quote.percent.normalize():f}",
        "tier_hours": quote.within_hours,
        "notice_given": notice_given(appointment.starts_at - appointment.cancelled_at),
        "partial_refund": f"{spare} {appointment.currency}" if spare is not None else None,
    }


def notice_given(notice: timedelta) -> str:
    """"36 hours before the start", "1 hour 5 minutes before the start", "after the start"."""
    minutes = int(notice.total_seconds() // 60)
    if notice <= timedelta(0):
        return "after the start"
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' * (hours != 1)}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' * (minutes != 1)}")
    return " ".join(parts) + " before the start"


async def _charge(jc: JobContext, charge_id: Any) -> Charge | None:
    if charge_id is None:
        return None
    async with jc.db.reading() as tx:
        return await tx.get(Charge, charge_id)


@handles(GuestBookingHeld)
async def guest_booking_held(jc: JobContext, event: GuestBookingHeld) -> list[EmailIntent]:
    """Only the client on file hears of a held booking, with the link that confirms it."""
    facts = await appointment_facts(jc, event.appointment_id)
    if facts is None or facts.appointment.held_until is None:
        return []  # confirmed or released before the email went out
    payer = facts.payer
    if payer.id != event.client_id or not payer.email:
        return []
    values = {**facts.values(), "app_url": jc.app_url, "first_name": payer.first_name,
              "confirm_by": facts.local(facts.appointment.held_until),
              "confirm_link": confirm_booking_link(jc.app_url, jc.secret_key,
                                                   event.confirmation_id)}
    return [EmailIntent(payer.email, "confirm_booking", values, facts.practice.id)]
