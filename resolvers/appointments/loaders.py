"""DataLoaders for sessions, charges and reserved slots. Pages of sessions per parent come
from one windowed query per batch, so a list of clients costs the same whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from strawberry.dataloader import DataLoader

from domain.appointments.appointments import Appointment, Charge, ChargeStatus, ReservedSlot
from domain.appointments.policy import AppointmentStatus
from persistence import tables
from persistence.database import Database
from resolvers.shared.loader_base import ByIdLoader

A = tables.appointments


class AppointmentByIdLoader(ByIdLoader[Appointment]):
    model = Appointment


class ChargeByIdLoader(ByIdLoader[Charge]):
    model = Charge


class FailedChargeByAppointmentIdLoader(DataLoader[uuid.UUID, Charge | None]):
    """A session's latest refused charge: what Session.charge shows while none succeeded."""

    def __init__(self, db: Database) -> None:
        super().__init__(load_fn=self._load)
        self.db = db

    async def _load(self, keys: Sequence[uuid.UUID]) -> list[Charge | None]:
        c = tables.charges
        async with self.db.reading() as tx:
            result = await tx.execute(
                select(Charge).where(c.c.appointment_id.in_(keys),
                                     c.c.status == ChargeStatus.FAILED)
                .order_by(c.c.created_at, c.c.id)
            )
            latest = {charge.appointment_id: charge for charge in result.scalars()}
        return [latest.get(key) for key in keys]


class ReservedSlotByIdLoader(ByIdLoader[ReservedSlot]):
    model = ReservedSlot


class ReservedSlotsByLoader(DataLoader[uuid.UUID, list[ReservedSlot]]):
    column: Any

    def __init__(self, db: Database) -> None:
        super().__init__(load_fn=self._load)
        self.db = db

    async def _load(self, keys: Sequence[uuid.UUID]) -> list[list[ReservedSlot]]:
        async with self.db.reading() as tx:
            result = await tx.execute(
                select(ReservedSlot).where(self.column.in_(keys)).order_by(
                    tables.reserved_slots.c.weekday, tables.reserved_slots.c.start_time
                )
            )
            grouped: dict[uuid.UUID, list[ReservedSlot]] = defaultdict(list)
            for slot in result.scalars():
                grouped[getattr(slot, self.column.name)].append(slot)
        return [grouped[key] for key in keys]


class ReservedSlotsByPractitionerIdLoader(ReservedSlotsByLoader):
    column = tables.reserved_slots.c.practitioner_id


class ReservedSlotsByRelationshipIdLoader(ReservedSlotsByLoader):
    column = tables.reserved_slots.c.relationship_id


@dataclass(frozen=True)
class PageKey:
    """One parent's page: whose sessions, which of them, and which slice."""

    parent_id: uuid.UUID
    upcoming: bool | None
    offset: int
    limit: int


@dataclass(frozen=True)
class AppointmentPage:
    items: list[Appointment]
    total: int


def when_filter(upcoming: bool | None, now: datetime) -> list[Any]:
    """upcoming: SCHEDULED and still ahead; not upcoming: already started; None: all."""
    if upcoming is None:
        return []
    if upcoming:
        return [A.c.status == AppointmentStatus.SCHEDULED, A.c.starts_at > now]
    return [A.c.starts_at <= now]


def ordering(upcoming: bool | None) -> list[Any]:
    """Upcoming soonest first; past and all most recent first."""
    return [A.c.starts_at, A.c.id] if upcoming else [A.c.starts_at.desc(), A.c.id.desc()]


class AppointmentPagesLoader(DataLoader[PageKey, AppointmentPage]):
    """Subclasses name the parent column (a relationship, or an attending client)."""

    def __init__(self, db: Database, now: datetime) -> None:
        super().__init__(load_fn=self._load)
        self.db = db
        self.now = now

    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        raise NotImplementedError

    async def _load(self, keys: Sequence[PageKey]) -> list[AppointmentPage]:
        groups: dict[tuple[bool | None, int, int], list[PageKey]] = defaultdict(list)
        for key in keys:
            groups[(key.upcoming, key.offset, key.limit)].append(key)
        pages: dict[PageKey, AppointmentPage] = {}
        async with self.db.reading() as tx:
            for (upcoming, offset, limit), group in groups.items():
                pages.update(await self._group(tx, group, upcoming, offset, limit))
        return [pages[key] for key in keys]

    async def _group(
        self, tx: Any, group: list[PageKey], upcoming: bool | None, offset: int, limit: int
    ) -> dict[PageKey, AppointmentPage]:
        parent_ids = [key.parent_id for key in group]
        parent, source = self.parent_query(parent_ids)
        window = (
            select(
                A.c.id.label("id"), parent.label("parent"),
                func.row_number().over(partition_by=parent, order_by=ordering(upcoming))
                .label("position"),
                func.count().over(partition_by=parent).label("total"),
            )
            .select_from(source)
            .where(parent.in_(parent_ids), *when_filter(upcoming, self.now))
            .subquery()
        )
        rows = list(await tx.execute(
            select(window).where(window.c.position > offset,
                                 window.c.position <= offset + limit)
        ))
        totals = await self._totals(tx, parent, source, parent_ids, upcoming)
        loaded = await self._appointments(tx, [row.id for row in rows])
        by_parent: dict[uuid.UUID, list[tuple[int, Appointment]]] = defaultdict(list)
        for row in rows:
            by_parent[row.parent].append((row.position, loaded[row.id]))
        return {
            key: AppointmentPage(
                [item for _, item in sorted(by_parent[key.parent_id], key=lambda p: p[0])],
                totals.get(key.parent_id, 0),
            )
            for key in group
        }

    async def _totals(
        self, tx: Any, parent: Any, source: Any, parent_ids: list[uuid.UUID],
        upcoming: bool | None,
    ) -> dict[uuid.UUID, int]:
        result = await tx.execute(
            select(parent, func.count()).select_from(source)
            .where(parent.in_(parent_ids), *when_filter(upcoming, self.now)).group_by(parent)
        )
        return {row[0]: row[1] for row in result}

    @staticmethod
    async def _appointments(tx: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, Appointment]:
        if not ids:
            return {}
        result = await tx.execute(select(Appointment).where(A.c.id.in_(ids)))
        return {item.id: item for item in result.scalars()}


class AppointmentPagesByRelationshipIdLoader(AppointmentPagesLoader):
    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        return A.c.relationship_id, A


class AppointmentPagesByClientIdLoader(AppointmentPagesLoader):
    """Sessions a client attends."""

    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        attendees = tables.appointment_attendees
        return attendees.c.client_id, A.join(attendees, attendees.c.appointment_id == A.c.id)


class AppointmentLoaders:
    def __init__(self, db: Database, now: datetime) -> None:
        self.appointment_by_id = AppointmentByIdLoader(db)
        self.charge_by_id = ChargeByIdLoader(db)
        self.failed_charge_by_appointment_id = FailedChargeByAppointmentIdLoader(db)
        self.reserved_slot_by_id = ReservedSlotByIdLoader(db)
        self.reserved_slots_by_practitioner_id = ReservedSlotsByPractitionerIdLoader(db)
        self.reserved_slots_by_relationship_id = ReservedSlotsByRelationshipIdLoader(db)
        self.appointment_pages_by_relationship_id = AppointmentPagesByRelationshipIdLoader(
            db, now
        )
        self.appointment_pages_by_client_id = AppointmentPagesByClientIdLoader(db, now)
