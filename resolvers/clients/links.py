"""linkClients, updateClientLink, unlinkClients, and what a link lets one client do for another.

Linking is the practice's to do: staff only (NOT_PERMITTED for a client). Both clients must be
the practice's (NOT_FOUND otherwise, exactly as an id that does not exist); a client is never
linked to themselves (INVALID); one link per pair in either direction (ALREADY_LINKED, also
when two practices' staff race: the unique index on the ordered pair decides).

Every right a linked client has is read from the link at the moment it is used (`grants`,
`granting`), so unlinking takes all of them away at once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from domain.appointments.appointments import Appointment
from domain.clients.links import (
    ClientLink,
    LinkPermissions,
    LinkType,
    Permission,
    already_linked,
    granted_by,
    link_clients,
)
from domain.shared.errors import not_found
from persistence.uow import UnitOfWork
from resolvers.shared.access import visible_client
from resolvers.shared.context import RequestContext


async def link(
    ctx: RequestContext, *, client_id: uuid.UUID | None, linked_client_id: uuid.UUID | None,
    type: LinkType, linked_client_can: LinkPermissions, client_can: LinkPermissions,
) -> ClientLink:
    viewer = ctx.staff()
    try:
        async with ctx.unit_of_work() as uow:
            client = await visible_client(uow, viewer, client_id, ["clientId"])
            linked = await visible_client(uow, viewer, linked_client_id, ["linkedClientId"])
            created = link_clients(
                viewer.practice_id, client.id, linked.id, type,
                linked_client_can=linked_client_can, client_can=client_can, now=ctx.now,
            )
            if await uow.client_links.between(client.id, linked.id) is not None:
                raise already_linked()
            uow.client_links.add(created)
            await uow.commit()
    except IntegrityError:
        raise already_linked() from None
    return created


async def _practice_link(
    uow: UnitOfWork, practice_id: uuid.UUID, link_id: uuid.UUID | None
) -> ClientLink:
    found = await uow.client_links.get_in_practice(
        link_id, practice_id, for_update=True
    ) if link_id else None
    if found is None:
        raise not_found("Link", ["linkId"])
    return found


async def update_link(
    ctx: RequestContext, link_id: uuid.UUID | None, *, type: LinkType | None,
    linked_client_can: LinkPermissions | None, client_can: LinkPermissions | None,
) -> ClientLink:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        found = await _practice_link(uow, viewer.practice_id, link_id)
        found.change(type, linked_client_can, client_can)
        await uow.commit()
    return found


async def unlink(ctx: RequestContext, link_id: uuid.UUID | None) -> uuid.UUID:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        found = await _practice_link(uow, viewer.practice_id, link_id)
        await uow.client_links.remove(found)
        await uow.commit()
    return found.id


async def grants(
    uow: UnitOfWork, grantor: uuid.UUID, grantee: uuid.UUID, permission: Permission
) -> bool:
    """Inside a unit of work: may `grantee` act for `grantor` with `permission` right now?"""
    found = await uow.client_links.between(grantor, grantee)
    return found is not None and found.grants(grantor, grantee, permission)


async def linked(uow: UnitOfWork, one: uuid.UUID, other: uuid.UUID) -> bool:
    return await uow.client_links.between(one, other) is not None


async def granting(uow: UnitOfWork, grantee: uuid.UUID, permission: Permission
                   ) -> list[uuid.UUID]:
    """The clients who have given `grantee` `permission`."""
    return granted_by(await uow.client_links.of_client(grantee), grantee, permission)


async def granted_to(uow: UnitOfWork, grantor: uuid.UUID, permission: Permission
                     ) -> list[uuid.UUID]:
    """The clients `grantor` has given `permission` to."""
    return [found.other(grantor) for found in await uow.client_links.of_client(grantor)
            if found.grants(grantor, found.other(grantor), permission)]


def manages_among(
    links_of_viewer: list[ClientLink], viewer_client_id: uuid.UUID, client_ids: list[uuid.UUID]
) -> bool:
    """Has one of `client_ids` given the viewer bookAndManageAppointments?"""
    managed = set(granted_by(links_of_viewer, viewer_client_id,
                             Permission.BOOK_AND_MANAGE_APPOINTMENTS))
    return bool(managed & set(client_ids))


async def manages_appointment(
    uow: UnitOfWork, viewer_client_id: uuid.UUID | None, appointment: Appointment
) -> bool:
    """Inside a unit of work: may this client move and cancel the session because they are
    assigned to it and someone it is for gave them bookAndManageAppointments?"""
    if viewer_client_id is None or viewer_client_id not in appointment.assigned_client_ids:
        return False
    return manages_among(await uow.client_links.of_client(viewer_client_id), viewer_client_id,
                         appointment.client_ids)


async def copy_addresses(uow: UnitOfWork, client_id: uuid.UUID) -> list[str]:
    """Inside a unit of work: the addresses of the clients `client_id` lets receive
    notification copies, in link order."""
    addresses = []
    for other in await granted_to(uow, client_id, Permission.RECEIVE_NOTIFICATION_COPIES):
        found = await uow.clients.get(other)
        if found is not None and found.email:
            addresses.append(found.email)
    return addresses
