"""The public booking surface a publishable key opens: the practice's profile by slug, its
practitioners and their availability, and bookAsGuest."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from domain.accounts.payments import Card, card_on_file
from domain.accounts.practice import Practice, Practitioner
from domain.appointments import availability
from domain.appointments.appointments import Appointment, book
from domain.clients.clients import Client, new_client
from domain.clients.profile import Profile, country_of_timezone
from domain.clients.relationships import RelationshipParty
from domain.shared.errors import DomainError, ErrorCode, not_found
from domain.widgets.guest_booking import (
    GuestDetails,
    GuestParties,
    check_guest_booking,
    hold_for_owner,
    invalid_payment_token,
)
from persistence import tables
from persistence.uow import UnitOfWork
from resolvers.accounts.invite_links import confirmation_hash_for
from resolvers.accounts.invites import issue_invite
from resolvers.appointments.booking import relationship_for
from resolvers.appointments.time_off import blocked_by_time_off
from resolvers.shared.context import RequestContext
from resolvers.shared.idempotency import Idempotency
from resolvers.widgets.publishable_keys import WIDGET_ACCESS, WidgetAccess

OPERATION = "bookAsGuest"


def widget(ctx: RequestContext) -> WidgetAccess:
    access = ctx.extra.get(WIDGET_ACCESS)
    if not isinstance(access, WidgetAccess):  # the schema refuses these earlier
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Send a publishable key.")
    return access


@dataclass(frozen=True)
class PublicPractice:
    practice: Practice
    practitioners: list[Practitioner]


async def public_practice(ctx: RequestContext, slug: str) -> PublicPractice | None:
    """The key's own practice, when the slug is its slug; nothing for any other slug."""
    access = widget(ctx)
    async with ctx.reading() as uow:
        practice = await uow.practices.get(access.practice_id)
    if practice is None or practice.slug != slug.strip().lower():
        return None
    practitioners = await ctx.loaders.practitioners_by_practice_id.load(practice.id)
    return PublicPractice(practice, sorted(practitioners, key=lambda p: (p.name, p.id)))


async def _practitioner(
    uow: UnitOfWork, access: WidgetAccess, practitioner_id: uuid.UUID | None
) -> Practitioner:
    found = await uow.practitioners.get(practitioner_id) if practitioner_id else None
    if found is None or found.practice_id != access.practice_id:
        raise not_found("Practitioner", ["practitionerId"])
    return found


async def public_availability(
    ctx: RequestContext, practitioner_id: uuid.UUID | None, start: datetime, end: datetime,
    duration_minutes: int,
) -> list[availability.TimeSlot]:
    """Bookable times beyond the practice's notice window (see check_guest_booking); every
    reserved slot is closed to a guest."""
    access = widget(ctx)
    availability.check_range(start, end)
    availability.check_duration(duration_minutes)
    async with ctx.reading() as uow:
        practitioner = await _practitioner(uow, access, practitioner_id)
        busy = await uow.appointments.busy(
            practitioner.id, start, end + timedelta(minutes=duration_minutes)
        )
        reserved = await uow.reserved_slots.of_practitioner(practitioner.id)
        practice = await uow.practices.get(access.practice_id)
        assert practice is not None
        away = await blocked_by_time_off(uow, practitioner, start,
                                         end + timedelta(minutes=duration_minutes))
    return availability.available_slots(
        working_hours=practitioner.working_hours, timezone=practitioner.timezone,
        start=start, end=end, duration_minutes=duration_minutes, busy=busy,
        reserved=reserved, for_relationship=None, time_off=away,
        not_before=ctx.now + timedelta(hours=practice.cancellation_notice_hours),
    )


@dataclass(frozen=True)
class GuestBookingRequest:
    practitioner_id: uuid.UUID | None
    starts_at: datetime
    duration_minutes: int
    booker: GuestDetails
    attendee: GuestDetails | None
    payment_token: str
    idempotency_key: str | None


@dataclass(frozen=True)
class GuestBooking:
    """What the guest is told: the session as booked, nothing about anyone on file."""

    appointment: Appointment
    practitioner: Practitioner
    party: RelationshipParty
    practice_name: str = ""


