"""Session (an appointment in code), Charge, ReservedSlot, TimeSlot and AttendanceUpdate."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
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
from schema.appointments.fee_types import CancellationFee, CancellationPolicy
from schema.clients.relationship_types import Relationship
from schema.clients.types import Client
from schema.shared.common import Money, Node, PageInfo, Weekday, context, described_enum
from schema.shared.connections import APPOINTMENT_KEY, edges_and_info, empty_info, window
from schema.shared.entity_values import values_of
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher
from schema.shared.prefetch import present, when_all_loaded, when_loaded

if TYPE_CHECKING:
    from schema.billing.package_types import Package

_Status = policy.AppointmentStatus
AppointmentStatus = described_enum(_Status, name="SessionStatus", description=(
    "Where a one-to-one session stands."
), values={
    _Status.SCHEDULED: "Booked and not yet updated after it happened.",
    _Status.ATTENDED: "The client came, as the attendance update recorded.",
    _Status.NO_SHOW: "The client did not come, as the attendance update recorded.",
    _Status.CANCELLED: "Cancelled in time, or by the practice: nothing is owed.",
    _Status.LATE_CANCELLED: "Cancelled by the client inside the notice window: the fee stands.",
    _Status.AUTO_CANCELLED: (
        "Cancelled by the system in the hour before the start because payment had not been "
        "taken."
    ),
})
_Charge = domain.ChargeStatus
ChargeStatus = described_enum(_Charge, name="ChargeStatus", description=(
    "What became of a charge."
), values={
    _Charge.SUCCEEDED: "The money was taken.",
    _Charge.FAILED: "The card was refused; the payer is emailed and nothing was taken.",
    _Charge.REFUNDED: "The money was taken and then given back.",
})
_Next = domain.Continuation
Continuation = described_enum(_Next, name="Continuation", description=(
    "What follows a session, decided in its attendance update."
), values={
    _Next.SAME_WEEKLY_SLOT: "Book the follow-up a week later at the same local time.",
    _Next.DIFFERENT_TIME: "Book the follow-up at nextStartsAt.",
    _Next.NO_REBOOK: "Book none, and remove the relationship's reserved slot if it has one.",
})


@strawberry.type(description="A payment taken from a payer's card.")
class Charge(Node):
    id: strawberry.ID = strawberry.field(description="The charge's global id.")
    amount: Money = strawberry.field(description="The amount charged.")
    status: ChargeStatus = strawberry.field(  # type: ignore[valid-type]
        description="Whether the charge went through, and whether it was refunded.",
    )
    created_at: datetime = strawberry.field(description="When the charge was attempted.")
    entity: strawberry.Private[domain.Charge]

    @strawberry.field(description="What has gone back to the card: all of the amount "
                      "(status REFUNDED), or the part above a late cancellation's fee (status "
                      "stays SUCCEEDED); null while nothing has.")
    def refunded_amount(self) -> Money | None:
        if self.entity.refunded_at is None:
            return None
        return Money(amount=self.entity.refunded, currency=self.entity.currency)

    @classmethod
    def from_entity(cls, charge: domain.Charge) -> Charge:
        return cls(
            id=strawberry.ID(to_global_id("Charge", charge.id)),
            amount=Money(amount=charge.amount, currency=charge.currency),
            status=charge.status,
            created_at=charge.created_at,
            entity=charge,
        )

    @strawberry.field(description="Whose card was charged.")
    async def payer(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.payer_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)


@strawberry.type(description="What the practitioner recorded after a session.")
class AttendanceUpdate:
    attended: bool = strawberry.field(description="Whether the client came.")
    continuation: Continuation = strawberry.field(  # type: ignore[valid-type]
        description="What was decided about the next session.",
    )
    submitted_at: datetime = strawberry.field(description="When it was recorded.")


@strawberry.type(description="A bookable time.")
class TimeSlot:
    starts_at: datetime = strawberry.field(
        description="When it would start (UTC), on a quarter hour of the practitioner's clock.",
    )
    ends_at: datetime = strawberry.field(
        description="When it would end (UTC): startsAt plus the duration asked for.",
    )


@strawberry.type(
    description="A weekly time kept for one relationship; other clients cannot book it.",
)
class ReservedSlot(Node):
    id: strawberry.ID = strawberry.field(description="The reserved slot's global id.")
    weekday: Weekday = strawberry.field(  # type: ignore[valid-type]
        description="The day of the week, in the practitioner's timezone.",
    )
    start_time: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM."
    )
    duration_minutes: int = strawberry.field(description="How long the kept time is, in minutes.")
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

    @strawberry.field(description="The relationship the time is kept for.")
    async def relationship(self, info: strawberry.Info) -> Relationship:
        ctx = context(info)
        found = await ctx.loaders.relationship_by_id.load(self.entity.relationship_id)
        assert found is not None
        return Relationship.from_entity(found, ctx.viewer)


_APPOINTMENT_VALUES = frozenset(("id", "starts_at", "ends_at", "status", "price", "currency",
                                 "cancelled_at"))


@strawberry.type(
    name="Session",
    description=(
        "A one-to-one session inside a relationship. Staff see the practice's; a client those "
        "they attend or pay for, and those of clients they may book and manage for."
    ),
)
class Appointment(Node):
    id: strawberry.ID = strawberry.field(description="The session's global id.")
    starts_at: datetime = strawberry.field(description="When it starts (UTC).")
    ends_at: datetime = strawberry.field(description="When it ends (UTC).")
    status: AppointmentStatus = strawberry.field(description="Where the session stands.")  # type: ignore[valid-type]
    price: Money = strawberry.field(
        description="What the session costs: the practitioner's price when it was booked.",
    )
    cancelled_at: datetime | None = strawberry.field(
        description=(
            "When it was cancelled; null unless CANCELLED, LATE_CANCELLED or AUTO_CANCELLED."
        ),
    )
    entity: strawberry.Private[domain.Appointment]

    @classmethod
    def from_entity(cls, appointment: domain.Appointment) -> Appointment:
        row = values_of(appointment, _APPOINTMENT_VALUES)
        return cls(
            id=strawberry.ID(to_global_id("Session", row["id"])),
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            status=row["status"],
            price=Money(amount=row["price"], currency=row["currency"]),
            cancelled_at=row["cancelled_at"],
            entity=appointment,
        )

    @strawberry.field(description="The short reference people read out and type, e.g. "
                      "K7QXM2PA: 8 characters without 0, O, 1 or I, unique in the practice.")
    def booking_reference(self) -> str:
        return self.entity.reference

    @strawberry.field(description="The practitioner who holds the session.",
                      graphql_type=Practitioner)
    def practitioner(self, info: strawberry.Info) -> Practitioner | Awaitable[Practitioner]:
        ctx = context(info)
        return when_loaded(ctx.loaders.practitioner_by_id, self.entity.practitioner_id,
                           lambda found: Practitioner.loaded(ctx, present(found)))

    @strawberry.field(description="The relationship the session belongs to.",
                      graphql_type=Relationship)
    def relationship(self, info: strawberry.Info) -> Relationship | Awaitable[Relationship]:
        ctx = context(info)
        return when_loaded(ctx.loaders.relationship_by_id, self.entity.relationship_id,
                           lambda found: Relationship.from_entity(present(found), ctx.viewer))

    @strawberry.field(description="The clients who attend.", graphql_type=list[Client])
    def attendees(self, info: strawberry.Info) -> list[Client] | Awaitable[list[Client]]:
        ctx = context(info)
        return when_all_loaded(
            ctx.loaders.client_by_id, self.entity.client_ids,
            lambda found: [Client.loaded(ctx, c) for c in found if c is not None])

    @strawberry.field(description="Whose card pays: the relationship's payer.",
                      graphql_type=Client)
    def payer(self, info: strawberry.Info) -> Client | Awaitable[Client | None] | None:
        return _client(info, self.entity.payer_id)

    @strawberry.field(description="The client who booked it; null when the practice did.",
                      graphql_type=Client | None)
    def booked_by(self, info: strawberry.Info) -> Client | Awaitable[Client | None] | None:
        return _client(info, self.entity.booked_by_id)

    @strawberry.field(description="The package a credit was drawn from, if any.")
    async def package(
        self, info: strawberry.Info
    ) -> Annotated[Package, strawberry.lazy("schema.billing.package_types")] | None:
        from schema.billing.package_types import visible_package

        if self.entity.package_id is None:
            return None
        return await visible_package(context(info), self.entity.package_id)

    @strawberry.field(
        description=(
            "The payment taken for it, once the sweep charged it inside the notice window; null "
            "before, and when a package credit paid."
        ),
    )
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

    @strawberry.field(description="The cancellation fee tiers in force when it was booked: "
                      "the ones a client's cancellation of it follows.")
    def cancellation_policy(self) -> CancellationPolicy:
        return CancellationPolicy.from_domain(self.entity.cancellation_policy)

    @strawberry.field(description="What the client would owe if they cancelled it now "
                      "(the practice cancelling never charges); null unless SCHEDULED.")
    def fee_if_cancelled_now(self, info: strawberry.Info) -> CancellationFee | None:
        quote = policy.cost_of_cancelling(self.entity, context(info).now)
        return CancellationFee.from_quote(quote) if quote is not None else None

    @strawberry.field(description="After a late cancellation: the tier applied and the fee "
                      "that stands. Null otherwise.")
    def cancellation_fee(self) -> CancellationFee | None:
        quote = policy.late_fee(self.entity)
        return CancellationFee.from_quote(quote) if quote is not None else None

    @strawberry.field(
        description="What the practitioner recorded after the session; null until then.",
    )
    def attendance_update(self) -> AttendanceUpdate | None:
        entity = self.entity
        if entity.update_submitted_at is None or entity.continuation is None:
            return None
        return AttendanceUpdate(
            attended=bool(entity.attended), continuation=entity.continuation,
            submitted_at=entity.update_submitted_at,
        )


def _client(
    info: strawberry.Info, client_id: uuid.UUID | None
) -> Client | Awaitable[Client | None] | None:
    if client_id is None:
        return None
    ctx = context(info)
    return when_loaded(ctx.loaders.client_by_id, client_id,
                       lambda found: Client.loaded(ctx, found) if found else None)


@strawberry.type(name="SessionEdge", description="A session and its cursor.")
class AppointmentEdge:
    cursor: str = strawberry.field(description="Where this session lies, for `after` or `before`.")
    node: Appointment = strawberry.field(description="The session.")


@strawberry.type(name="SessionConnection", description="A page of one-to-one sessions.")
class AppointmentConnection:
    edges: list[AppointmentEdge] = strawberry.field(
        description="The page's sessions, with their cursors.",
    )
    page_info: PageInfo = strawberry.field(
        description="Where this page lies, for the next or previous one.",
    )
    total_count: int = strawberry.field(description="How many sessions match, over all pages.")

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
