"""setCancellationPolicy."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.appointments import cancellation_policy
from schema.accounts.types import Practice
from schema.shared.common import UserError, context, refusals_as_user_errors


@strawberry.input(description="One tier of a cancellation policy.")
class CancellationFeeTierInput:
    within_hours: int = strawberry.field(
        description="Cancellations with this many hours' notice or less (1 to 720).")
    percent: Decimal = strawberry.field(
        description="Share of the price charged: above 0, at most 100, 2 decimal places.")


@strawberry.input(description="The practice's new cancellation fee tiers.")
class SetCancellationPolicyInput:
    tiers: list[CancellationFeeTierInput] = strawberry.field(
        description="1 to 6 tiers in any order, each with hours of its own; less notice "
        "must cost a higher percent, and the longest tier is at least 2 hours. The longest "
        "becomes cancellationNoticeHours.")


@strawberry.type(description="The practice with its new policy, or why nothing changed.")
class SetCancellationPolicyPayload:
    practice: Practice | None = strawberry.field(default=None,
                                                 description="The practice, changed.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed.")


@strawberry.type
class CancellationPolicyMutations:
    @strawberry.mutation(description="The owner sets the practice's cancellation fee tiers. "
                         "Sessions booked before keep the tiers they were booked under.")
    @refusals_as_user_errors(SetCancellationPolicyPayload)
    async def set_cancellation_policy(
        self, info: strawberry.Info,
        input: Annotated[SetCancellationPolicyInput,
                         strawberry.argument(description="The tiers.")],
    ) -> SetCancellationPolicyPayload:
        practice = await cancellation_policy.set_cancellation_policy(
            context(info), [(t.within_hours, t.percent) for t in input.tiers])
        return SetCancellationPolicyPayload(practice=Practice.from_entity(practice))
