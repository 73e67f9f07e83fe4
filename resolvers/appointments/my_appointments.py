"""myAppointments: the sessions a signed-in client attends or pays for, and those they are
assigned to that are attended by clients who have given them bookAndManageAppointments
(Session.attendees says whom each is for). Unlinking, or taking the permission away, takes
those sessions off the list at once.

One page costs the same few statements whatever its size: the windowed page query and its
total (resolvers.appointment_loaders), the sessions and their attendees."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Uuid, literal, select, union

from domain.appointments.appointments import Appointment
from domain.clients.links import Permission
from domain.shared.paging import Paged, Slice
from persistence import tables
from resolvers.appointments.loaders import AppointmentPagesLoader, PageKey
from resolvers.clients.links import granting
from resolvers.shared.context import RequestContext

A = tables.appointments
ATTENDEES = tables.appointment_attendees
ASSIGNED = tables.appointment_linked_clients


class AppointmentPagesOfManagedClientsLoader(AppointmentPagesLoader):
    """Sessions the viewer attends or pays for, and those attended by the clients who let the
    viewer book and manage for them, each once. Built per request for one viewer."""

    def __init__(self, db: Any, now: Any, managed: dict[uuid.UUID, list[uuid.UUID]]) -> None:
        super().__init__(db, now)
        self.managed = managed

    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        parts: list[Any] = [
            select(ATTENDEES.c.appointment_id.label("appointment_id"),
                   ATTENDEES.c.client_id.label("client_id"))
            .where(ATTENDEES.c.client_id.in_(parent_ids)),
            select(A.c.id.label("appointment_id"), A.c.payer_id.label("client_id"))
            .where(A.c.payer_id.in_(parent_ids)),
        ]
        for parent_id in parent_ids:
            if self.managed.get(parent_id):
                # only the sessions the viewer is assigned to (seed 003, admin side)
                parts.append(
                    select(ATTENDEES.c.appointment_id.label("appointment_id"),
                           literal(parent_id, Uuid).label("client_id"))
                    .join(ASSIGNED, ASSIGNED.c.appointment_id == ATTENDEES.c.appointment_id)
                    .where(ATTENDEES.c.client_id.in_(self.managed[parent_id]),
                           ASSIGNED.c.client_id == parent_id)
                )
        involved = union(*parts).subquery("involved")
        return involved.c.client_id, A.join(involved, involved.c.appointment_id == A.c.id)


async def my_appointments(
    ctx: RequestContext, upcoming: bool | None, window: Slice
) -> Paged[Appointment]:
    """Staff have no sessions of their own as a client: their page is empty."""
    viewer = ctx.signed_in()
    if viewer.client_id is None:
        return Paged()
    async with ctx.reading() as uow:
        managed = await granting(uow, viewer.client_id, Permission.BOOK_AND_MANAGE_APPOINTMENTS)
    loader = AppointmentPagesOfManagedClientsLoader(
        ctx.reads, ctx.now, {viewer.client_id: managed}
    )
    return await loader.load(PageKey(viewer.client_id, upcoming, window))
