"""myAppointments: the sessions a signed-in client attends or pays for (the linked-clients
issue widens this to the clients they may book and manage for).

One page costs the same few statements whatever its size: the windowed page query and its
total (resolvers.appointment_loaders), the sessions and their attendees."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, union

from persistence import tables
from resolvers.appointment_loaders import AppointmentPage, AppointmentPagesLoader, PageKey
from resolvers.context import RequestContext

A = tables.appointments
ATTENDEES = tables.appointment_attendees


class AppointmentPagesByInvolvedClientLoader(AppointmentPagesLoader):
    """Sessions a client attends or pays for, each once."""

    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        involved = union(
            select(ATTENDEES.c.appointment_id.label("appointment_id"),
                   ATTENDEES.c.client_id.label("client_id"))
            .where(ATTENDEES.c.client_id.in_(parent_ids)),
            select(A.c.id.label("appointment_id"), A.c.payer_id.label("client_id"))
            .where(A.c.payer_id.in_(parent_ids)),
        ).subquery("involved")
        return involved.c.client_id, A.join(involved, involved.c.appointment_id == A.c.id)


async def my_appointments(
    ctx: RequestContext, upcoming: bool | None, offset: int, limit: int
) -> AppointmentPage:
    """Staff have no sessions of their own as a client: their page is empty."""
    viewer = ctx.signed_in()
    if viewer.client_id is None:
        return AppointmentPage([], 0)
    loader = AppointmentPagesByInvolvedClientLoader(ctx.db, ctx.now)
    return await loader.load(PageKey(viewer.client_id, upcoming, offset, limit))