async def book_as_guest(ctx: RequestContext, request: GuestBookingRequest) -> GuestBooking:
    access = widget(ctx)
    idempotency = Idempotency.of(
        access.key_id, OPERATION, request.idempotency_key,
        {k: v for k, v in vars(request).items() if k != "idempotency_key"},
    )
    async with ctx.reading() as uow:
        practice = await uow.practices.get(access.practice_id)
        assert practice is not None
        # every problem with what the guest typed, before anything they typed is looked up
        parties = _checked(request, practice, ctx.now)
        earlier = await idempotency.earlier_result(uow)
        if earlier is not None:
            return await guest_booking_of(uow, earlier)
        practitioner = await _practitioner(uow, access, request.practitioner_id)
    card = await _attach(ctx, request.payment_token)
    try:
        booking, unused_card = await _book(
            ctx, idempotency, request, practice, practitioner, parties, card
        )
    except Exception:
        await ctx.payments.detach_card(card.reference)
        raise
    if unused_card is not None:
        await ctx.payments.detach_card(unused_card)
    return booking


def _checked(request: GuestBookingRequest, practice: Practice, now: datetime) -> GuestParties:
    return check_guest_booking(
        booker=request.booker, attendee=request.attendee, payment_token=request.payment_token,
        starts_at=request.starts_at, duration_minutes=request.duration_minutes, now=now,
        today=now.astimezone(ZoneInfo(practice.timezone)).date(),
        phone_region=country_of_timezone(practice.timezone),
        notice_hours=practice.cancellation_notice_hours,
    )


async def _attach(ctx: RequestContext, token: str) -> Card:
    try:
        return await ctx.payments.attach_card(token.strip())
    except DomainError:
        raise invalid_payment_token() from None


async def _book(
    ctx: RequestContext, idempotency: Idempotency, request: GuestBookingRequest,
    practice: Practice, practitioner: Practitioner, parties: GuestParties, card: Card,
) -> tuple[GuestBooking, str | None]:
    """One unit of work, and the reference of the guest's card when it is left unused (the
    booker has one on file already, or a retry did not need it). When a concurrent guest
    created the same client first, once more: the second time finds them."""
    for attempt in (1, 2):
        try:
            async with ctx.unit_of_work() as uow:
                earlier = await idempotency.earlier_result(uow)
                if earlier is not None:
                    return await guest_booking_of(uow, earlier), card.reference
                booking, unused = await _book_in(
                    uow, ctx, request, practice, practitioner, parties, card
                )
                await idempotency.remember(uow, booking.appointment.id)
                await uow.commit()
                return booking, unused
        except IntegrityError:
            if attempt == 2:
                break
    async with ctx.unit_of_work() as uow:
        earlier = await idempotency.earlier_result(uow)
        if earlier is not None:
            return await guest_booking_of(uow, earlier), card.reference
    raise availability.slot_unavailable()


async def _book_in(
    uow: UnitOfWork, ctx: RequestContext, request: GuestBookingRequest, practice: Practice,
    practitioner: Practitioner, parties: GuestParties, card: Card,
) -> tuple[GuestBooking, str | None]:
    booker, on_file = await _client_by_email(uow, practice, parties.booker, ctx.now)
    attendee = (booker if parties.attendee is None
                else await _attendee(uow, practice, parties.attendee, ctx.now))
    unused = card.reference if on_file else None
    if not on_file:
        _keep_card(uow, booker, card, ctx.now)
    relationship = await relationship_for(uow, practitioner, attendee.id, ctx.now,
                                          paid_by=booker.id)
    appointment = book(
        practice_id=practice.id, practitioner_id=practitioner.id,
        relationship_id=relationship.id, payer_id=booker.id, client_ids=relationship.client_ids,
        starts_at=request.starts_at, duration_minutes=request.duration_minutes,
        price=practitioner.price, currency=practice.currency, now=ctx.now,
        booked_by_id=booker.id, fee_policy=practice.cancellation_policy,
    )
    await _ensure_open_to_guests(uow, practitioner, appointment, ctx.now)
    if on_file:  # anyone may type an email: its owner confirms before anything is billed
        uow.booking_confirmations.add(hold_for_owner(
            appointment, booker.id, confirmation_hash_for(ctx.services.tokens.secret),
            ctx.now, practice.cancellation_notice_hours))
    uow.appointments.add(appointment)
    await _invite(uow, ctx, booker)
    return GuestBooking(appointment, practitioner, relationship.party, practice.name), unused


