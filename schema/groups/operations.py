"""services and sessionTransferPreview; createService, createGroupSession, enrollInSession and
transferSession."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.groups import enrolment, group_sessions
from schema.billing.enums import Checkout
from schema.billing.invoice_types import Invoice
from schema.clients.inputs import given, node_id, optional_node_id
from schema.groups.types import GroupSession, GroupSubscription, Service, TransferPreview
from schema.shared.common import (
    IDEMPOTENCY_KEY,
    UserError,
    Weekday,
    context,
    refusals_as_query_errors,
    refusals_as_user_errors,
)


@strawberry.input(description="A new service.")
class CreateServiceInput:
    name: str = strawberry.field(description="The service's name.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="What the service is, for clients.",
    )


@strawberry.type(description="The answer to createService.")
class ServicePayload:
    service: Service | None = strawberry.field(
        default=None,
        description="The new service; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.input(description="A new weekly group session.")
class CreateGroupSessionInput:
    service_id: strawberry.ID = strawberry.field(description="The service it belongs to.")
    name: str = strawberry.field(description="Its name, e.g. Tuesday Yoga.")
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the signed-in practitioner."
    )
    weekday: Weekday = strawberry.field(  # type: ignore[valid-type]
        description="The day it meets, in the practitioner's timezone.",
    )
    start_time: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM.",
    )
    duration_minutes: int = strawberry.field(
        description="Length of each meeting in minutes, 5 to 480.",
    )
    capacity: int = strawberry.field(
        description="How many clients it takes on any date, 1 to 1000.",
    )
    monthly_price: Decimal = strawberry.field(
        description="The price of a full calendar month, in the practice currency.",
    )
    starts_on: date = strawberry.field(description="The first date it may meet.")
    ends_on: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="The last date it may meet; open-ended when not given.",
    )


@strawberry.type(description="The answer to createGroupSession.")
class GroupSessionPayload:
    group_session: GroupSession | None = strawberry.field(
        name="session",
        default=None,
        description="The new group session; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.input(description="A discount on an invoice: a percent or an amount off its subtotal.")
class DiscountInput:
    percent: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Exactly one of percent and amount."
    )
    amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "An amount off, in the practice currency, more than 0 and at most the subtotal."
        ),
    )
    reason: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Why, printed on the invoice (at most 200 characters).",
    )

    def to_request(self) -> enrolment.DiscountRequest:
        return enrolment.DiscountRequest(given(self.percent), given(self.amount),
                                         given(self.reason))


def _prime(info: strawberry.Info, done: enrolment.Enrolment) -> None:
    """What the mutation wrote is what the payload's fields would load again."""
    if done.group_session is None:
        return
    loaders = context(info).loaders.group_sessions
    loaders.group_session_by_id.prime(done.group_session.id, done.group_session)
    loaders.invoices_by_subscription_id.prime(done.subscription.id, [done.invoice])
    for subscription in (done.subscription, done.ended):
        if subscription is not None:
            loaders.subscription_by_id.prime(subscription.id, subscription)


def _discount(value: DiscountInput | None) -> enrolment.DiscountRequest | None:
    found = given(value)
    return found.to_request() if found is not None else None


@strawberry.input(
    name="EnrollInSessionInput",
    description="A client to subscribe to a group session.",
)
class EnrollInGroupSessionInput:
    client_id: strawberry.ID = strawberry.field(description="The client who attends.")
    group_session_id: strawberry.ID = strawberry.field(
        name="sessionId",
        description="The group session.",
    )
    first_date: date = strawberry.field(
        description="A date of the session; the client attends from it on.",
    )
    payer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the client."
    )
    discount: DiscountInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="A discount on the first invoice.",
    )
    checkout: Checkout = strawberry.field(description="How the first invoice is settled.")  # type: ignore[valid-type]
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.type(description="The answer to enrollInSession.")
class EnrollmentPayload:
    subscription: GroupSubscription | None = strawberry.field(
        default=None,
        description="The new subscription; null when refused.",
    )
    invoice: Invoice | None = strawberry.field(
        default=None,
        description="The first month's invoice, checked out as asked; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the enrolment was refused; empty on success.",
    )


