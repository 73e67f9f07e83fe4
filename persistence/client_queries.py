"""The clients list: who a viewer may see, active or not, searched and paged in two queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, union
from sqlalchemy.ext.asyncio import AsyncSession

from domain.clients.clients import Client
from domain.clients.relationships import RelationshipStatus
from domain.shared.paging import Paged, Slice, trimmed
from domain.shared.validation import fold
from persistence.keyset import Ordering
from persistence.read_rows import entities_of, rows_of
from persistence.tables import clients, relationship_clients, relationships


@dataclass(frozen=True)
class ClientScope:
    """Whose clients: a practice's, narrowed to one practitioner's caseload or to one client."""

    practice_id: uuid.UUID
    practitioner_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    include_inactive: bool = False
    search: str | None = None


def involved_client_ids(
    practice_id: uuid.UUID, practitioner_id: uuid.UUID | None, *, active_only: bool
) -> Any:
    """Ids of clients who attend or pay for a relationship (ACTIVE ones only, if asked)."""
    where: list[ColumnElement[bool]] = [relationships.c.practice_id == practice_id]
    if practitioner_id is not None:
        where.append(relationships.c.practitioner_id == practitioner_id)
    if active_only:
        where.append(relationships.c.status == RelationshipStatus.ACTIVE)
    attending = (
        select(relationship_clients.c.client_id)
        .join(relationships, relationships.c.id == relationship_clients.c.relationship_id)
        .where(*where)
    )
    paying = select(relationships.c.payer_id).where(*where)
    return union(attending, paying)


def _visible(scope: ClientScope) -> ColumnElement[bool]:
    if scope.client_id is not None:
        return clients.c.id == scope.client_id
    if not scope.include_inactive:
        ids = involved_client_ids(scope.practice_id, scope.practitioner_id, active_only=True)
        return clients.c.id.in_(ids)
    if scope.practitioner_id is None:
        return true()
    # A practitioner's inactive clients: their own past caseload, and clients nobody has a
    # relationship with yet (so a client they just created can be found).
    mine = involved_client_ids(scope.practice_id, scope.practitioner_id, active_only=False)
    anyones = involved_client_ids(scope.practice_id, None, active_only=False)
    return or_(clients.c.id.in_(mine), clients.c.id.not_in(anyones))


def _matches(search: str | None) -> ColumnElement[bool]:
    """Every word of the search appears in the folded name or email."""
    words = fold(search or "").split()
    return and_(true(), *(clients.c.search_text.contains(w, autoescape=True) for w in words))


def _filtered(scope: ClientScope) -> Select[Any]:
    return entities_of(Client).where(
        clients.c.practice_id == scope.practice_id, _visible(scope), _matches(scope.search)
    )


BY_NAME = Ordering((clients.c.sort_last_name, clients.c.sort_first_name, clients.c.id))


async def list_clients(tx: AsyncSession, scope: ClientScope, window: Slice) -> Paged[Client]:
    """One page, ordered by last then first name, and how many there are in all."""
    filtered = _filtered(scope)
    total = await tx.scalar(select(func.count()).select_from(filtered.subquery()))
    page = await rows_of(tx, Client, filtered.where(*BY_NAME.where(window))
                         .order_by(*BY_NAME.reading(window)).limit(window.limit + 1))
    return trimmed(BY_NAME.keyed(page), window, int(total or 0))
