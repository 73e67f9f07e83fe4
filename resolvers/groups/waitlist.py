"""The group session waitlist: in line for a place in a full group session from a date, offered
by the sweep when a place frees (an offer holds the place: enrolments count it), claimed by
enrolling under the usual rules (a subscription from that date and its first month's invoice,
left OPEN to pay)."""

from __future__ import annotations

import uuid
from datetime import date

from domain.appointments.waitlist import (
    WaitlistEntry,
    WaitlistOffer,
    join_for_group_date,
    worth_offering,
)
from domain.billing.billing import Checkout
from domain.groups.group_sessions import (
    GroupSession,
    GroupSubscription,
    Span,
    check_first_date,
    check_room,
    enroll,
)
from domain.shared.errors import DomainError, ErrorCode
from persistence.uow import UnitOfWork
from resolvers.appointments.waitlist_line import ensure_room_in_line
from resolvers.groups.access import local_today, practice_group_session
from resolvers.groups.enrolment import _draft, _subscribe, held_places
from resolvers.shared.access import visible_client
from resolvers.shared.context import RequestContext


async def join_waitlist_for_group(
    ctx: RequestContext, group_session_id: uuid.UUID | None, first_date: date,
    client_id: uuid.UUID | None,
) -> WaitlistEntry:
    """Staff for any client of the practice; a client for themselves. Only for a date the
    session is full on (INVALID_STATE: enrol instead)."""
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        client = await visible_client(uow, viewer, client_id or viewer.client_id, ["clientId"])
        group_session = await practice_group_session(
            uow, viewer, group_session_id, ["sessionId"]) if group_session_id else None
        if group_session is None:
            raise DomainError.one(ErrorCode.NOT_FOUND, "Session not found.", ["sessionId"])
        today = await _today(uow, group_session)
        check_first_date(group_session, first_date, today)
        if await has_room(uow, group_session, first_date):
            raise DomainError.one(ErrorCode.INVALID_STATE, "The session has room from that "
                                  "date: enrol instead.", ["firstDate"])
        await ensure_room_in_line(uow, client.id)
        entry = join_for_group_date(
            practice_id=group_session.practice_id, group_session_id=group_session.id,
            client_id=client.id, payer_id=client.id, first_date=first_date, now=ctx.now)
        uow.waitlist.add(entry)
        await uow.commit()
    return entry


async def _today(uow: UnitOfWork, group_session: GroupSession) -> date:
    practitioner = await uow.practitioners.get(group_session.practitioner_id)
    assert practitioner is not None
    return local_today(uow.now, practitioner.timezone)


async def has_room(uow: UnitOfWork, group_session: GroupSession, first_date: date) -> bool:
    """Whether an open-ended place from `first_date` fits, held places counted."""
    enrolled = await uow.subscriptions.attending_from(group_session.id, first_date)
    spans: list[Span] = [*enrolled, *await held_places(uow, group_session.id)]
    try:
        check_room(group_session.capacity, spans, first_date, ("sessionId",))
    except DomainError:
        return False
    return True


async def offer_free_places(uow: UnitOfWork, group_session_id: uuid.UUID) -> list[WaitlistOffer]:
    """With the session's row locked: each entry in line whose date has room (its place held
    counted from then on) is offered it."""
    group_session = await uow.group_sessions.get(group_session_id, for_update=True)
    if group_session is None:
        return []
    practitioner = await uow.practitioners.get(group_session.practitioner_id)
    assert practitioner is not None
    today = local_today(uow.now, practitioner.timezone)
    offers = []
    for entry in await uow.waitlist.next_for_group(group_session.id, today):
        assert entry.first_date is not None
        starts_at = group_session.starts_at(entry.first_date, practitioner.timezone)
        if not worth_offering(starts_at, uow.now):
            continue
        if not await has_room(uow, group_session, entry.first_date):
            continue
        offer = entry.offer(uow.now, starts_at)
        uow.waitlist_offers.add(offer)
        await uow.flush()  # counted by the next entry's check
        offers.append(offer)
    return offers


async def claim_group_place(
    uow: UnitOfWork, ctx: RequestContext, entry: WaitlistEntry
) -> uuid.UUID:
    """Enrols the entry's client from its date: capacity counted with the session locked (the
    claimed offer no longer holds a place, the others do); the first month's invoice OPEN."""
    assert entry.group_session_id is not None and entry.first_date is not None
    group_session = await uow.group_sessions.get(entry.group_session_id, for_update=True)
    assert group_session is not None
    enrolled: list[GroupSubscription] = await uow.subscriptions.attending_from(
        group_session.id, entry.first_date)
    spans: list[Span] = [*enrolled, *await held_places(uow, group_session.id)]
    subscription = enroll(group_session, client_id=entry.client_id,
                          payer_id=entry.payer_id or entry.client_id,
                          first_date=entry.first_date, today=await _today(uow, group_session),
                          enrolled=spans, now=uow.now)
    draft = _draft(group_session, subscription.payer_id, entry.first_date, None, enrolled)
    await _subscribe(uow, subscription, draft, Checkout.PAY_LATER, None)
    return subscription.id
