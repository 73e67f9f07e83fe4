"""What joining and reading the waitlist share: how much one client may wait for, and who
may see an entry."""

from __future__ import annotations

import uuid

from domain.appointments.waitlist import WaitlistEntry
from domain.shared.errors import DomainError, ErrorCode
from persistence.uow import UnitOfWork
from resolvers.shared.auth import Viewer

MAX_WAITING = 10  # entries in line per client, so their list stays short


async def ensure_room_in_line(uow: UnitOfWork, client_id: uuid.UUID) -> None:
    if len(await uow.waitlist.of_clients([client_id])) >= MAX_WAITING:
        raise DomainError.one(
            ErrorCode.INVALID, f"A client waits for at most {MAX_WAITING} things at once.")


async def may_see_entry(uow: UnitOfWork, viewer: Viewer | None, entry: WaitlistEntry) -> bool:
    """Staff of its practice; a client it is for or who pays, or who attends or pays for
    its relationship."""
    if viewer is None or viewer.practice_id != entry.practice_id:
        return False
    if viewer.is_staff:
        return True
    if viewer.client_id is None:
        return False
    if viewer.client_id in (entry.client_id, entry.payer_id):
        return True
    if entry.relationship_id is None:
        return False
    relationship = await uow.relationships.get(entry.relationship_id)
    return relationship is not None and relationship.involves(viewer.client_id)
