"""Time off and closures: addTimeOff, addClosure, removeTimeOff, the lists, and what
availability and the booking rules read of them.

Staff only. A practitioner adds and removes their own time off; the owner anyone's, and the
practice's closures. Anything of another practice, or that does not exist, is NOT_FOUND.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from domain.accounts.practice import Practitioner, Role
from domain.appointments import time_off
from domain.appointments.availability import Interval
from domain.appointments.time_off import TimeOff, Zones, new_time_off
from domain.shared.errors import DomainError, ErrorCode, Problems, not_found
from domain.shared.validation import parse_hhmm
from persistence.uow import UnitOfWork
from resolvers.shared.access import ensure_acts_for, practice_practitioner
from resolvers.shared.context import RequestContext


@dataclass(frozen=True)
class TimeOffRequest:
    practitioner_id: uuid.UUID | None  # None: a closure of the practice
    starts_on: date
    ends_on: date | None
    start_time: str | None
    end_time: str | None
    reason: str | None


def _times(request: TimeOffRequest) -> tuple[time | None, time | None]:
    problems = Problems()
    start = (problems.check(parse_hhmm, request.start_time, "startTime")
             if request.start_time is not None else None)
    end = (problems.check(parse_hhmm, request.end_time, "endTime")
           if request.end_time is not None else None)
    problems.raise_if_any()
    return start, end


async def add_time_off(ctx: RequestContext, request: TimeOffRequest) -> TimeOff:
    viewer = ctx.staff()
    if request.practitioner_id is None and viewer.role is not Role.OWNER:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only the owner closes the practice.")
    start, end = _times(request)
    async with ctx.unit_of_work() as uow:
        if request.practitioner_id is not None:
            practitioner = await practice_practitioner(
                uow, viewer, request.practitioner_id, ["practitionerId"])
            ensure_acts_for(viewer, practitioner.id)
        entry = new_time_off(
            practice_id=viewer.practice_id, practitioner_id=request.practitioner_id,
            starts_on=request.starts_on, ends_on=request.ends_on, start_time=start,
            end_time=end, reason=request.reason, now=ctx.now,
        )
        uow.time_off.add(entry)
        await uow.commit()
    return entry


async def remove_time_off(ctx: RequestContext, time_off_id: uuid.UUID | None) -> uuid.UUID:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        entry = await uow.time_off.get_in_practice(
            time_off_id, viewer.practice_id, for_update=True) if time_off_id else None
        if entry is None:
            raise not_found("Time off", ["id"])
        if entry.practitioner_id is None:
            if viewer.role is not Role.OWNER:
                raise DomainError.one(ErrorCode.NOT_PERMITTED,
                                      "Only the owner reopens the practice.", ["id"])
        else:
            ensure_acts_for(viewer, entry.practitioner_id)
        await uow.time_off.remove(entry)
        await uow.commit()
    return entry.id


async def zones_of(uow: UnitOfWork, practitioner: Practitioner) -> Zones:
    practice = await uow.practices.get(practitioner.practice_id)
    assert practice is not None
    return Zones(practitioner=practitioner.timezone, practice=practice.timezone)


async def time_off_during(
    uow: UnitOfWork, practitioner: Practitioner, start: datetime, end: datetime
) -> tuple[list[TimeOff], Zones] | None:
    """The practitioner's time off and the practice's closures near [start, end), with the
    zones to read them in; None when there is none (most days: no practice read then)."""
    entries = await uow.time_off.touching(practitioner.practice_id, practitioner.id, start, end)
    return (entries, await zones_of(uow, practitioner)) if entries else None


async def blocked_by_time_off(
    uow: UnitOfWork, practitioner: Practitioner, start: datetime, end: datetime
) -> list[Interval]:
    found = await time_off_during(uow, practitioner, start, end)
    return time_off.intervals(*found) if found else []


async def ensure_clear_of_time_off(
    uow: UnitOfWork, practitioner: Practitioner, start: datetime, end: datetime, *,
    allowed: bool, field: str = "startsAt",
) -> None:
    """The practice side: TIME_OFF on `field` unless the caller set allowDuringTimeOff."""
    if allowed:
        return
    found = await time_off_during(uow, practitioner, start, end)
    if found:
        time_off.ensure_clear(*found, start, end, allowed=False, field=field)
