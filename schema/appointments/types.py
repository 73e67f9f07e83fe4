"""Session (an appointment in code), Charge, ReservedSlot, TimeSlot and AttendanceUpdate."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.appointments import appointments as domain
from domain.appointments import policy
from domain.shared.paging import Paged, Slice
from resolvers.appointments.loaders import PageKey
from resolvers.clients.links import manages_among
from resolvers.shared.access import may_see_appointment
from schema.accounts.types import Practitioner
from schema.clients.relationship_types import Relationship
from schema.clients.types import Client
from schema.shared.common import Money, Node, PageInfo, Weekday, context
from schema.shared.connections import APPOINTMENT_KEY, edges_and_info, empty_info, window
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher

if TYPE_CHECKING:
    from schema.billing.package_types import Package

AppointmentStatus = strawberry.enum(policy.AppointmentStatus, name="SessionStatus")
ChargeStatus = strawberry.enum(domain.ChargeStatus, name="ChargeStatus")
Continuation = strawberry.enum(domain.Continuation, name="Continuation")


@strawberry.type
class Charge(Node):
    id: strawberry.ID
    amount: Money
    status: ChargeStatus  # type: ignore[valid-type]
    created_at: datetime
    entity: strawberry.Private[domain.Charge]

    @classmethod
    def from_entity(cls, charge: domain.Charge) -> Charge:
        return cls(
            id=strawberry.ID(to_global_id("Charge", charge.id)),
            amount=Money(amount=charge.amount, currency=charge.currency),
            status=charge.status,
            created_at=charge.created_at,
            entity=charge,
        )

    @strawberry.field
    async def payer(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.payer_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)


@strawberry.type
class AttendanceUpdate:
    attended: bool
    continuation: Continuation  # type: ignore[valid-type]
    submitted_at: datetime


@strawberry.type
class TimeSlot:
    starts_at: datetime
    ends_at: datetime


@strawberry.type
class ReservedSlot(Node):
    id: strawberry.ID
    weekday: Weekday  # type: ignore[valid-type]
    start_time: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM."
    )
    duration_minutes: int
    entity: strawberry.Private[domain.ReservedSlot]

    @classmethod
    def from_entity(cls, slot: domain.ReservedSlot) -> ReservedSlot:
        return cls(
            id=strawberry.ID(to_global_id("ReservedSlot", slot.id)),
            weekday=slot.weekday,
            start_time=slot.start_time.strftime("%H:%M"),
            duration_minutes=slot.duration_minutes,
            entity=slot,
        )

    @strawberry.field
    async def relationship(self, info: strawberry.Info) -> Relationship:
        ctx = context(info)
        found = await ctx.loaders.relationship_by_id.load(self.entity.relationship_id)
        assert found is not None
        return Relationship.from_entity(found, ctx.viewer)


@strawberry.type(name="Session")
class Appointment(Node):
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus  # type: ignore[valid-type]
    price: Money
    cancelled_at: datetime | None
    entity: strawberry.Private[domain.Appointment]

    @classmethod
    def from_entity(cls, appointment: domain.Appointment) -> Appointment:
        return cls(
            id=strawberry.ID(to_global_id("Session", appointment.id)),
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            status=appointment.status,
            price=Money(amount=appointment.price, currency=appointment.currency),
            cancelled_at=appointment.cancelled_at,
            entity=appointment,
        )

    @strawberry.field
    async def practitioner(self, info: strawberry.Info) -> Practitioner:
        found = await context(info).loaders.practitioner_by_id.load(
            self.entity.practitioner_id
        )
        assert found is not None
        return Practitioner.from_entity(found)

    @strawberry.field
    async def relationship(self, info: strawberry.Info) -> Relationship:
        ctx = context(info)
        found = await ctx.loaders.relationship_by_id.load(self.entity.relationship_id)
        assert found is not None
        return Relationship.from_entity(found, ctx.viewer)

    @strawberry.field
    async def attendees(self, info: strawberry.Info) -> list[Client]:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load_many(self.entity.client_ids)
        return [Client.from_entity(c, ctx.viewer) for c in found if c is not None]

    @strawberry.field
    async def payer(self, info: strawberry.Info) -> Client:
        return await _client(info, self.entity.payer_id)  # type: ignore[return-value]

    @strawberry.field(description="The client who booked it; null when the practice did.")
    async def booked_by(self, info: strawberry.Info) -> Client | None:
        return await _client(info, self.entity.booked_by_id)

    @strawberry.field(description="The package a credit was drawn from, if any.")
    async def package(
        self, info: strawberry.Info
    ) -> Annotated[Package, strawberry.lazy("schema.billing.package_types")] | None:
        from schema.billing.package_types import visible_package

        if self.entity.package_id is None:
            return None
        return await visible_package(context(info), self.entity.package_id)

    @strawberry.field
    async def charge(self, info: strawberry.Info) -> Charge | None:
        """The charge that paid it; while none has, the latest refused one (if any). As
        node(id) has it: the practice's staff and the payer only, not a client who manages
        the session for someone else."""
        viewer = context(info).viewer
        if viewer is None or not (viewer.is_staff or viewer.client_id == self.entity.payer_id):
            return None
        loaders = context(info).loaders.appointments
        if self.entity.charge_id is None:
            if self.entity.payment_failed_at is None:
                return None
            failed = await loaders.failed_charge_by_appointment_id.load(self.entity.id)
            return Charge.from_entity(failed) if failed else None
        found = await loaders.charge_by_id.load(self.entity.charge_id)
        return Charge.from_entity(found) if found else None

    @strawberry.field(
        description="Set while a guest booking made with the email of a client on file waits "
        "for that client to confirm it (the status stays SCHEDULED): unconfirmed by then, it "
        "is released, and it is never charged. Null otherwise."
    )
    def awaiting_confirmation_until(self) -> datetime | None:
        return self.entity.held_until

    @strawberry.field
    def attendance_update(self) -> AttendanceUpdate | None:
        entity = self.entity
        if entity.update_submitted_at is None or entity.continuation is None:
            return None
        return AttendanceUpdate(
            attended=bool(entity.attended), continuation=entity.continuation,
            submitted_at=entity.update_submitted_at,
        )


async def _client(info: strawberry.Info, client_id: uuid.UUID | None) -> Client | None:
    if client_id is None:
        return None
    ctx = context(info)
    found = await ctx.loaders.client_by_id.load(client_id)
    return Client.from_entity(found, ctx.viewer) if found else None


@strawberry.type(name="SessionEdge")
class AppointmentEdge:
    cursor: str
    node: Appointment


@strawberry.type(name="SessionConnection")
class AppointmentConnection:
    edges: list[AppointmentEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def empty(cls) -> AppointmentConnection:
        return cls(edges=[], page_info=empty_info(), total_count=0)

    @classmethod
    def of(cls, found: Paged[domain.Appointment], at: Slice) -> AppointmentConnection:
        edges, info = edges_and_info(
            found, at, lambda c, item: AppointmentEdge(cursor=c, node=Appointment.from_entity(item))
        )
        return cls(edges=edges, page_info=info, total_count=found.total)


async def appointment_page(
    info: strawberry.Info, loader_name: str, parent_id: uuid.UUID, upcoming: bool | None,
    first: int | None, after: str | None, last: int | None, before: str | None,
) -> AppointmentConnection:
    at = window(APPOINTMENT_KEY, first, after, last, before)
    loaders = context(info).loaders.appointments
    loader = getattr(loaders, loader_name)
    found: Paged[domain.Appointment] = await loader.load(PageKey(parent_id, upcoming, at))
    return AppointmentConnection.of(found, at)


@node_fetcher("Session")
async def _appointment_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.appointments.appointment_by_id.load(item_id)
    if found is None or not (may_see_appointment(ctx.viewer, found)
                             or await _manages(ctx, found)):
        return None
    return Appointment.from_entity(found)


async def _manages(ctx, found: domain.Appointment) -> bool:  # type: ignore[no-untyped-def]
    """A client assigned to the session, whom someone it is for lets book and manage."""
    viewer = ctx.viewer
    if viewer is None or viewer.client_id is None or found.practice_id != viewer.practice_id:
        return False
    if viewer.client_id not in found.assigned_client_ids:
        return False
    links = await ctx.loaders.links.links_by_client_id.load(viewer.client_id)
    return manages_among(links, viewer.client_id, found.client_ids)


@node_fetcher("ReservedSlot")
async def _reserved_slot_node(ctx, item_id):  # type: ignore[no-untyped-def]
    """Reserved slots are the practice's planning: staff only."""
    found = await ctx.loaders.appointments.reserved_slot_by_id.load(item_id)
    if found is None or ctx.viewer is None or not ctx.viewer.is_staff:
        return None
    return ReservedSlot.from_entity(found) if found.practice_id == ctx.viewer.practice_id else None


@node_fetcher("Charge")
async def _charge_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.appointments.charge_by_id.load(item_id)
    viewer = ctx.viewer
    if found is None or viewer is None or found.practice_id != viewer.practice_id:
        return None
    if not viewer.is_staff and viewer.client_id != found.payer_id:
        return None
    return Charge.from_entity(found)
