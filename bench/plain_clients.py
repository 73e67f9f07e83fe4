"""The plain twin of the practitioner dashboard: a page of clients with their relationships,
attendees, payers and payment methods, in a fixed number of Core statements (count, page,
relationships with attendees, the other clients they name, practitioners, cards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.practice import Role
from domain.clients.relationships import RelationshipStatus
from persistence.client_queries import involved_client_ids
from persistence.tables import clients, payment_methods, practitioners, relationship_clients
from persistence.tables import relationships as rels
from resolvers.shared.auth import Viewer
from schema.shared.connections import encode
from schema.shared.ids import to_global_id

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
CLIENT_COLUMNS = (clients.c.id, clients.c.first_name, clients.c.last_name, clients.c.email,
                  clients.c.sort_last_name, clients.c.sort_first_name)


async def read_page(tx: AsyncSession, who: Viewer, first: int) -> dict[str, Any]:
    """The owner sees every active client of the practice, a practitioner their caseload."""
    practitioner = who.practitioner_id if who.role is Role.PRACTITIONER else None
    visible = (clients.c.practice_id == who.practice_id,
               clients.c.id.in_(involved_client_ids(who.practice_id, practitioner,
                                                    active_only=True)))
    total = await tx.scalar(select(func.count()).select_from(clients).where(*visible))
    page = (await tx.execute(
        select(*CLIENT_COLUMNS).where(*visible)
        .order_by(clients.c.sort_last_name, clients.c.sort_first_name, clients.c.id)
        .limit(first)
    )).all()
    related = await _relationships(tx, [c.id for c in page])
    people = {c.id: c for c in page} | await _clients(tx, _named(related, page))
    staff = await _practitioners(tx, {r["practitioner_id"] for r in related.values()})
    cards = await _cards(tx, [c.id for c in page] + [r["payer_id"] for r in related.values()])
    return {"clients": {
        "totalCount": int(total or 0),
        "pageInfo": {"hasNextPage": len(page) < int(total or 0),
                     "endCursor": _cursor(page[-1]) if page else None},
        "edges": [{"node": _client(c, related, people, staff, cards)} for c in page],
    }}


async def _relationships(tx: AsyncSession,
                         client_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """Relationships the page's clients attend or pay for, each with its attendees in order,
    oldest first: one query joining the attendees."""
    attending = select(relationship_clients.c.relationship_id).where(
        relationship_clients.c.client_id.in_(client_ids))
    rows = (await tx.execute(
        select(rels.c.id, rels.c.kind, rels.c.party, rels.c.status, rels.c.started_at,
               rels.c.ended_at, rels.c.practitioner_id, rels.c.payer_id,
               relationship_clients.c.client_id)
        .join(relationship_clients, relationship_clients.c.relationship_id == rels.c.id)
        .where(or_(rels.c.id.in_(attending), rels.c.payer_id.in_(client_ids)))
        .order_by(rels.c.started_at, rels.c.id, relationship_clients.c.position)
    )).all()
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        entry = found.setdefault(row.id, {**row._asdict(), "client_ids": []})
        entry["client_ids"].append(row.client_id)
    return found


def _named(related: dict[uuid.UUID, dict[str, Any]], page: Iterable[AnyRow]) -> set[uuid.UUID]:
    on_page = {c.id for c in page}
    wanted = {r["payer_id"] for r in related.values()}
    wanted.update(cid for r in related.values() for cid in r["client_ids"])
    return wanted - on_page


async def _clients(tx: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, AnyRow]:
    if not ids:
        return {}
    rows = await tx.execute(select(*CLIENT_COLUMNS).where(clients.c.id.in_(ids)))
    return {row.id: row for row in rows}


async def _practitioners(tx: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await tx.execute(
        select(practitioners.c.id, practitioners.c.name).where(practitioners.c.id.in_(ids)))
    return {row.id: row.name for row in rows}


async def _cards(tx: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, AnyRow]:
    if not ids:
        return {}
    pm = payment_methods
    rows = await tx.execute(
        select(pm.c.client_id, pm.c.brand, pm.c.last4, pm.c.exp_month, pm.c.exp_year)
        .where(pm.c.client_id.in_(set(ids))))
    return {row.client_id: row for row in rows}


def _client(c: AnyRow, related: dict[uuid.UUID, dict[str, Any]],
            people: dict[uuid.UUID, AnyRow], staff: dict[uuid.UUID, str],
            cards: dict[uuid.UUID, AnyRow]) -> dict[str, Any]:
    mine = [r for r in related.values() if c.id == r["payer_id"] or c.id in r["client_ids"]]
    card = cards.get(c.id)
    return {
        "id": to_global_id("Client", c.id), "firstName": c.first_name,
        "lastName": c.last_name, "email": c.email,
        "isActive": any(r["status"] is RelationshipStatus.ACTIVE for r in mine),
        "paymentMethod": None if card is None else {
            "brand": card.brand, "last4": card.last4, "expMonth": card.exp_month,
            "expYear": card.exp_year},
        "relationships": [_relationship(r, people, staff, cards) for r in mine],
    }


def _relationship(r: dict[str, Any], people: dict[uuid.UUID, AnyRow],
                  staff: dict[uuid.UUID, str], cards: dict[uuid.UUID, AnyRow]) -> dict[str, Any]:
    payer = people[r["payer_id"]]
    card = cards.get(payer.id)
    return {
        "id": to_global_id("Relationship", r["id"]), "kind": r["kind"].value,
        "party": r["party"].value, "status": r["status"].value,
        "startedAt": _instant(r["started_at"]), "endedAt": _instant(r["ended_at"]),
        "practitioner": {"id": to_global_id("Practitioner", r["practitioner_id"]),
                         "name": staff[r["practitioner_id"]]},
        "clients": [_name(people[cid]) for cid in r["client_ids"] if cid in people],
        "payer": {**_name(payer), "paymentMethod": None if card is None else {
            "brand": card.brand, "last4": card.last4}},
    }


def _name(c: AnyRow) -> dict[str, Any]:
    return {"id": to_global_id("Client", c.id), "firstName": c.first_name,
            "lastName": c.last_name}


def _instant(value: datetime | None) -> str | None:
    """As the DateTime scalar answers: ISO 8601 in UTC with a Z."""
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _cursor(row: Any) -> str:
    """The keyset cursor the clients connection answers: the row's sort key and id."""
    return encode((row.sort_last_name, row.sort_first_name, row.id))