async def _ensure_open_to_guests(
    uow: UnitOfWork, practitioner: Practitioner, appointment: Appointment, now: datetime
) -> None:
    """What publicAvailability shows: inside working hours, on the quarter hour, clear of
    sessions, of time off and closures, and of every reserved slot, the booker's own too,
    so that whether a time is bookable says nothing about who is on file."""
    busy = await uow.appointments.busy(practitioner.id, appointment.starts_at,
                                       appointment.ends_at)
    reserved = await uow.reserved_slots.of_practitioner(practitioner.id)
    away = await blocked_by_time_off(uow, practitioner, appointment.starts_at,
                                     appointment.ends_at)
    if not availability.is_bookable(
        appointment.starts_at, int(appointment.duration.total_seconds() // 60),
        working_hours=practitioner.working_hours, timezone=practitioner.timezone, busy=busy,
        reserved=reserved, for_relationship=None, not_before=now, time_off=away,
    ):
        raise availability.slot_unavailable()


async def _client_by_email(
    uow: UnitOfWork, practice: Practice, profile: Profile, now: datetime
) -> tuple[Client, bool]:
    """The practice's client with this email, as they are on file (True); else a new one."""
    assert profile.email is not None
    found = await uow.clients.first(
        tables.clients.c.practice_id == practice.id, tables.clients.c.email == profile.email
    )
    if found is not None:
        return found, True
    return await _new_client(uow, practice, profile, now), False


async def _attendee(
    uow: UnitOfWork, practice: Practice, profile: Profile, now: datetime
) -> Client:
    """Matched by email when they have one; someone without an email is a new client."""
    if profile.email is not None:
        return (await _client_by_email(uow, practice, profile, now))[0]
    return await _new_client(uow, practice, profile, now)


async def _new_client(
    uow: UnitOfWork, practice: Practice, profile: Profile, now: datetime
) -> Client:
    created = new_client(practice.id, profile, now)
    uow.clients.add(created)
    await uow.flush()  # a concurrent guest with the same email: IntegrityError, tried again
    return created


def _keep_card(uow: UnitOfWork, booker: Client, card: Card, now: datetime) -> None:
    """A new client's card becomes their card on file. A client on file keeps the card they
    have, or none: someone who has not signed in never changes what is on file (anyone may
    type an email), and the guest's card is detached after commit."""
    uow.payment_methods.add(card_on_file(booker.practice_id, booker.id, card, now))


async def _invite(uow: UnitOfWork, ctx: RequestContext, booker: Client) -> None:
    """An invitation to the client dashboard, unless the booker can already sign in, has a
    usable invitation, or their email is another sign-in's (then quietly none)."""
    if booker.has_account or not booker.email:
        return
    if any(i.usable(ctx.now) for i in await uow.client_invites.open_for(booker.id)):
        return
    with contextlib.suppress(DomainError):
        await issue_invite(uow, ctx, booker, announce=True)


async def guest_booking_of(uow: UnitOfWork, appointment_id: uuid.UUID) -> GuestBooking:
    """A booking as the guest is told it (an earlier answer, or a confirmed hold)."""
    appointment = await uow.appointments.get(appointment_id)
    assert appointment is not None
    relationship = await uow.relationships.get(appointment.relationship_id)
    practitioner = await uow.practitioners.get(appointment.practitioner_id)
    practice = await uow.practices.get(appointment.practice_id)
    assert relationship is not None and practitioner is not None and practice is not None
    return GuestBooking(appointment, practitioner, relationship.party, practice.name)

