"""Service, GroupSession, SessionSubscription and TransferPreview."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.groups import group_sessions as domain
from domain.groups.group_sessions import enrolled_on
from resolvers.groups.access import local_today, may_see_offering, may_see_subscription
from schema.accounts.types import Practitioner
from schema.billing.credit_note_types import CreditNote
from schema.billing.invoice_types import Invoice, InvoiceLine
from schema.clients.types import Client
from schema.shared.common import Money, Node, Weekday, context, described_enum
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher

SubscriptionStatus = described_enum(
    domain.SubscriptionStatus, name="SubscriptionStatus",
    description="Whether a subscription still runs.", values={
        domain.SubscriptionStatus.ACTIVE: "Running: the client attends from startDate on.",
        domain.SubscriptionStatus.ENDED: "Ended: the client attends no date from endDate on.",
    },
)


@strawberry.type(
    description=(
        "An offering of the practice (a group, a class), with its weekly group sessions. Anyone "
        "signed in to the practice sees them."
    ),
)
class Service(Node):
    id: strawberry.ID = strawberry.field(description="The service's global id.")
    name: str = strawberry.field(description="The service's name, e.g. Yoga.")
    description: str | None = strawberry.field(
        description="What the service is, for clients; null when not given.",
    )
    entity: strawberry.Private[domain.Service]

    @classmethod
    def from_entity(cls, service: domain.Service) -> Service:
        return cls(id=strawberry.ID(to_global_id("Service", service.id)), name=service.name,
                   description=service.description, entity=service)

    @strawberry.field(name="sessions", description="The service's weekly group sessions.")
    async def group_sessions(self, info: strawberry.Info) -> list[GroupSession]:
        loader = context(info).loaders.group_sessions.group_sessions_by_service_id
        return [GroupSession.from_entity(s) for s in await loader.load(self.entity.id)]


@strawberry.type(
    description="A recurring weekly session of a service that clients subscribe to "
    "(a group, a class)."
)
class GroupSession(Node):
    id: strawberry.ID = strawberry.field(description="The group session's global id.")
    name: str = strawberry.field(description="The group session's name, e.g. Tuesday Yoga.")
    weekday: Weekday = strawberry.field(  # type: ignore[valid-type]
        description="The day it meets, in the practitioner's timezone.",
    )
    start_time: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM."
    )
    duration_minutes: int = strawberry.field(description="How long each meeting lasts, in minutes.")
    capacity: int = strawberry.field(description="How many clients it takes on any date.")
    monthly_price: Money = strawberry.field(
        description=(
            "What a full calendar month costs; a part month is billed pro rata by the dates "
            "attended."
        ),
    )
    starts_on: date = strawberry.field(description="The first date it may meet.")
    ends_on: date | None = strawberry.field(
        description="The last date it may meet; null while open-ended.",
    )
    entity: strawberry.Private[domain.GroupSession]

    @classmethod
    def from_entity(cls, group_session: domain.GroupSession) -> GroupSession:
        return cls(
            id=strawberry.ID(to_global_id("GroupSession", group_session.id)),
            name=group_session.name,
            weekday=group_session.weekday,
            start_time=group_session.start_time.strftime("%H:%M"),
            duration_minutes=group_session.duration_minutes,
            capacity=group_session.capacity,
            monthly_price=Money(amount=group_session.monthly_price,
                    currency=group_session.currency),
            starts_on=group_session.starts_on,
            ends_on=group_session.ends_on,
            entity=group_session,
        )

    @strawberry.field(description="The service it belongs to.")
    async def service(self, info: strawberry.Info) -> Service:
        found = await context(info).loaders.group_sessions.service_by_id.load(
            self.entity.service_id)
        assert found is not None
        return Service.from_entity(found)

    @strawberry.field(description="The practitioner who runs it.")
    async def practitioner(self, info: strawberry.Info) -> Practitioner:
        ctx = context(info)
        found = await ctx.loaders.practitioner_by_id.load(self.entity.practitioner_id)
        assert found is not None
        return Practitioner.loaded(ctx, found)

    async def _today(self, info: strawberry.Info) -> date:
        ctx = context(info)
        found = await ctx.loaders.practitioner_by_id.load(self.entity.practitioner_id)
        assert found is not None
        return local_today(ctx.now, found.timezone)

    @strawberry.field(
        description="Places taken: the most clients enrolled on any of the session's dates "
        "from today on (in the practitioner's timezone), so capacity - enrolledCount places "
        "are free for an open-ended enrolment; 0 once it has no dates left."
    )
    async def enrolled_count(self, info: strawberry.Info) -> int:
        upcoming = self.entity.upcoming_dates(await self._today(info), 1)
        if not upcoming:
            return 0
        loader = context(info).loaders.group_sessions.enrolment_spans_by_group_session_id
        spans = await loader.load(self.entity.id)
        points = {upcoming[0], *(s.start_date for s in spans if s.start_date > upcoming[0])}
        return max(enrolled_on(spans, day) for day in points)

    @strawberry.field(
        description="The next dates the session meets, from today (at most 100)."
    )
    async def upcoming_dates(
        self,
        info: strawberry.Info,
        first: Annotated[
            int, strawberry.argument(description="How many dates; at most 100 are answered.")
        ] = 8,
    ) -> list[date]:
        return self.entity.upcoming_dates(await self._today(info), first)


@strawberry.type(
    name="SessionSubscription",
    description=(
        "A client's enrolment in a group session, from a start date to an end date. Staff see the "
        "practice's; a client those they attend or pay for."
    ),
)
class GroupSubscription(Node):
    id: strawberry.ID = strawberry.field(description="The subscription's global id.")
    status: SubscriptionStatus = strawberry.field(  # type: ignore[valid-type]
        description="ACTIVE until it ends (by a transfer, or its session's end).",
    )
    start_date: date = strawberry.field(description="First date the client attends.")
    end_date: date | None = strawberry.field(
        description="First date the client no longer attends; null while open-ended."
    )
    entity: strawberry.Private[domain.GroupSubscription]

    @classmethod
    def from_entity(cls, subscription: domain.GroupSubscription) -> GroupSubscription:
        return cls(
            id=strawberry.ID(to_global_id("SessionSubscription", subscription.id)),
            status=subscription.status,
            start_date=subscription.start_date,
            end_date=subscription.end_date,
            entity=subscription,
        )

    async def _client(self, info: strawberry.Info, client_id: object) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(client_id)  # type: ignore[arg-type]
        assert found is not None
        return Client.loaded(ctx, found)

    @strawberry.field(description="The client who attends.")
    async def client(self, info: strawberry.Info) -> Client:
        return await self._client(info, self.entity.client_id)

    @strawberry.field(description="The client who pays its invoices.")
    async def payer(self, info: strawberry.Info) -> Client:
        return await self._client(info, self.entity.payer_id)

    @strawberry.field(name="session", description="The group session attended.")
    async def group_session(self, info: strawberry.Info) -> GroupSession:
        found = await context(info).loaders.group_sessions.group_session_by_id.load(
            self.entity.group_session_id)
        assert found is not None
        return GroupSession.from_entity(found)

    async def _linked(self, info: strawberry.Info, linked_id: object) -> GroupSubscription | None:
        if linked_id is None:
            return None
        loader = context(info).loaders.group_sessions.subscription_by_id
        found = await loader.load(linked_id)  # type: ignore[arg-type]
        return GroupSubscription.from_entity(found) if found else None

    @strawberry.field(description="The subscription this one replaced by a transfer, if any.")
    async def transferred_from(self, info: strawberry.Info) -> GroupSubscription | None:
        return await self._linked(info, self.entity.transferred_from_id)

    @strawberry.field(description="The subscription that replaced this one by a transfer, if any.")
    async def transferred_to(self, info: strawberry.Info) -> GroupSubscription | None:
        return await self._linked(info, self.entity.transferred_to_id)

    @strawberry.field(description="The subscription's invoices, one a month billed, oldest first.")
    async def invoices(self, info: strawberry.Info) -> list[Invoice]:
        loader = context(info).loaders.group_sessions.invoices_by_subscription_id
        return [Invoice.from_entity(i) for i in await loader.load(self.entity.id)]

    @strawberry.field(description="Credit notes issued when the client left this group "
                      "session (leaveGroupSession), oldest first.")
    async def credit_notes(self, info: strawberry.Info) -> list[CreditNote]:
        loader = context(info).loaders.group_sessions.credit_notes_by_subscription_id
        return [CreditNote.from_entity(n) for n in await loader.load(self.entity.id)]


@strawberry.type(description="What transferSession would start with, before anything changes.")
class TransferPreview:
    lines: list[InvoiceLine] = strawberry.field(
        description="Invoice lines the new subscription would start with, before any discount."
    )
    suggested_credit: Money = strawberry.field(
        description="What the unused, already-invoiced part of the current subscription is "
        "worth."
    )
    new_group_session_first_dates: list[date] = strawberry.field(
        name="newSessionFirstDates",
        description="The new session's first dates from firstDate on (at most 8).",
    )

    @classmethod
    def from_domain(cls, preview: domain.TransferPreview) -> TransferPreview:
        credit = preview.suggested_credit
        return cls(
            lines=[InvoiceLine.from_domain(line) for line in preview.lines],
            suggested_credit=Money(amount=credit.amount, currency=credit.currency),
            new_group_session_first_dates=preview.new_group_session_first_dates,
        )


@node_fetcher("Service")
async def _service_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.group_sessions.service_by_id.load(item_id)
    return Service.from_entity(found) if found and may_see_offering(ctx.viewer, found) else None


@node_fetcher("GroupSession")
async def _group_session_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.group_sessions.group_session_by_id.load(item_id)
    if found is None or not may_see_offering(ctx.viewer, found):
        return None
    return GroupSession.from_entity(found)


@node_fetcher("SessionSubscription")
async def _subscription_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.group_sessions.subscription_by_id.load(item_id)
    if found is None or not may_see_subscription(ctx.viewer, found):
        return None
    return GroupSubscription.from_entity(found)
