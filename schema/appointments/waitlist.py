"""joinWaitlist, joinGroupWaitlist, leaveWaitlist, claimWaitlistOffer and myWaitlistEntries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from resolvers.appointments import waitlist
from resolvers.groups import waitlist as group_waitlist
from schema.appointments.types import Appointment
from schema.appointments.waitlist_types import WaitlistEntry
from schema.clients.inputs import given, node_id, optional_node_id
from schema.groups.types import GroupSubscription
from schema.shared.common import UserError, context, refusals_as_user_errors

INPUT = strawberry.argument(description="What the mutation acts on.")


@strawberry.input(description="In line for a time with the relationship's practitioner.")
class JoinWaitlistInput:
    relationship_id: strawberry.ID = strawberry.field(
        description="An ACTIVE relationship: a claimed time is booked in it.")
    earliest: datetime = strawberry.field(name="from",
                                          description="The earliest start wanted.")
    latest: datetime = strawberry.field(
        name="to", description="The latest end wanted; at most 92 days after from.")


@strawberry.input(description="In line for a place in a full group session from a date.")
class JoinGroupWaitlistInput:
    group_session_id: strawberry.ID = strawberry.field(
        name="sessionId", description="The group session.")
    first_date: date = strawberry.field(
        description="A date of the session it is full on; the place is wanted from then on.")
    client_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Who the place is for (staff); a signed-in client waits for themselves.")


@strawberry.input(description="Off the waitlist.")
class LeaveWaitlistInput:
    entry_id: strawberry.ID = strawberry.field(description="The entry to take off.")


@strawberry.input(description="Claim what a waitlist offer holds.")
class ClaimWaitlistOfferInput:
    token: str = strawberry.field(description="The token of the emailed claim link.")
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A retry with the same key answers the first claim.")


@strawberry.type(description="An entry joined or left.")
class WaitlistEntryPayload:
    entry: WaitlistEntry | None = strawberry.field(default=None, description="The entry.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed.")


@strawberry.type(description="What claiming booked.")
class ClaimWaitlistOfferPayload:
    appointment: Appointment | None = strawberry.field(
        name="session", default=None, description="The session booked (a time offered).")
    subscription: GroupSubscription | None = strawberry.field(
        default=None, description="The subscription started (a group place offered); its "
        "first month's invoice is OPEN.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was booked.")


@strawberry.type
class WaitlistMutations:
    @strawberry.mutation(description="A client (for a relationship they attend or pay for) or "
                         "the practice joins the waitlist for the practitioner's times in a "
                         "range. A time freed inside it is offered by email, first come first.")
    @refusals_as_user_errors(WaitlistEntryPayload)
    async def join_waitlist(
        self, info: strawberry.Info, input: Annotated[JoinWaitlistInput, INPUT]
    ) -> WaitlistEntryPayload:
        entry = await waitlist.join_waitlist_for_times(
            context(info), node_id(input.relationship_id, "Relationship"), input.earliest,
            input.latest)
        return WaitlistEntryPayload(entry=WaitlistEntry.from_entity(entry))

    @strawberry.mutation(description="Join the waitlist of a group session full on a date; a "
                         "place freeing from then on is offered by email, first come first.")
    @refusals_as_user_errors(WaitlistEntryPayload)
    async def join_group_waitlist(
        self, info: strawberry.Info, input: Annotated[JoinGroupWaitlistInput, INPUT]
    ) -> WaitlistEntryPayload:
        entry = await group_waitlist.join_waitlist_for_group(
            context(info), node_id(input.group_session_id, "GroupSession"), input.first_date,
            optional_node_id(given(input.client_id), "Client"))
        return WaitlistEntryPayload(entry=WaitlistEntry.from_entity(entry))

    @strawberry.mutation(description="Take an entry off the waitlist; an open offer goes to "
                         "the next in line.")
    @refusals_as_user_errors(WaitlistEntryPayload)
    async def leave_waitlist(
        self, info: strawberry.Info, input: Annotated[LeaveWaitlistInput, INPUT]
    ) -> WaitlistEntryPayload:
        entry = await waitlist.leave_waitlist(context(info),
                                              node_id(input.entry_id, "WaitlistEntry"))
        return WaitlistEntryPayload(entry=WaitlistEntry.from_entity(entry))

    @strawberry.mutation(description="Claim a waitlist offer by its emailed link (no sign-in): "
                         "books the time under the usual rules (a card on file, the "
                         "cancellation policy in force), or enrols in the group place. "
                         "INVALID_TOKEN once claimed, expired or made up.")
    @refusals_as_user_errors(ClaimWaitlistOfferPayload)
    async def claim_waitlist_offer(
        self, info: strawberry.Info, input: Annotated[ClaimWaitlistOfferInput, INPUT]
    ) -> ClaimWaitlistOfferPayload:
        ctx = context(info)
        claimed = await waitlist.claim_offer(ctx, input.token, given(input.idempotency_key))
        subscription = None
        if claimed.subscription_id is not None:
            async with ctx.reading() as uow:
                found = await uow.subscriptions.get(claimed.subscription_id)
            subscription = GroupSubscription.from_entity(found) if found else None
        return ClaimWaitlistOfferPayload(
            appointment=Appointment.from_entity(claimed.appointment)
            if claimed.appointment else None,
            subscription=subscription)


@strawberry.type
class WaitlistQueries:
    @strawberry.field(description="For a signed-in client: their entries still in line "
                      "(at most 10).")
    async def my_waitlist_entries(self, info: strawberry.Info) -> list[WaitlistEntry]:
        found = await waitlist.my_waitlist_entries(context(info))
        return [WaitlistEntry.from_entity(entry) for entry in found]
