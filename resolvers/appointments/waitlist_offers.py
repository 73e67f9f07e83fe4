"""Offering a freed time to the first in line (inside the caller's unit of work): a session
cancelled (cancelSession) or an offer unclaimed by its deadline (the sweep). The time is held
for the entry as a session awaiting confirmation, so nobody else can book it meanwhile;
claiming it confirms that session."""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.appointments.appointments import Appointment, book
from domain.appointments.waitlist import WaitlistOffer, worth_offering
from domain.clients.relationships import RelationshipStatus
from persistence.uow import UnitOfWork


async def offer_freed_time(
    uow: UnitOfWork, practitioner_id: uuid.UUID, starts_at: datetime, ends_at: datetime,
    *, excluding_relationship: uuid.UUID | None = None,
) -> WaitlistOffer | None:
    """The first entry waiting for this time whose relationship still takes bookings gets
    it, held until the offer's deadline; None when nobody (or it starts too soon)."""
    if not worth_offering(starts_at, uow.now):
        return None
    await uow.flush()  # the freed session lets go of its time before another holds it
    if await uow.appointments.busy(practitioner_id, starts_at, ends_at):
        return None  # taken again meanwhile (a session moved by less than its length)
    entries = await uow.waitlist.next_for_time(practitioner_id, starts_at, ends_at,
                                               excluding_relationship=excluding_relationship)
    for entry in entries:
        relationship = await uow.relationships.get(entry.relationship_id)  # type: ignore[arg-type]
        if relationship is None or relationship.status is not RelationshipStatus.ACTIVE:
            continue
        held = await _held_time(uow, relationship.id, practitioner_id, starts_at, ends_at)
        offer = entry.offer(uow.now, starts_at, ends_at=ends_at, appointment_id=held.id)
        held.hold_for_confirmation(offer.expires_at)
        uow.appointments.add(held)
        await uow.flush()
        uow.waitlist_offers.add(offer)
        return offer
    return None


async def _held_time(
    uow: UnitOfWork, relationship_id: uuid.UUID, practitioner_id: uuid.UUID,
    starts_at: datetime, ends_at: datetime,
) -> Appointment:
    relationship = await uow.relationships.get(relationship_id)
    practitioner = await uow.practitioners.get(practitioner_id)
    assert relationship is not None and practitioner is not None
    practice = await uow.practices.get(practitioner.practice_id)
    assert practice is not None
    return book(
        practice_id=practice.id, practitioner_id=practitioner.id,
        relationship_id=relationship.id, payer_id=relationship.payer_id,
        client_ids=relationship.client_ids, starts_at=starts_at,
        duration_minutes=int((ends_at - starts_at).total_seconds() // 60),
        price=practitioner.price, currency=practice.currency, now=uow.now,
        fee_policy=practice.cancellation_policy,
    )