@strawberry.input(
    name="TransferSessionInput",
    description="A subscription to move to another group session.",
)
class TransferGroupSessionInput:
    subscription_id: strawberry.ID = strawberry.field(description="The ACTIVE subscription to end.")
    transfer_date: date = strawberry.field(
        description="A date of the current session; the client is unenrolled from it on."
    )
    to_group_session_id: strawberry.ID = strawberry.field(
        name="toSessionId",
        description="A session of the same service or of another one."
    )
    first_date: date = strawberry.field(
        description="A date of the new session; the new subscription starts on it."
    )
    discount: DiscountInput | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "A discount on the new subscription's invoice, e.g. the preview's suggestedCredit as "
            "an amount."
        ),
    )
    checkout: Checkout = strawberry.field(  # type: ignore[valid-type]
        description="How the new subscription's invoice is settled.",
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.type(name="TransferSessionPayload", description="The answer to transferSession.")
class TransferGroupSessionPayload:
    ended_subscription: GroupSubscription | None = strawberry.field(
        default=None,
        description="The subscription ended on transferDate; null when refused.",
    )
    subscription: GroupSubscription | None = strawberry.field(
        default=None,
        description="The new subscription; null when refused.",
    )
    invoice: Invoice | None = strawberry.field(
        default=None,
        description="The new subscription's first invoice; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the transfer was refused; empty on success.",
    )


@strawberry.type
class GroupSessionQueries:
    @strawberry.field(description="The practice's services and their weekly group sessions.")
    async def services(self, info: strawberry.Info) -> list[Service]:
        return [Service.from_entity(s) for s in await group_sessions.services(context(info))]

    @strawberry.field(
        name="sessionTransferPreview",
        description="What transferSession would start with: the new subscription's first "
        "invoice lines (before any discount), a suggested credit for the already-invoiced "
        "dates the client will no longer attend, and the new session's next dates."
    )
    @refusals_as_query_errors
    async def group_session_transfer_preview(
        self,
        info: strawberry.Info,
        subscription_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The ACTIVE subscription to move."),
        ],
        transfer_date: Annotated[
            date,
            strawberry.argument(
                description="A date of the current session; the client attends none from it on.",
            ),
        ],
        to_group_session_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                name="toSessionId",
                description="The group session to move to, of the same service or another.",
            ),
        ],
        first_date: Annotated[
            date,
            strawberry.argument(
                description="A date of the new session; the new subscription starts on it.",
            ),
        ],
    ) -> TransferPreview | None:
        request = group_sessions.PreviewRequest(
            node_id(subscription_id, "SessionSubscription"), transfer_date,
            node_id(to_group_session_id, "GroupSession"), first_date,
        )
        return TransferPreview.from_domain(
            await group_sessions.transfer_preview(context(info), request)
        )


@strawberry.type
class GroupSessionMutations:
    @strawberry.mutation(
        description=(
            "Staff only: add a service, an offering whose group sessions clients subscribe to."
        ),
    )
    @refusals_as_user_errors(ServicePayload)
    async def create_service(
        self,
        info: strawberry.Info,
        input: Annotated[CreateServiceInput, strawberry.argument(description="The new service.")],
    ) -> ServicePayload:
        service = await group_sessions.create_service(
            context(info), input.name, given(input.description)
        )
        return ServicePayload(service=Service.from_entity(service))

    @strawberry.mutation(description="Staff only: add a weekly group session to a service.")
    @refusals_as_user_errors(GroupSessionPayload)
    async def create_group_session(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateGroupSessionInput,
            strawberry.argument(description="The new group session."),
        ],
    ) -> GroupSessionPayload:
        request = group_sessions.GroupSessionRequest(
            service_id=node_id(input.service_id, "Service"),
            name=input.name,
            practitioner_id=optional_node_id(given(input.practitioner_id), "Practitioner"),
            weekday=input.weekday,
            start_time=input.start_time,
            duration_minutes=input.duration_minutes,
            capacity=input.capacity,
            monthly_price=input.monthly_price,
            starts_on=input.starts_on,
            ends_on=given(input.ends_on),
        )
        group_session = await group_sessions.create_group_session(context(info), request)
        return GroupSessionPayload(group_session=GroupSession.from_entity(group_session))

    @strawberry.mutation(
        name="enrollInSession",
        description=(
            "Staff only: subscribe a client to a group session from a date, and invoice the first "
            "month (pro-rated), checked out as asked. SESSION_FULL when a date has no free place."
        ),
    )
    @refusals_as_user_errors(EnrollmentPayload)
    async def enroll_in_group_session(
        self,
        info: strawberry.Info,
        input: Annotated[
            EnrollInGroupSessionInput,
            strawberry.argument(
                description="Who, which session, from when, and how the first invoice is paid.",
            ),
        ],
    ) -> EnrollmentPayload:
        request = enrolment.EnrolmentRequest(
            client_id=node_id(input.client_id, "Client"),
            group_session_id=node_id(input.group_session_id, "GroupSession"),
            first_date=input.first_date,
            payer_id=optional_node_id(given(input.payer_id), "Client"),
            discount=_discount(input.discount),
            checkout=input.checkout,
            idempotency_key=given(input.idempotency_key),
        )
        done = await enrolment.enroll_in_group_session(context(info), request)
        _prime(info, done)
        return EnrollmentPayload(subscription=GroupSubscription.from_entity(done.subscription),
                                 invoice=Invoice.from_entity(done.invoice))

    @strawberry.mutation(
        name="transferSession",
        description=(
            "Staff only: end a subscription on a date of its session and start one on a date of "
            "another session, with the new subscription's invoice checked out as asked; all or "
            "nothing."
        ),
    )
    @refusals_as_user_errors(TransferGroupSessionPayload)
    async def transfer_group_session(
        self,
        info: strawberry.Info,
        input: Annotated[
            TransferGroupSessionInput,
            strawberry.argument(
                description=(
                    "The subscription, the two dates, the new session, and how its invoice is "
                    "paid."
                ),
            ),
        ],
    ) -> TransferGroupSessionPayload:
        request = enrolment.TransferRequest(
            subscription_id=node_id(input.subscription_id, "SessionSubscription"),
            transfer_date=input.transfer_date,
            to_group_session_id=node_id(input.to_group_session_id, "GroupSession"),
            first_date=input.first_date,
            discount=_discount(input.discount),
            checkout=input.checkout,
            idempotency_key=given(input.idempotency_key),
        )
        done = await enrolment.transfer_group_session(context(info), request)
        _prime(info, done)
        assert done.ended is not None
        return TransferGroupSessionPayload(
            ended_subscription=GroupSubscription.from_entity(done.ended),
            subscription=GroupSubscription.from_entity(done.subscription),
            invoice=Invoice.from_entity(done.invoice),
        )
