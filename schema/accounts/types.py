"""Practice, Practitioner, WorkingHours and Viewer."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.accounts import practice as domain
from domain.appointments.fee_tiers import FeePolicy
from resolvers.shared.auth import Viewer as SignedInViewer
from schema.appointments.fee_types import CancellationPolicy
from schema.shared.common import Money, Node, Role, Weekday, built_once, context
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher

if TYPE_CHECKING:
    from resolvers.shared.context import RequestContext
    from schema.clients.types import Client

if TYPE_CHECKING:
    from schema.appointments.time_off import TimeOff
    from schema.appointments.types import ReservedSlot


@strawberry.type(description="One weekly working period of a practitioner.")
class WorkingHours:
    weekday: Weekday = strawberry.field(  # type: ignore[valid-type]
        description="The day of the week, in the practitioner's timezone.",
    )
    start: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM."
    )
    end: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM; after start.",
    )

    @classmethod
    def from_domain(cls, hours: domain.WorkingHours) -> WorkingHours:
        return cls(
            weekday=hours.weekday,
            start=_hh_mm(hours.start),
            end=_hh_mm(hours.end),
        )


@lru_cache(maxsize=2048)
def _hh_mm(wall: time) -> str:
    # A page names the same few practitioners many times over.
    return wall.strftime("%H:%M")


@strawberry.type(
    description=(
        "A practice: one business, its practitioners, clients and money. Nothing is shared "
        "between practices."
    ),
)
class Practice(Node):
    id: strawberry.ID = strawberry.field(description="The practice's global id.")
    name: str = strawberry.field(description="The practice's name, as clients see it.")
    slug: str = strawberry.field(
        description=(
            "The practice's short name in URLs, e.g. for publicPractice(slug:) in a booking "
            "widget."
        ),
    )
    timezone: str = strawberry.field(
        description=(
            "The practice's IANA timezone, e.g. Europe/London; the default for its practitioners."
        ),
    )
    currency: str = strawberry.field(
        description="ISO 4217 code of every amount of the practice, e.g. GBP.",
    )
    cancellation_notice_hours: int = strawberry.field(
        description=(
            "Notice a client must give to cancel or move a session without charge "
            "(48 by default)."
        )
    )
    practice_id: strawberry.Private[uuid.UUID]
    fee_policy: strawberry.Private[FeePolicy]

    @classmethod
    def from_entity(cls, practice: domain.Practice) -> Practice:
        return cls(
            id=strawberry.ID(to_global_id("Practice", practice.id)),
            name=practice.name,
            slug=practice.slug,
            timezone=practice.timezone,
            currency=practice.currency,
            cancellation_notice_hours=practice.cancellation_notice_hours,
            practice_id=practice.id,
            fee_policy=practice.cancellation_policy,
        )

    @strawberry.field(description="The cancellation fee tiers in force: what sessions booked "
                      "from now on follow.")
    def cancellation_policy(self) -> CancellationPolicy:
        return CancellationPolicy.from_domain(self.fee_policy)

    @strawberry.field(description="The practice's practitioners, the owner included.")
    async def practitioners(self, info: strawberry.Info) -> list[Practitioner]:
        loader = context(info).loaders.practitioners_by_practice_id
        return [Practitioner.from_entity(p) for p in await loader.load(self.practice_id)]

    @strawberry.field(description="Staff only (empty for anyone else): the practice's "
                      "closures not yet over, earliest first.")
    async def closures(
        self, info: strawberry.Info
    ) -> list[Annotated[TimeOff, strawberry.lazy("schema.appointments.time_off")]]:
        from schema.appointments.time_off import TimeOff

        ctx = context(info)
        if ctx.viewer is None or not ctx.viewer.is_staff:
            return []
        loader = ctx.loaders.appointments.closures_by_practice_id
        return [TimeOff.from_entity(e) for e in await loader.load(self.practice_id)]


@strawberry.type(description="An invitation to be a practitioner of the practice, emailed and "
                 "not yet accepted or withdrawn.")
class PractitionerInvitation:
    email: str = strawberry.field(description="Where the link was sent.")
    sent_at: datetime = strawberry.field(description="When it was sent (UTC).")
    expires_at: datetime = strawberry.field(
        description="When its link stops working (UTC); once past, invite the practitioner "
        "again (invitePractitioner with the same email).")


@strawberry.type(
    description="A therapist of the practice (or its owner) who signs in to the dashboard.",
)
class Practitioner(Node):
    id: strawberry.ID = strawberry.field(description="The practitioner's global id.")
    name: str = strawberry.field(description="The practitioner's full name.")
    email: str = strawberry.field(description="The practitioner's sign-in and contact address.")
    timezone: str = strawberry.field(
        description=(
            "IANA timezone, e.g. Europe/London, in which the working hours and weekly times are "
            "read."
        ),
    )
    working_hours: list[WorkingHours] = strawberry.field(
        description="Weekly bookable hours, by weekday, in the practitioner's timezone.",
    )
    practitioner_id: strawberry.Private[uuid.UUID]
    practice_id: strawberry.Private[uuid.UUID]
    price: strawberry.Private[Decimal]
    has_feed: strawberry.Private[bool]

    @classmethod
    def from_entity(cls, practitioner: domain.Practitioner) -> Practitioner:
        return cls(
            id=strawberry.ID(to_global_id("Practitioner", practitioner.id)),
            name=practitioner.name,
            email=practitioner.email,
            timezone=practitioner.timezone,
            working_hours=[WorkingHours.from_domain(h) for h in practitioner.working_hours],
            practitioner_id=practitioner.id,
            practice_id=practitioner.practice_id,
            price=practitioner.price,
            has_feed=practitioner.calendar_token_hash is not None,
        )

    @classmethod
    def loaded(cls, ctx: RequestContext, practitioner: domain.Practitioner) -> Practitioner:
        """From a loader's row: built once per request."""
        return built_once(ctx, cls, cls.from_entity, practitioner)

    @strawberry.field(description="The practice the practitioner works for.")
    async def practice(self, info: strawberry.Info) -> Practice:
        found = await context(info).loaders.practice_by_id.load(self.practice_id)
        assert found is not None
        return Practice.from_entity(found)

    @strawberry.field(
        name="sessionPrice",
        description="What one session costs, in the practice currency; fixed when booked.",
    )
    async def appointment_price(self, info: strawberry.Info) -> Money:
        found = await context(info).loaders.practice_by_id.load(self.practice_id)
        assert found is not None
        return Money(amount=self.price, currency=found.currency)

    @strawberry.field(
        description=(
            "Weekly times kept for the practitioner's relationships; empty unless the viewer is "
            "staff."
        ),
    )
    async def reserved_slots(
        self, info: strawberry.Info
    ) -> list[Annotated[ReservedSlot, strawberry.lazy("schema.appointments.types")]]:
        from schema.appointments.types import ReservedSlot

        ctx = context(info)
        if ctx.viewer is None or not ctx.viewer.is_staff:
            return []  # the practice's planning, not the client's
        loader = ctx.loaders.appointments.reserved_slots_by_practitioner_id
        return [ReservedSlot.from_entity(s) for s in await loader.load(self.practitioner_id)]

    @strawberry.field(description="Owner only (null for anyone else): the practitioner's "
                      "invitation waiting to be accepted; null once accepted or withdrawn.")
    async def invitation(self, info: strawberry.Info) -> PractitionerInvitation | None:
        ctx = context(info)
        viewer = ctx.viewer
        if (viewer is None or viewer.role is not domain.Role.OWNER
                or viewer.practice_id != self.practice_id):
            return None
        found = await ctx.loaders.open_invite_by_practitioner_id.load(self.practitioner_id)
        if found is None:
            return None
        return PractitionerInvitation(
            email=found.email, sent_at=found.created_at, expires_at=found.expires_at)

    @strawberry.field(description="Staff only (false for anyone else): whether the "
                      "practitioner's private calendar feed is on (rotateCalendarFeed).")
    def calendar_feed_active(self, info: strawberry.Info) -> bool:
        viewer = context(info).viewer
        return self.has_feed and viewer is not None and viewer.is_staff

    @strawberry.field(description="Staff only (empty for anyone else): the practitioner's "
                      "own time off not yet over, earliest first (closures: Practice.closures).")
    async def time_off(
        self, info: strawberry.Info
    ) -> list[Annotated[TimeOff, strawberry.lazy("schema.appointments.time_off")]]:
        from schema.appointments.time_off import TimeOff

        ctx = context(info)
        if ctx.viewer is None or not ctx.viewer.is_staff:
            return []
        loader = ctx.loaders.appointments.time_off_by_practitioner_id
        return [TimeOff.from_entity(e) for e in await loader.load(self.practitioner_id)]


