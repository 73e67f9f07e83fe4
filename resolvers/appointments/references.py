"""sessionByBookingReference: a session found by its short reference, in the viewer's own
practice only; anything else is NOT_FOUND, as for a reference that was never issued."""

from __future__ import annotations

from domain.appointments.appointments import Appointment
from domain.appointments.references import normalise_reference
from domain.shared.errors import not_found
from resolvers.shared.access import may_see_appointment
from resolvers.shared.context import RequestContext


async def appointment_by_reference(ctx: RequestContext, text: str) -> Appointment:
    viewer = ctx.signed_in()
    reference = normalise_reference(text[:100])
    found = None
    if reference is not None:
        async with ctx.reading() as uow:
            found = await uow.appointments.by_reference(viewer.practice_id, reference)
    if found is None or not may_see_appointment(viewer, found):
        raise not_found("Session", ["reference"])
    return found
