"""DataLoaders for sessions, charges and reserved slots. Pages of sessions per parent come
from one windowed query per batch, so a list of clients costs the same whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select

from domain.appointments.appointments import Appointment, Charge, ChargeStatus, ReservedSlot
from domain.appointments.policy import AppointmentStatus
from domain.appointments.time_off import TimeOff
from domain.shared.paging import Paged, Slice, trimmed
from persistence import tables
from persistence.database import Reads
from persistence.keyset import Ordering
from persistence.read_rows import entities_of, rows_of
from resolvers.shared.loader_base import BatchLoader, ByIdLoader, by_ids

A = tables.appointments


class AppointmentByIdLoader(ByIdLoader[Appointment]):
    model = Appointment


class ChargeByIdLoader(ByIdLoader[Charge]):
    model = Charge


class FailedChargeByAppointmentIdLoader(BatchLoader[uuid.UUID, Charge | None]):
    """A session's latest refused charge: what Session.charge shows while none succeeded."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, keys: Sequence[uuid.UUID]) -> list[Charge | None]:
        c = tables.charges
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, Charge, entities_of(Charge)
                .where(c.c.appointment_id.in_(keys), c.c.status == ChargeStatus.FAILED)
                .order_by(c.c.created_at, c.c.id))
            latest = {charge.appointment_id: charge for charge in found}
        return [latest.get(key) for key in keys]


class ReservedSlotByIdLoader(ByIdLoader[ReservedSlot]):
    model = ReservedSlot


class ReservedSlotsByLoader(BatchLoader[uuid.UUID, list[ReservedSlot]]):
    column: Any

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, keys: Sequence[uuid.UUID]) -> list[list[ReservedSlot]]:
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, ReservedSlot, entities_of(ReservedSlot).where(self.column.in_(keys))
                .order_by(tables.reserved_slots.c.weekday, tables.reserved_slots.c.start_time)
            )
            grouped: dict[uuid.UUID, list[ReservedSlot]] = defaultdict(list)
            for slot in found:
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
    window: Slice


def when_filter(upcoming: bool | None, now: datetime) -> list[Any]:
    """upcoming: SCHEDULED and still ahead; not upcoming: already started; None: all."""
    if upcoming is None:
        return []
    if upcoming:
        return [A.c.status == AppointmentStatus.SCHEDULED, A.c.starts_at > now]
    return [A.c.starts_at <= now]


def ordering(upcoming: bool | None) -> Ordering:
    """Upcoming soonest first; past and all most recent first."""
    return Ordering((A.c.starts_at, A.c.id), descending=not upcoming)


class AppointmentPagesLoader(BatchLoader[PageKey, Paged[Appointment]]):
    """Subclasses name the parent column (a relationship, or an attending client)."""

    def __init__(self, db: Reads, now: datetime) -> None:
        super().__init__()
        self.db = db
        self.now = now

    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        raise NotImplementedError

    async def _load(self, keys: Sequence[PageKey]) -> list[Paged[Appointment]]:
        groups: dict[tuple[bool | None, Slice], list[PageKey]] = defaultdict(list)
        for key in keys:
            groups[(key.upcoming, key.window)].append(key)
        pages: dict[PageKey, Paged[Appointment]] = {}
        async with self.db.reading() as tx:
            for (upcoming, window), group in groups.items():
                pages.update(await self._group(tx, group, upcoming, window))
        return [pages[key] for key in keys]

    async def _group(
        self, tx: Any, group: list[PageKey], upcoming: bool | None, window: Slice
    ) -> dict[PageKey, Paged[Appointment]]:
        """Each parent's slice in one query: keyset bounds, then a row number per parent
        (one row beyond the limit says there is more)."""
        parent_ids = [key.parent_id for key in group]
        parent, source = self.parent_query(parent_ids)
        order = ordering(upcoming)
        ranked = (
            select(
                A.c.id.label("id"), parent.label("parent"),
                func.row_number().over(partition_by=parent, order_by=order.reading(window))
                .label("position"),
            )
            .select_from(source)
            .where(parent.in_(parent_ids), *when_filter(upcoming, self.now),
                   *order.where(window))
            .subquery()
        )
        rows = list(await tx.execute(
            select(ranked).where(ranked.c.position <= window.limit + 1)
        ))
        totals = await self._totals(tx, parent, source, parent_ids, upcoming)
        loaded = await self._appointments(tx, [row.id for row in rows])
        by_parent: dict[uuid.UUID, list[tuple[int, Appointment]]] = defaultdict(list)
        for row in rows:
            by_parent[row.parent].append((row.position, loaded[row.id]))
        return {
            key: trimmed(
                order.keyed([item for _, item in sorted(by_parent[key.parent_id],
                                                        key=lambda p: p[0])]),
                window, totals.get(key.parent_id, 0),
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
        found = await rows_of(tx, Appointment, by_ids(Appointment), {"ids": ids})
        return {item.id: item for item in found}


class AppointmentPagesByRelationshipIdLoader(AppointmentPagesLoader):
    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        return A.c.relationship_id, A


class AppointmentPagesByClientIdLoader(AppointmentPagesLoader):
    """Sessions a client attends."""

    def parent_query(self, parent_ids: Sequence[uuid.UUID]) -> tuple[Any, Any]:
        attendees = tables.appointment_attendees
        return attendees.c.client_id, A.join(attendees, attendees.c.appointment_id == A.c.id)


class TimeOffByIdLoader(ByIdLoader[TimeOff]):
    model = TimeOff


class TimeOffByLoader(BatchLoader[uuid.UUID, list[TimeOff]]):
    """Time off not yet over (it ends today or later, give or take a timezone), by start."""

    column: Any

    def __init__(self, db: Reads, now: datetime) -> None:
        super().__init__()
        self.db = db
        self.since = (now - timedelta(days=1)).date()

    def _where(self) -> Any:
        return tables.time_off.c.ends_on >= self.since

    async def _load(self, keys: Sequence[uuid.UUID]) -> list[list[TimeOff]]:
        t = tables.time_off
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, TimeOff, entities_of(TimeOff).where(self.column.in_(keys), self._where())
                .order_by(t.c.starts_on, t.c.start_time, t.c.id))
            grouped: dict[uuid.UUID, list[TimeOff]] = defaultdict(list)
            for entry in found:
                grouped[getattr(entry, self.column.name)].append(entry)
        return [grouped[key] for key in keys]


class TimeOffByPractitionerIdLoader(TimeOffByLoader):
    column = tables.time_off.c.practitioner_id


class ClosuresByPracticeIdLoader(TimeOffByLoader):
    column = tables.time_off.c.practice_id

    def _where(self) -> Any:
        return and_(super()._where(), tables.time_off.c.practitioner_id.is_(None))


class AppointmentLoaders:
    def __init__(self, db: Reads, now: datetime) -> None:
        self.time_off_by_id = TimeOffByIdLoader(db)
        self.time_off_by_practitioner_id = TimeOffByPractitionerIdLoader(db, now)
        self.closures_by_practice_id = ClosuresByPracticeIdLoader(db, now)
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
