"""joinWaitlist, leaveWaitlist, claimWaitlistOffer and myWaitlistEntries.

Who may: the practice's staff (a practitioner for their own relationships, the owner for any)
for any client, a signed-in client for a relationship they attend or pay for. Anything else is
NOT_FOUND. Claiming needs no sign-in: the emailed link is the proof, as for confirmGuestBooking.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from domain.appointments import availability
from domain.appointments.appointments import Appointment
from domain.appointments.policy import AppointmentStatus
from domain.appointments.waitlist import (
    OfferStatus,
    WaitlistEntry,
    WaitlistKind,
    WaitlistOffer,
    WaitlistStatus,
    invalid_offer,
    join_for_times,
)
from domain.shared.errors import not_found
from persistence.uow import UnitOfWork
from resolvers.appointments.booking import ensure_payment_method
from resolvers.appointments.waitlist_line import ensure_room_in_line, may_see_entry
from resolvers.appointments.waitlist_links import offer_of_token
from resolvers.appointments.waitlist_offers import offer_freed_time
from resolvers.groups.waitlist import claim_group_place
from resolvers.shared.access import ensure_manages, visible_relationship
from resolvers.shared.context import RequestContext


@dataclass(frozen=True)
class Claimed:
    entry: WaitlistEntry
    appointment: Appointment | None = None
    subscription_id: uuid.UUID | None = None


async def join_waitlist_for_times(
    ctx: RequestContext, relationship_id: uuid.UUID | None, earliest: datetime,
    latest: datetime,
) -> WaitlistEntry:
    """In line for any of the relationship's practitioner's times inside [from, to]."""
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        relationship = await visible_relationship(uow, viewer, relationship_id,
                                                  ["relationshipId"])
        if viewer.is_staff:
            ensure_manages(viewer, relationship)
        relationship.ensure_active("restart it to join the waitlist.", "relationshipId")
        client_id = (viewer.client_id if viewer.client_id in relationship.client_ids
                     else relationship.client_ids[0])
        await ensure_room_in_line(uow, client_id)
        entry = join_for_times(
            practice_id=relationship.practice_id, relationship_id=relationship.id,
            practitioner_id=relationship.practitioner_id, client_id=client_id,
            earliest=earliest, latest=latest, now=ctx.now,
        )
        uow.waitlist.add(entry)
        await uow.commit()
    return entry


async def leave_waitlist(ctx: RequestContext, entry_id: uuid.UUID | None) -> WaitlistEntry:
    """Off the waitlist; an open offer is withdrawn and passes to the next in line."""
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        entry = await uow.waitlist.get(entry_id, for_update=True) if entry_id else None
        if entry is None or not await may_see_entry(uow, viewer, entry):
            raise not_found("WaitlistEntry", ["entryId"])
        offers = await uow.waitlist_offers.open_of_entries([entry.id])
        entry.leave(ctx.now)
        for offer in offers:
            await pass_on(uow, offer, entry)
        await uow.commit()
    return entry


async def pass_on(uow: UnitOfWork, offer: WaitlistOffer, entry: WaitlistEntry) -> None:
    """An offer that lapsed (or was withdrawn): its hold ends and the next in line gets it."""
    offer.expire(entry)
    if offer.appointment_id is None:
        return  # a group place: the sweep offers free places again
    held = await uow.appointments.get(offer.appointment_id, for_update=True)
    if held is None or held.held_until is None or held.status is not AppointmentStatus.SCHEDULED:
        return  # cancelled by the practice meanwhile: nothing is held any more
    held.release_hold(uow.now, "Waitlist offer not claimed in time.")
    await offer_freed_time(uow, held.practitioner_id, held.starts_at, held.ends_at)


async def my_waitlist_entries(ctx: RequestContext) -> list[WaitlistEntry]:
    """A signed-in client's entries still in line (at most MAX_WAITING)."""
    viewer = ctx.signed_in()
    if viewer.client_id is None:
        return []
    async with ctx.reading() as uow:
        return await uow.waitlist.of_clients([viewer.client_id])


async def claim_offer(
    ctx: RequestContext, token: str, idempotency_key: str | None
) -> Claimed:
    """Books the offered time under the usual rules (a card on file, the tiers in force now).
    A retry with the same idempotencyKey answers the first claim; any other use of a claimed,
    expired or made-up link is INVALID_TOKEN. One offer per time, its row locked: two claims
    never both book."""
    offer_id = offer_of_token(ctx.services.tokens.secret, token)
    if offer_id is None:
        raise invalid_offer()
    try:
        async with ctx.unit_of_work() as uow:
            offer = await uow.waitlist_offers.get(offer_id, for_update=True)
            if offer is None:
                raise invalid_offer()
            entry = await uow.waitlist.get(offer.entry_id, for_update=True)
            assert entry is not None
            if (offer.status is OfferStatus.CLAIMED and idempotency_key
                    and offer.claim_key == idempotency_key):
                return await _earlier(uow, offer, entry)
            offer.claim(entry, ctx.now, idempotency_key)
            claimed = await (_claim_time(uow, offer, entry) if entry.kind is WaitlistKind.SESSION
                             else _claim_place(uow, ctx, offer, entry))
            await uow.commit()
    except IntegrityError:
        raise availability.slot_unavailable("token") from None
    return claimed


async def _claim_time(uow: UnitOfWork, offer: WaitlistOffer, entry: WaitlistEntry) -> Claimed:
    held = await uow.appointments.get(offer.appointment_id, for_update=True)  # type: ignore[arg-type]
    if held is None or held.held_until is None:
        raise invalid_offer()
    relationship = await uow.relationships.get(held.relationship_id)
    assert relationship is not None
    relationship.ensure_active("the practice must restart it first.", "token")
    await ensure_payment_method(uow, held.payer_id)
    practice = await uow.practices.get(held.practice_id)
    assert practice is not None
    held.fee_policy = practice.cancellation_policy  # booked now: the tiers in force now
    held.confirm_hold(uow.now)
    return Claimed(entry, held)


async def _claim_place(
    uow: UnitOfWork, ctx: RequestContext, offer: WaitlistOffer, entry: WaitlistEntry
) -> Claimed:
    subscription_id = await claim_group_place(uow, ctx, entry)
    offer.subscription_id = subscription_id
    return Claimed(entry, subscription_id=subscription_id)


async def _earlier(uow: UnitOfWork, offer: WaitlistOffer, entry: WaitlistEntry) -> Claimed:
    if offer.appointment_id is not None:
        return Claimed(entry, await uow.appointments.get(offer.appointment_id))
    return Claimed(entry, subscription_id=offer.subscription_id)


def is_waiting(entry: WaitlistEntry) -> bool:
    return entry.status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
