"""TimeOff (a practitioner's time off or a practice closure): addTimeOff, addClosure,
removeTimeOff; Practitioner.timeOff and Practice.closures list them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.appointments import time_off as domain
from resolvers.appointments import time_off
from schema.clients.inputs import given, node_id
from schema.shared.common import Node, UserError, context, refusals_as_user_errors
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher


@strawberry.type(description="Days or part days when a practitioner, or the whole practice "
                 "(a closure such as a bank holiday), takes no bookings.")
class TimeOff(Node):
    id: strawberry.ID = strawberry.field(description="The TimeOff's global id.")
    starts_on: date = strawberry.field(description="The first local date.")
    ends_on: date = strawberry.field(description="The last local date (inclusive).")
    start_time: str | None = strawberry.field(
        description="HH:MM on startsOn when it starts later than the start of that day.")
    end_time: str | None = strawberry.field(
        description="HH:MM on endsOn when it ends before the end of that day.")
    reason: str | None = strawberry.field(description="Shown to the practice only.")
    closure: bool = strawberry.field(
        description="True for a closure of the whole practice, in the practice's timezone; "
        "false for a practitioner's own time off, in their timezone.")
    entity: strawberry.Private[domain.TimeOff]

    @classmethod
    def from_entity(cls, entry: domain.TimeOff) -> TimeOff:
        return cls(
            id=strawberry.ID(to_global_id("TimeOff", entry.id)),
            starts_on=entry.starts_on, ends_on=entry.ends_on,
            start_time=entry.start_time.strftime("%H:%M") if entry.start_time else None,
            end_time=entry.end_time.strftime("%H:%M") if entry.end_time else None,
            reason=entry.reason, closure=entry.is_closure, entity=entry,
        )


@strawberry.input(description="A stretch of local time: whole days unless times are given.")
class TimeOffPeriodFields:
    starts_on: date = strawberry.field(description="The first local date.")
    ends_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="The last local date; defaults to startsOn.")
    start_time: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="HH:MM on startsOn; defaults to the start of the day (a part day).")
    end_time: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="HH:MM on endsOn; defaults to the end of the day (a part day).")
    reason: str | None = strawberry.field(
        default=strawberry.UNSET, description="Why, for the practice (at most 200 characters).")


@strawberry.input(description="Time off for one practitioner, in their timezone.")
class AddTimeOffInput(TimeOffPeriodFields):
    practitioner_id: strawberry.ID = strawberry.field(
        description="The practitioner: yourself, or anyone when you are the owner.")


@strawberry.input(description="A closure of the whole practice (e.g. a bank holiday), in the "
                  "practice's timezone. Owner only.")
class AddClosureInput(TimeOffPeriodFields):
    pass


@strawberry.input(description="The time off or closure to remove.")
class RemoveTimeOffInput:
    id: strawberry.ID = strawberry.field(description="The TimeOff's id.")


TimeOffArgument = Annotated[AddTimeOffInput, strawberry.argument(description="The time off.")]
ClosureArgument = Annotated[AddClosureInput, strawberry.argument(description="The closure.")]
RemoveArgument = Annotated[RemoveTimeOffInput, strawberry.argument(description="Which one.")]


@strawberry.type(description="The time off added, or why not.")
class TimeOffPayload:
    time_off: TimeOff | None = strawberry.field(default=None, description="The new time off.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it did.")


@strawberry.type(description="The id of the time off removed, or why not.")
class RemoveTimeOffPayload:
    removed_time_off_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id that no longer exists.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it did.")


def _request(input: TimeOffPeriodFields,
             practitioner_id: strawberry.ID | None) -> time_off.TimeOffRequest:
    return time_off.TimeOffRequest(
        practitioner_id=node_id(practitioner_id, "Practitioner") if practitioner_id else None,
        starts_on=input.starts_on, ends_on=given(input.ends_on),
        start_time=given(input.start_time), end_time=given(input.end_time),
        reason=given(input.reason),
    )


@strawberry.type
class TimeOffMutations:
    @strawberry.mutation(description="Staff: time off for a practitioner (their own, or "
                         "anyone's for the owner). Clients and guests cannot book in it.")
    @refusals_as_user_errors(TimeOffPayload)
    async def add_time_off(self, info: strawberry.Info, input: TimeOffArgument) -> TimeOffPayload:
        entry = await time_off.add_time_off(context(info), _request(input, input.practitioner_id))
        return TimeOffPayload(time_off=TimeOff.from_entity(entry))

    @strawberry.mutation(description="Owner: close the whole practice for a day, days or "
                         "part of a day (a bank holiday); no practitioner can be booked then.")
    @refusals_as_user_errors(TimeOffPayload)
    async def add_closure(self, info: strawberry.Info, input: ClosureArgument) -> TimeOffPayload:
        entry = await time_off.add_time_off(context(info), _request(input, None))
        return TimeOffPayload(time_off=TimeOff.from_entity(entry))

    @strawberry.mutation(description="Staff: remove a time off (a closure: the owner only).")
    @refusals_as_user_errors(RemoveTimeOffPayload)
    async def remove_time_off(
        self, info: strawberry.Info, input: RemoveArgument
    ) -> RemoveTimeOffPayload:
        removed = await time_off.remove_time_off(context(info), node_id(input.id, "TimeOff"))
        return RemoveTimeOffPayload(
            removed_time_off_id=strawberry.ID(to_global_id("TimeOff", removed)))


@node_fetcher("TimeOff")
async def _time_off_node(ctx, item_id):  # type: ignore[no-untyped-def]
    """The practice's planning: staff only."""
    found = await ctx.loaders.appointments.time_off_by_id.load(item_id)
    if found is None or ctx.viewer is None or not ctx.viewer.is_staff:
        return None
    return TimeOff.from_entity(found) if found.practice_id == ctx.viewer.practice_id else None
