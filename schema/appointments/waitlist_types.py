"""WaitlistEntry and WaitlistOffer."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from domain.appointments import waitlist as domain
from resolvers.appointments.waitlist_line import may_see_entry
from schema.accounts.types import Practitioner
from schema.appointments.types import Appointment
from schema.clients.relationship_types import Relationship
from schema.clients.types import Client
from schema.groups.types import GroupSession
from schema.shared.common import Node, context
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher


@strawberry.enum(name="WaitlistKind", description="What an entry waits for.")
class WaitlistKind(Enum):
    SESSION = strawberry.enum_value(
        "SESSION", description="A time with the relationship's practitioner in a range.")
    GROUP_SESSION = strawberry.enum_value(
        "GROUP_SESSION", description="A place in a full group session from a date.")


@strawberry.enum(name="WaitlistStatus", description="Where an entry stands in line.")
class WaitlistStatus(Enum):
    WAITING = strawberry.enum_value("WAITING", description="In line; nothing offered now.")
    OFFERED = strawberry.enum_value(
        "OFFERED", description="Offered something, held until the offer's deadline.")
    BOOKED = strawberry.enum_value("BOOKED", description="Claimed an offer: booked or "
                                   "enrolled, and off the waitlist.")
    LEFT = strawberry.enum_value("LEFT", description="Taken off the waitlist.")
    PASSED = strawberry.enum_value(
        "PASSED", description="A group place was offered and not claimed in time.")


@strawberry.type(description="What is offered to an entry and held for it until expiresAt.")
class WaitlistOffer:
    starts_at: datetime = strawberry.field(
        description="When the offered time starts (a group place: its first date's start).")
    ends_at: datetime | None = strawberry.field(description="When the offered time ends; "
                                                "null for a group place.")
    expires_at: datetime = strawberry.field(
        description="Unclaimed by then, it goes to the next in line.")
    entity: strawberry.Private[domain.WaitlistOffer]

    @strawberry.field(description="The session held for the entry (SESSION offers).")
    async def session(self, info: strawberry.Info) -> Appointment | None:
        if self.entity.appointment_id is None:
            return None
        found = await context(info).loaders.appointments.appointment_by_id.load(
            self.entity.appointment_id)
        return Appointment.from_entity(found) if found else None


@strawberry.type(description="A client in line for a time with a practitioner or a place in "
                 "a group session; first joined, first offered.")
class WaitlistEntry(Node):
    id: strawberry.ID = strawberry.field(description="The entry's global id.")
    kind: WaitlistKind = strawberry.field(description="What it waits for.")
    status: WaitlistStatus = strawberry.field(description="Where it stands.")
    created_at: datetime = strawberry.field(description="When it joined: its place in line.")
    earliest: datetime | None = strawberry.field(
        name="from", description="SESSION: the earliest start wanted.")
    latest: datetime | None = strawberry.field(
        name="to", description="SESSION: the latest end wanted.")
    first_date: date | None = strawberry.field(
        description="GROUP_SESSION: the date from which a place is wanted.")
    entity: strawberry.Private[domain.WaitlistEntry]

    @classmethod
    def from_entity(cls, entry: domain.WaitlistEntry) -> WaitlistEntry:
        return cls(
            id=strawberry.ID(to_global_id("WaitlistEntry", entry.id)),
            kind=WaitlistKind[entry.kind.name], status=WaitlistStatus[entry.status.name],
            created_at=entry.created_at, earliest=entry.earliest, latest=entry.latest,
            first_date=entry.first_date, entity=entry,
        )

    @strawberry.field(description="The client the entry is for.")
    async def client(self, info: strawberry.Info) -> Client | None:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.client_id)
        return Client.from_entity(found, ctx.viewer) if found else None

    @strawberry.field(description="SESSION: the relationship a claimed time is booked in.")
    async def relationship(self, info: strawberry.Info) -> Relationship | None:
        if self.entity.relationship_id is None:
            return None
        ctx = context(info)
        found = await ctx.loaders.relationship_by_id.load(self.entity.relationship_id)
        return Relationship.from_entity(found, ctx.viewer) if found else None

    @strawberry.field(description="SESSION: whose times it waits for.")
    async def practitioner(self, info: strawberry.Info) -> Practitioner | None:
        if self.entity.practitioner_id is None:
            return None
        found = await context(info).loaders.practitioner_by_id.load(self.entity.practitioner_id)
        return Practitioner.from_entity(found) if found else None

    @strawberry.field(name="groupSession", description="GROUP_SESSION: the group session.")
    async def group_session(self, info: strawberry.Info) -> GroupSession | None:
        if self.entity.group_session_id is None:
            return None
        found = await context(info).loaders.group_sessions.group_session_by_id.load(
            self.entity.group_session_id)
        return GroupSession.from_entity(found) if found else None

    @strawberry.field(description="The open offer, while there is one.")
    async def offer(self, info: strawberry.Info) -> WaitlistOffer | None:
        found = await context(info).loaders.waitlist.open_offer_by_entry_id.load(self.entity.id)
        if found is None:
            return None
        return WaitlistOffer(starts_at=found.starts_at, ends_at=found.ends_at,
                             expires_at=found.expires_at, entity=found)


@node_fetcher("WaitlistEntry")
async def _entry_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.waitlist.entry_by_id.load(item_id)
    if found is None:
        return None
    async with ctx.reading() as uow:
        visible = await may_see_entry(uow, ctx.viewer, found)
    return WaitlistEntry.from_entity(found) if visible else None