@strawberry.type(description="What an account is to one practice: its owner, a "
                 "practitioner or a client. An access token stands for one membership.")
class Membership:
    id: strawberry.ID = strawberry.field(
        description="Give it to switchMembership for a token of this membership.")
    role: Role = strawberry.field(  # type: ignore[valid-type]
        description="What the account is to the practice.")
    practice_name: str = strawberry.field(description="The practice's name.")
    current: bool = strawberry.field(
        description="Whether the access token of this request stands for this membership.")


async def memberships_of(info: strawberry.Info, signed_in: SignedInViewer) -> list[Membership]:
    ctx = context(info)
    found = await ctx.loaders.memberships_by_account_id.load(signed_in.account_id)
    practices = await ctx.loaders.practice_by_id.load_many([m.practice_id for m in found])
    return [
        Membership(id=strawberry.ID(to_global_id("Membership", m.id)), role=m.role,
                   practice_name=practice.name if practice else "",
                   current=m.id == signed_in.membership)
        for m, practice in zip(found, practices, strict=True)
    ]


@strawberry.type(description="Who the request signs in as, and what they belong to.")
class Viewer:
    role: Role = strawberry.field(  # type: ignore[valid-type]
        description="The viewer's role, which decides what they may see and do.",
    )
    signed_in: strawberry.Private[SignedInViewer]

    @strawberry.field(description="Every practice this account belongs to, and as whom, "
                      "oldest first.")
    async def memberships(self, info: strawberry.Info) -> list[Membership]:
        return await memberships_of(info, self.signed_in)

    @strawberry.field(description="The viewer's practice.")
    async def practice(self, info: strawberry.Info) -> Practice:
        found = await context(info).loaders.practice_by_id.load(self.signed_in.practice_id)
        assert found is not None
        return Practice.from_entity(found)

    @strawberry.field(description="Set when the viewer is a practitioner or the practice's owner.")
    async def practitioner(self, info: strawberry.Info) -> Practitioner | None:
        if self.signed_in.practitioner_id is None:
            return None
        # Read with the practice's staff (one small list), which practice { practitioners }
        # reads too: a viewer asking for both costs one statement, not two.
        staff = await context(info).loaders.practitioners_by_practice_id.load(
            self.signed_in.practice_id)
        found = next((p for p in staff if p.id == self.signed_in.practitioner_id), None)
        return Practitioner.from_entity(found) if found else None

    @strawberry.field(description="Set when the viewer is a client.")
    async def client(
        self, info: strawberry.Info
    ) -> Annotated[Client, strawberry.lazy("schema.clients.types")] | None:
        from schema.clients.types import Client

        if self.signed_in.client_id is None:
            return None
        found = await context(info).loaders.client_by_id.load(self.signed_in.client_id)
        return Client.from_entity(found, self.signed_in) if found else None

    @classmethod
    def of(cls, signed_in: SignedInViewer) -> Viewer:
        return cls(role=signed_in.role, signed_in=signed_in)


@node_fetcher("Practice")
async def _practice_node(ctx, item_id):  # type: ignore[no-untyped-def]
    if ctx.viewer is None or ctx.viewer.practice_id != item_id:
        return None
    found = await ctx.loaders.practice_by_id.load(item_id)
    return Practice.from_entity(found) if found else None


@node_fetcher("Practitioner")
async def _practitioner_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.practitioner_by_id.load(item_id)
    if found is None or ctx.viewer is None or found.practice_id != ctx.viewer.practice_id:
        return None
    return Practitioner.from_entity(found)
