"""confirmGuestBooking: the owner of an email on file confirms a guest booking made with it,
by the single-use, expiring link they were sent. No sign-in: the link is the proof."""

from __future__ import annotations

from domain.widgets.guest_booking import invalid_confirmation
from resolvers.accounts.invite_links import token_hash
from resolvers.shared.context import RequestContext
from resolvers.widgets.public_booking import GuestBooking, guest_booking_of


async def confirm_guest_booking(ctx: RequestContext, token: str) -> GuestBooking:
    """The session, confirmed: announced to everyone concerned and billed as any other."""
    async with ctx.unit_of_work() as uow:
        found = await uow.booking_confirmations.by_token_hash(token_hash(token.strip()))
        if found is None:
            raise invalid_confirmation()
        appointment = await uow.appointments.get(found.appointment_id, for_update=True)
        if appointment is None:
            raise invalid_confirmation()
        found.use(appointment, ctx.now)
        booking = await guest_booking_of(uow, appointment.id)
        await uow.commit()
    return booking
