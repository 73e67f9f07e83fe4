"""Relationship, its enums, and its reserved slots and sessions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.clients import relationships as domain
from resolvers.shared.access import may_see_relationship
from resolvers.shared.auth import Viewer
from schema.accounts.types import Practitioner
from schema.clients.types import Client
from schema.shared.arguments import After, Before, First, Last, Upcoming
from schema.shared.common import Node, context, described_enum
from schema.shared.entity_values import values_of
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher
from schema.shared.prefetch import present, when_all_loaded, when_loaded

if TYPE_CHECKING:
    from schema.appointments.types import AppointmentConnection, ReservedSlot

_Kind = domain.RelationshipKind
RelationshipKind = described_enum(_Kind, name="RelationshipKind", description=(
    "Who attends a relationship's sessions together."
), values={
    _Kind.INDIVIDUAL: "One client.",
    _Kind.COUPLES: "Two partners together.",
    _Kind.FAMILY: "Members of one family together.",
    _Kind.CHILD: "A child, usually paid for by a parent or guardian (THIRD_PARTY).",
})
_Party = domain.RelationshipParty
RelationshipParty = described_enum(_Party, name="RelationshipParty", description=(
    "Whether the payer attends."
), values={
    _Party.FIRST_PARTY: "The payer attends.",
    _Party.THIRD_PARTY: "Someone who does not attend books and pays.",
})
_Status = domain.RelationshipStatus
RelationshipStatus = described_enum(_Status, name="RelationshipStatus", description=(
    "Where a relationship stands."
), values={
    _Status.ACTIVE: "Sessions can be booked; its clients count as active.",
    _Status.ENDED: "Ended by the practice with a reason; restartRelationship makes it ACTIVE.",
    _Status.COMPLETED: "Closed by a migration to a first-party relationship.",
})
_Reason = domain.EndReason
EndReason = described_enum(_Reason, name="EndReason", description=(
    "Why the practice ended a relationship; only staff see it."
), values={
    _Reason.THERAPY_COMPLETED: "The therapy reached its end.",
    _Reason.CLIENT_STOPPED: "The client chose to stop.",
    _Reason.REFERRED_ELSEWHERE: "The client was referred to someone else.",
    _Reason.NO_CONTACT: "The client could no longer be reached.",
    _Reason.OTHER: "Another reason; the note may say which.",
})


_RELATIONSHIP_VALUES = frozenset(("id", "kind", "party", "status", "started_at", "ended_at",
                                  "end_reason", "end_note", "completed_at"))


@strawberry.type(
    description=(
        "A practitioner's engagement with one or more attending clients, paid by one payer. "
        "Clients see those they attend or pay for, without why they ended."
    ),
)
class Relationship(Node):
    id: strawberry.ID = strawberry.field(description="The relationship's global id.")
    kind: RelationshipKind = strawberry.field(description="Who attends together.")  # type: ignore[valid-type]
    party: RelationshipParty = strawberry.field(description="Whether the payer attends.")  # type: ignore[valid-type]
    status: RelationshipStatus = strawberry.field(description="Where the relationship stands.")  # type: ignore[valid-type]
    started_at: datetime = strawberry.field(description="When it started (or restarted).")
    ended_at: datetime | None = strawberry.field(description="When it ended; null unless ENDED.")
    end_reason: EndReason | None = strawberry.field(  # type: ignore[valid-type]
        description="Why it ended; null unless ENDED, and always null for clients.",
    )
    end_note: str | None = strawberry.field(
        description="The practice's internal note on ending; never shown to clients."
    )
    completed_at: datetime | None = strawberry.field(
        description="When a migration to first-party closed it; null unless COMPLETED.",
    )
    entity: strawberry.Private[domain.Relationship]

    @classmethod
    def from_entity(cls, relationship: domain.Relationship, viewer: Viewer | None) -> Relationship:
        """Why a relationship ended is the practice's business: clients see only when."""
        staff = viewer is not None and viewer.is_staff
        row = values_of(relationship, _RELATIONSHIP_VALUES)
        return cls(
            id=strawberry.ID(to_global_id("Relationship", row["id"])),
            kind=row["kind"],
            party=row["party"],
            status=row["status"],
            started_at=row["started_at"],
            ended_at=row["ended_at"],
            end_reason=row["end_reason"] if staff else None,
            end_note=row["end_note"] if staff else None,
            completed_at=row["completed_at"],
            entity=relationship,
        )

    @strawberry.field(description="The practitioner the clients see.", graphql_type=Practitioner)
    def practitioner(self, info: strawberry.Info) -> Practitioner | Awaitable[Practitioner]:
        ctx = context(info)
        return when_loaded(ctx.loaders.practitioner_by_id, self.entity.practitioner_id,
                           lambda found: Practitioner.loaded(ctx, present(found)))

    @strawberry.field(description="Who attends.", graphql_type=list[Client])
    def clients(self, info: strawberry.Info) -> list[Client] | Awaitable[list[Client]]:
        ctx = context(info)
        return when_all_loaded(
            ctx.loaders.client_by_id, self.entity.client_ids,
            lambda found: [Client.loaded(ctx, c) for c in found if c is not None])

    @strawberry.field(description="Whose card pays for the sessions.", graphql_type=Client)
    def payer(self, info: strawberry.Info) -> Client | Awaitable[Client]:
        ctx = context(info)
        return when_loaded(ctx.loaders.client_by_id, self.entity.payer_id,
                           lambda found: Client.loaded(ctx, present(found)))

    @strawberry.field(description="The weekly times kept for this relationship.")
    async def reserved_slots(
        self, info: strawberry.Info
    ) -> list[Annotated[ReservedSlot, strawberry.lazy("schema.appointments.types")]]:
        from schema.appointments.types import ReservedSlot

        ctx = context(info)
        if ctx.viewer is None or not ctx.viewer.is_staff:
            return []  # the practice's planning, not the client's
        loader = ctx.loaders.appointments.reserved_slots_by_relationship_id
        return [ReservedSlot.from_entity(s) for s in await loader.load(self.entity.id)]

    @strawberry.field(name="sessions", description="The relationship's one-to-one sessions.")
    async def appointments(
        self, info: strawberry.Info, upcoming: Upcoming = None, first: First = None,
        after: After = None, last: Last = None, before: Before = None,
    ) -> Annotated[AppointmentConnection, strawberry.lazy("schema.appointments.types")]:
        from schema.appointments.types import appointment_page

        return await appointment_page(
            info, "appointment_pages_by_relationship_id", self.entity.id, upcoming,
            first, after, last, before,
        )

    @strawberry.field(description="The THIRD_PARTY relationship this one replaced, if any.")
    async def migrated_from(self, info: strawberry.Info) -> Relationship | None:
        return await _related(info, self.entity.migrated_from_id)

    @strawberry.field(description="The FIRST_PARTY relationship that replaced this one, if any.")
    async def migrated_to(self, info: strawberry.Info) -> Relationship | None:
        return await _related(info, self.entity.migrated_to_id)


async def _related(info: strawberry.Info, item_id: uuid.UUID | None) -> Relationship | None:
    if item_id is None:
        return None
    ctx = context(info)
    found = await ctx.loaders.relationship_by_id.load(item_id)
    if found is None or not may_see_relationship(ctx.viewer, found):
        return None
    return Relationship.from_entity(found, ctx.viewer)


@node_fetcher("Relationship")
async def _relationship_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.relationship_by_id.load(item_id)
    if found is None or not may_see_relationship(ctx.viewer, found):
        return None
    return Relationship.from_entity(found, ctx.viewer)
