"""rescheduleSession, cancelSession and myAppointments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.appointments import changes as session_changes
from resolvers.appointments import my_appointments
from schema.appointments.booking import SessionPayload
from schema.appointments.types import Session, SessionConnection
from schema.clients.inputs import given, node_id
from schema.shared.common import UserError, context, page, refusals_as_user_errors


@strawberry.input
class RescheduleSessionInput:
    session_id: strawberry.ID
    starts_at: datetime
    duration_minutes: int | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the session's current length."
    )


@strawberry.input
class CancelSessionInput:
    session_id: strawberry.ID
    reason: str | None = strawberry.UNSET


@strawberry.type
class CancelSessionPayload:
    session: Session | None = None
    late_cancellation: bool = strawberry.field(
        default=False,
        description="True when the client cancelled inside the notice window and the fee "
        "stands.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SessionChangeMutations:
    @strawberry.mutation
    @refusals_as_user_errors(SessionPayload)
    async def reschedule_session(
        self, info: strawberry.Info, input: RescheduleSessionInput
    ) -> SessionPayload:
        moved = await session_changes.reschedule_session(
            context(info), node_id(input.session_id, "Session"), input.starts_at,
            given(input.duration_minutes),
        )
        return SessionPayload(session=Session.from_entity(moved))

    @strawberry.mutation
    @refusals_as_user_errors(CancelSessionPayload)
    async def cancel_session(
        self, info: strawberry.Info, input: CancelSessionInput
    ) -> CancelSessionPayload:
        result = await session_changes.cancel_session(
            context(info), node_id(input.session_id, "Session"), given(input.reason)
        )
        return CancelSessionPayload(
            session=Session.from_entity(result.appointment), late_cancellation=result.late
        )


@strawberry.type
class MyAppointmentsQueries:
    @strawberry.field(
        description="For a signed-in client: their own sessions and those of clients they may "
        "book and manage for."
    )
    async def my_appointments(
        self, info: strawberry.Info, upcoming: bool | None = None, first: int | None = None,
        after: str | None = None,
    ) -> SessionConnection:
        at = page(first, after)
        found = await my_appointments.my_appointments(context(info), upcoming, at.offset,
                                                      at.limit)
        return SessionConnection.of(found.items, found.total, at)
