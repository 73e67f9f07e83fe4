"""leaveGroupSession and groupSessionLeavePreview: ending a subscription from a date without
a transfer, with an optional credit note for the payer's next monthly invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.groups import leaving
from schema.billing.credit_note_types import CreditNote, money
from schema.clients.inputs import given, node_id
from schema.groups.types import GroupSubscription
from schema.shared.common import (
    Money,
    UserError,
    context,
    refusals_as_query_errors,
    refusals_as_user_errors,
)


@strawberry.input(description="A credit note for the payer, issued with leaving.")
class LeaveCreditInput:
    amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="What to credit; the suggested credit when "
        "not given.")
    reason: str | None = strawberry.field(
        default=strawberry.UNSET, description="The credit line's text; by default the "
        "group session's name and the date left.")


@strawberry.input(description="End a group session subscription from a date, without a "
                  "transfer.")
class LeaveGroupSessionInput:
    subscription_id: strawberry.ID = strawberry.field(description="The subscription to end.")
    leave_date: date = strawberry.field(
        description="A date of its session that it attends; the client is unenrolled from "
        "it on, and billed for no date from then on.")
    credit: LeaveCreditInput | None = strawberry.field(
        default=strawberry.UNSET, description="Issue a credit note for the payer's next "
        "monthly invoices; without it, nothing is credited.")


@strawberry.type(description="The ended subscription, the suggested credit and any credit "
                 "note issued.")
class LeaveGroupSessionPayload:
    subscription: GroupSubscription | None = strawberry.field(
        default=None, description="The subscription, ENDED on the date left.")
    suggested_credit: Money | None = strawberry.field(
        default=None, description="What the invoiced dates from the date left were billed "
        "at (as in sessionTransferPreview).")
    credit_note: CreditNote | None = strawberry.field(
        default=None, description="The credit note issued, when `credit` was given.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed, if so.")


@strawberry.type(description="What leaving a group session on a date would credit.")
class LeavePreview:
    suggested_credit: Money = strawberry.field(
        description="What the invoiced dates from that date on were billed at.")


@strawberry.type
class LeaveQueries:
    @strawberry.field(description="The suggested credit for leaving a group session on a "
                      "date; the same refusals as leaveGroupSession, and changes nothing.")
    @refusals_as_query_errors
    async def group_session_leave_preview(
        self, info: strawberry.Info,
        subscription_id: Annotated[strawberry.ID, strawberry.argument(
            description="The subscription that would end.")],
        leave_date: Annotated[date, strawberry.argument(
            description="The date it would end on.")],
    ) -> LeavePreview | None:
        credit = await leaving.leave_preview(
            context(info), node_id(subscription_id, "SessionSubscription"), leave_date)
        return LeavePreview(suggested_credit=money(credit))


@strawberry.type
class LeaveMutations:
    @strawberry.mutation(description="End a subscription from a date with no new one (the "
                         "client is unenrolled from it on), optionally with a credit note.")
    @refusals_as_user_errors(LeaveGroupSessionPayload)
    async def leave_group_session(
        self, info: strawberry.Info,
        input: Annotated[LeaveGroupSessionInput, strawberry.argument(
            description="Which subscription, from when, and any credit.")],
    ) -> LeaveGroupSessionPayload:
        credit = given(input.credit)
        request = leaving.LeaveRequest(
            subscription_id=node_id(input.subscription_id, "SessionSubscription"),
            leave_date=input.leave_date,
            credit=None if credit is None else leaving.CreditRequest(
                amount=given(credit.amount), reason=given(credit.reason)),
        )
        done = await leaving.leave_group_session(context(info), request)
        return LeaveGroupSessionPayload(
            subscription=GroupSubscription.from_entity(done.subscription),
            suggested_credit=money(done.suggested_credit),
            credit_note=CreditNote.from_entity(done.credit_note) if done.credit_note else None,
        )
