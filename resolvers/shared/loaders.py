"""DataLoaders, built per request; each batch reads in its own short session."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, inspect, or_, select
from strawberry.dataloader import DataLoader

from domain.accounts.payments import PaymentMethod
from domain.accounts.practice import Membership, Practice, Practitioner
from domain.accounts.staff_invites import PractitionerInvite
from domain.clients.clients import Client
from domain.clients.relationships import Relationship
from persistence import tables
from persistence.database import Reads
from persistence.read_rows import IDS, entities_of, rows_of
from resolvers.appointments.loaders import AppointmentLoaders
from resolvers.appointments.waitlist_loaders import WaitlistLoaders
from resolvers.clients.link_loaders import LinkLoaders
from resolvers.groups.loaders import GroupSessionLoaders
from resolvers.shared.loader_base import BatchLoader, ByIdLoader


# Each batch's statement is built once (see loader_base.by_ids); "ids" are the batch's keys.
@cache
def _staff_of_practices() -> Select[Any]:
    return (entities_of(Practitioner).where(tables.practitioners.c.practice_id.in_(IDS))
            .order_by(tables.practitioners.c.created_at))


@cache
def _relationships_of_clients() -> Select[Any]:
    """Relationships any of the clients attends or pays for."""
    attending = select(tables.relationship_clients.c.relationship_id).where(
        tables.relationship_clients.c.client_id.in_(IDS))
    return (entities_of(Relationship)
            .where(or_(tables.relationships.c.id.in_(attending),
                       tables.relationships.c.payer_id.in_(IDS)))
            .order_by(tables.relationships.c.started_at, tables.relationships.c.id))


@cache
def _cards_of_clients() -> Select[Any]:
    return entities_of(PaymentMethod).where(tables.payment_methods.c.client_id.in_(IDS))


class PracticeByIdLoader(ByIdLoader[Practice]):
    model = Practice


class PractitionerByIdLoader(ByIdLoader[Practitioner]):
    model = Practitioner


class PractitionersByPracticeIdLoader(BatchLoader[uuid.UUID, list[Practitioner]]):
    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, practice_ids: Sequence[uuid.UUID]) -> list[list[Practitioner]]:
        async with self.db.reading() as tx:
            found = await rows_of(tx, Practitioner, _staff_of_practices(), {"ids": practice_ids})
            grouped: dict[uuid.UUID, list[Practitioner]] = {pid: [] for pid in practice_ids}
            for item in found:
                grouped[item.practice_id].append(item)
        return [grouped[pid] for pid in practice_ids]


class OpenInviteByPractitionerIdLoader(BatchLoader[uuid.UUID, PractitionerInvite | None]):
    """A practitioner's newest invitation not yet accepted or withdrawn (maybe expired)."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(
        self, practitioner_ids: Sequence[uuid.UUID]
    ) -> list[PractitionerInvite | None]:
        invites = tables.practitioner_invites
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, PractitionerInvite, entities_of(PractitionerInvite).where(
                    invites.c.practitioner_id.in_(practitioner_ids),
                    invites.c.used_at.is_(None), invites.c.revoked_at.is_(None),
                ).order_by(invites.c.created_at))
            newest = {item.practitioner_id: item for item in found}
        return [newest.get(pid) for pid in practitioner_ids]


class MembershipsByAccountIdLoader(BatchLoader[uuid.UUID, list[Membership]]):
    """An account's memberships, oldest first."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, account_ids: Sequence[uuid.UUID]) -> list[list[Membership]]:
        memberships = tables.memberships
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, Membership, entities_of(Membership)
                .where(memberships.c.account_id.in_(account_ids))
                .order_by(memberships.c.created_at, memberships.c.id))
            grouped: dict[uuid.UUID, list[Membership]] = {aid: [] for aid in account_ids}
            for item in found:
                grouped[item.account_id].append(item)
        return [grouped[aid] for aid in account_ids]


class ClientByIdLoader(ByIdLoader[Client]):
    model = Client


class RelationshipByIdLoader(ByIdLoader[Relationship]):
    model = Relationship


class RelationshipsByClientIdLoader(BatchLoader[uuid.UUID, list[Relationship]]):
    """Relationships a client attends or pays for, oldest first (attendees come along)."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, client_ids: Sequence[uuid.UUID]) -> list[list[Relationship]]:
        async with self.db.reading() as tx:
            found = await rows_of(tx, Relationship, _relationships_of_clients(),
                                  {"ids": client_ids})
        wanted = set(client_ids)
        grouped: dict[uuid.UUID, list[Relationship]] = {cid: [] for cid in client_ids}
        for item in found:
            for client_id in {item.payer_id, *item.client_ids} & wanted:
                grouped[client_id].append(item)
        return [grouped[cid] for cid in client_ids]


class PaymentMethodByClientIdLoader(BatchLoader[uuid.UUID, PaymentMethod | None]):
    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, client_ids: Sequence[uuid.UUID]) -> list[PaymentMethod | None]:
        async with self.db.reading() as tx:
            found = {item.client_id: item for item in await rows_of(
                tx, PaymentMethod, _cards_of_clients(), {"ids": client_ids})}
        return [found.get(cid) for cid in client_ids]


class Loaders:
    """The per-request set of loaders; one instance per request keeps caches private."""

    def __init__(self, db: Reads, now: datetime) -> None:
        self.practice_by_id = PracticeByIdLoader(db)
        self.practitioner_by_id = PractitionerByIdLoader(db)
        self.practitioners_by_practice_id = PractitionersByPracticeIdLoader(db)
        self.memberships_by_account_id = MembershipsByAccountIdLoader(db)
        self.open_invite_by_practitioner_id = OpenInviteByPractitionerIdLoader(db)
        self.client_by_id = ClientByIdLoader(db)
        self.relationship_by_id = RelationshipByIdLoader(db)
        self.relationships_by_client_id = RelationshipsByClientIdLoader(db)
        self.payment_method_by_client_id = PaymentMethodByClientIdLoader(db)
        self.appointments = AppointmentLoaders(db, now)
        self.group_sessions = GroupSessionLoaders(db, now)
        self.links = LinkLoaders(db)
        self.waitlist = WaitlistLoaders(db)

    def prime_committed(self, objects: Iterable[object]) -> None:
        """What a unit of work just committed answers later loads by id without reading it
        again; only objects whose every attribute is at hand (none expired by the flush)."""
        by_model = {loader.model: loader for loader in self._by_id_loaders()}
        for item in objects:
            loader = by_model.get(type(item))
            if loader is not None and not inspect(item).unloaded:
                loader.prime(item.id, item, force=True)  # type: ignore[attr-defined]

    def release(self) -> None:
        """Drop what the request read. graphql-core's execution context is a reference cycle
        that holds the request's context: without this, every row read waits for the garbage
        collector rather than going as the answer is sent."""
        for loader in self._loaders():
            loader.clear_all()
            loader.batch = None

    def _by_id_loaders(self) -> Iterator[ByIdLoader[Any]]:
        return (loader for loader in self._loaders() if isinstance(loader, ByIdLoader))

    def _loaders(self) -> Iterator[DataLoader[Any, Any]]:
        for value in vars(self).values():
            group = vars(value).values() if not isinstance(value, DataLoader) else [value]
            yield from (loader for loader in group if isinstance(loader, DataLoader))
