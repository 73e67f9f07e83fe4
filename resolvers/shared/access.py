"""Who may reach what. Anything a viewer may not see reads exactly like an id that does not
exist: NOT_FOUND, same message, same field."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from domain.accounts.practice import Practitioner, Role
from domain.appointments.appointments import Appointment
from domain.clients.clients import Client
from domain.clients.relationships import Relationship
from domain.shared.errors import DomainError, ErrorCode, not_found
from persistence.uow import UnitOfWork
from resolvers.shared.auth import Viewer


def may_see_client(viewer: Viewer | None, client: Client) -> bool:
    """Staff see their practice's clients; a client sees only themselves."""
    if viewer is None or client.practice_id != viewer.practice_id:
        return False
    return viewer.is_staff or viewer.client_id == client.id


def may_see_appointment(viewer: Viewer | None, appointment: Appointment) -> bool:
    """Staff see their practice's sessions; a client those they attend or pay for."""
    if viewer is None or appointment.practice_id != viewer.practice_id:
        return False
    if viewer.is_staff:
        return True
    return viewer.client_id is not None and (
        viewer.client_id == appointment.payer_id or viewer.client_id in appointment.client_ids
    )


def may_see_relationship(viewer: Viewer | None, relationship: Relationship) -> bool:
    """Staff see their practice's relationships; a client those they attend or pay for."""
    if viewer is None or relationship.practice_id != viewer.practice_id:
        return False
    if viewer.is_staff:
        return True
    return viewer.client_id is not None and relationship.involves(viewer.client_id)


async def visible_client(
    uow: UnitOfWork, viewer: Viewer, client_id: uuid.UUID | None, field: Sequence[str],
    *, for_update: bool = False,
) -> Client:
    client = await uow.clients.get(client_id, for_update=for_update) if client_id else None
    if client is None or not may_see_client(viewer, client):
        raise not_found("Client", field)
    return client


async def visible_relationship(
    uow: UnitOfWork, viewer: Viewer, relationship_id: uuid.UUID | None, field: Sequence[str],
) -> Relationship:
    found = (
        await uow.relationships.get(relationship_id, for_update=True) if relationship_id else None
    )
    if found is None or not may_see_relationship(viewer, found):
        raise not_found("Relationship", field)
    return found


async def practice_practitioner(
    uow: UnitOfWork, viewer: Viewer, practitioner_id: uuid.UUID | None, field: Sequence[str],
) -> Practitioner:
    found = await uow.practitioners.get(practitioner_id) if practitioner_id else None
    if found is None or found.practice_id != viewer.practice_id:
        raise not_found("Practitioner", field)
    return found


def ensure_manages(viewer: Viewer, relationship: Relationship) -> None:
    """The owner manages every relationship; a practitioner only their own."""
    if viewer.role is Role.OWNER or viewer.practitioner_id == relationship.practitioner_id:
        return
    raise DomainError.one(
        ErrorCode.NOT_PERMITTED, "Only the relationship's practitioner or the owner may do this."
    )


def ensure_acts_for(viewer: Viewer, practitioner_id: uuid.UUID) -> None:
    if viewer.role is Role.OWNER or viewer.practitioner_id == practitioner_id:
        return
    raise DomainError.one(
        ErrorCode.NOT_PERMITTED, "Only the owner may act for another practitioner."
    )
