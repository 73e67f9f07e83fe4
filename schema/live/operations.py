"""Subscription.dashboardEvents: live updates for the practice dashboard, over WebSocket
(graphql-transport-ws). Each event's subject is read as `node(id:)` reads it, for the
subscriber: staff see their practice's, a client only what is its own; an event whose
subject the subscriber may not read is not sent at all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from resolvers.live.feed import practice_events
from schema.appointments.types import Appointment
from schema.billing.invoice_types import Invoice
from schema.clients.intake_form_types import IntakeForm
from schema.shared.common import context
from schema.shared.nodes import fetch_node


@strawberry.enum(name="DashboardEventKind",
                 description="What happened, as a live update to the dashboard.")
class DashboardEventKind(Enum):
    SUBSCRIBED = strawberry.enum_value(
        "SUBSCRIBED", description="The first message: the subscription is live, and every "
        "later event reaches it. Refetch what the dashboard shows after this one.")
    SESSION_BOOKED = strawberry.enum_value(
        "SESSION_BOOKED", description="A session was booked (or a held booking confirmed).")
    SESSION_MOVED = strawberry.enum_value(
        "SESSION_MOVED", description="A session was moved to another time.")
    SESSION_CANCELLED = strawberry.enum_value(
        "SESSION_CANCELLED", description="A session was cancelled (late or not).")
    SESSION_AUTO_CANCELLED = strawberry.enum_value(
        "SESSION_AUTO_CANCELLED",
        description="A session was cancelled automatically: its payment had not succeeded "
        "an hour before it started.")
    SESSION_CHARGED = strawberry.enum_value(
        "SESSION_CHARGED", description="A session was charged and is paid (its payment, or "
        "a late cancellation's fee, was taken).")
    SESSION_PAYMENT_FAILED = strawberry.enum_value(
        "SESSION_PAYMENT_FAILED", description="A session's charge was refused.")
    FORM_COMPLETED = strawberry.enum_value(
        "FORM_COMPLETED", description="An intake form was completed.")
    INVOICE_PAID = strawberry.enum_value("INVOICE_PAID", description="An invoice was paid.")


_SUBJECTS = {"Session": "session", "IntakeForm": "intake_form", "Invoice": "invoice"}


@strawberry.type(description="One live update: what happened, and to what.")
class DashboardEvent:
    event_id: strawberry.ID = strawberry.field(description=(
        "The event's id: delivery is at least once, so a repeat has the id of the first."))
    kind: DashboardEventKind = strawberry.field(description="What happened.")
    occurred_at: datetime | None = strawberry.field(
        description="When the change was committed (null on SUBSCRIBED).")
    session: Appointment | None = strawberry.field(
        default=None, description="The session, for the SESSION_* kinds.")
    intake_form: IntakeForm | None = strawberry.field(
        default=None, description="The form, for FORM_COMPLETED.")
    invoice: Invoice | None = strawberry.field(
        default=None, description="The invoice, for INVOICE_PAID.")


SUBSCRIBED = DashboardEvent(event_id=strawberry.ID("subscribed"),
                            kind=DashboardEventKind.SUBSCRIBED, occurred_at=None)


async def _subject(ctx: Any, subject_type: str, subject_id: str) -> Any:
    """The subject as node(id:) answers it for the subscriber (None: not theirs to read)."""
    if subject_type not in _SUBJECTS:
        return None
    try:
        item_id = uuid.UUID(subject_id)
    except ValueError:
        return None
    return await fetch_node(ctx, subject_type, item_id)


@strawberry.type(name="Subscription", description="Live updates, over WebSocket.")
class LiveSubscriptions:
    @strawberry.subscription(description=(
        "Live updates for the dashboard, over WebSocket (graphql-transport-ws; sign in "
        "with `{\"authorization\": \"Bearer <accessToken>\"}` as the connection_init "
        "payload). Staff receive their practice's events, a client those about what is "
        "its own; the socket closes (4401) when the token expires."))
    async def dashboard_events(
        self, info: strawberry.Info
    ) -> AsyncGenerator[DashboardEvent, None]:
        ctx = context(info)
        async for event in practice_events(ctx):
            if event is None:
                yield SUBSCRIBED
                continue
            found = await _subject(ctx, event.subject_type, event.subject_id)
            if found is None or event.kind not in DashboardEventKind.__members__:
                continue  # not for this subscriber: it reads as if it did not exist
            yield DashboardEvent(
                event_id=strawberry.ID(event.id), kind=DashboardEventKind[event.kind],
                occurred_at=datetime.fromisoformat(event.occurred_at),
                **{_SUBJECTS[event.subject_type]: found},
            )
