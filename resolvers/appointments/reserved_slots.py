"""reserveSlot and releaseReservedSlot, and keeping a relationship's weekly time (also for
submitAttendanceUpdate's `reserveSlot`).

A reserved slot is a weekday, a local wall-clock start in the practitioner's timezone and a
duration. Rules:

- Staff only: the relationship's practitioner or the owner (NOT_PERMITTED otherwise; a
  relationship or slot of another practice, or one that does not exist, is NOT_FOUND).
- Only an ACTIVE relationship gets a new slot (INVALID_STATE); any slot may be released.
- A slot may not overlap another relationship's slot of the same practitioner
  (SLOT_UNAVAILABLE). Overlap is judged on the practitioner's weekly wall clock, so it wraps
  round midnight and round Sunday into Monday. The relationship's own slots may overlap.
- Asking again for a slot the relationship already has (same weekday, start and duration)
  answers that slot and adds none.
- A slot may lie partly or wholly outside working hours. It is the practice's record of a
  weekly arrangement, not an offer: availability only ever offers working hours, so a slot
  outside them blocks nothing, and working hours change while arrangements stay. (A follow-up
  of an evening session recorded by the practice reserves its evening time the same way.)

Writers of one practitioner's slots are serialised by locking the practitioner's row (on
SQLite the single writer does it), so two overlapping slots cannot both pass the check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time

from domain.accounts.practice import Weekday
from domain.appointments import availability
from domain.appointments.appointments import ReservedSlot, reserve_slot
from domain.appointments.availability import Reservation, WeeklyTime, check_duration
from domain.clients.relationships import Relationship
from domain.shared.errors import Problems, not_found
from domain.shared.validation import parse_hhmm
from persistence.uow import UnitOfWork
from resolvers.shared.access import ensure_manages, visible_relationship
from resolvers.shared.context import RequestContext

SECONDS_PER_DAY = 24 * 60 * 60
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY


@dataclass(frozen=True)
class SlotRequest:
    relationship_id: uuid.UUID | None
    weekday: Weekday
    start_time: str
    duration_minutes: int


async def reserve(ctx: RequestContext, request: SlotRequest) -> ReservedSlot:
    viewer = ctx.staff()
    problems = Problems()
    start = problems.check(parse_hhmm, request.start_time, "startTime")
    problems.check(check_duration, request.duration_minutes)
    problems.raise_if_any()
    async with ctx.unit_of_work() as uow:
        relationship = await visible_relationship(
            uow, viewer, request.relationship_id, ["relationshipId"]
        )
        ensure_manages(viewer, relationship)
        relationship.ensure_active("only an active one keeps a reserved slot.", "relationshipId")
        wanted = Reservation(relationship.id, request.weekday, start, request.duration_minutes)
        slot = await keep_weekly_time(uow, relationship, wanted, field="startTime")
        await uow.commit()
    return slot


async def release(ctx: RequestContext, slot_id: uuid.UUID | None) -> uuid.UUID:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        slot = await uow.reserved_slots.get_in_practice(
            slot_id, viewer.practice_id, for_update=True
        ) if slot_id else None
        if slot is None:
            raise not_found("Reserved slot", ["reservedSlotId"])
        relationship = await uow.relationships.get(slot.relationship_id)
        assert relationship is not None
        ensure_manages(viewer, relationship)
        await uow.reserved_slots.remove(slot)
        await uow.commit()
    return slot.id


async def keep_weekly_time(
    uow: UnitOfWork, relationship: Relationship, wanted: WeeklyTime, *, field: str,
    moving: WeeklyTime | None = None,
) -> ReservedSlot:
    """Inside the caller's unit of work: the relationship's slot at `wanted`. An identical
    slot it has is kept; otherwise its slot identical to `moving` (if any) moves there, or a
    new slot is added. SLOT_UNAVAILABLE on `field` when another relationship's slot of the
    practitioner overlaps `wanted`."""
    # The practitioner's row is the lock that serialises writers of their slots.
    await uow.practitioners.get(relationship.practitioner_id, for_update=True)
    slots = await uow.reserved_slots.of_practitioner(relationship.practitioner_id)
    own = [s for s in slots if s.relationship_id == relationship.id]
    kept = next((s for s in own if same_weekly_time(s, wanted)), None)
    if kept is not None:
        return kept
    if any(weekly_overlap(s, wanted) for s in slots if s.relationship_id != relationship.id):
        raise availability.slot_unavailable(field)
    moved = next((s for s in own if moving and same_weekly_time(s, moving)), None)
    if moved is not None:
        moved.weekday, moved.start_time = wanted.weekday, wanted.start_time
        moved.duration_minutes = wanted.duration_minutes
        return moved
    slot = reserve_slot(
        practice_id=relationship.practice_id, practitioner_id=relationship.practitioner_id,
        relationship_id=relationship.id, weekday=wanted.weekday, start_time=wanted.start_time,
        duration_minutes=wanted.duration_minutes, now=uow.now,
    )
    uow.reserved_slots.add(slot)
    return slot


async def release_all(uow: UnitOfWork, relationship_id: uuid.UUID) -> bool:
    """Inside the caller's unit of work: remove every slot the relationship keeps; True when
    there was one."""
    slots = await uow.reserved_slots.of_relationship(relationship_id)
    for slot in slots:
        await uow.reserved_slots.remove(slot)
    return bool(slots)


# ---------------------------------------------------------------- weekly wall-clock times


def same_weekly_time(a: WeeklyTime, b: WeeklyTime) -> bool:
    return (a.weekday, a.start_time, a.duration_minutes) == (
        b.weekday, b.start_time, b.duration_minutes)


def _week_second(weekday: Weekday, at: time) -> int:
    return weekday.value * SECONDS_PER_DAY + at.hour * 3600 + at.minute * 60 + at.second


def weekly_overlap(a: WeeklyTime, b: WeeklyTime) -> bool:
    """Do two weekly local times overlap on the practitioner's wall clock? Half-open, so
    back-to-back slots do not; the week wraps (Sunday 23:30 for an hour meets Monday 00:00)."""
    a_start, b_start = _week_second(a.weekday, a.start_time), _week_second(b.weekday, b.start_time)
    a_end, b_end = a_start + a.duration_minutes * 60, b_start + b.duration_minutes * 60
    return any(
        a_start < b_end + shift and b_start + shift < a_end
        for shift in (-SECONDS_PER_WEEK, 0, SECONDS_PER_WEEK)
    )
