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
    UserError,
    Weekday,
    context,
    refusals_as_query_errors,
    refusals_as_user_errors,
)


@strawberry.input
class CreateServiceInput:
    name: str
    description: str | None = strawberry.UNSET


@strawberry.type
class ServicePayload:
    service: Service | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateGroupSessionInput:
    service_id: strawberry.ID
    name: str
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the signed-in practitioner."
    )
    weekday: Weekday  # type: ignore[valid-type]
    start_time: str
    duration_minutes: int
    capacity: int
    monthly_price: Decimal
    starts_on: date
    ends_on: date | None = strawberry.UNSET


@strawberry.type
class GroupSessionPayload:
    group_session: GroupSession | None = strawberry.field(name="session", default=None)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DiscountInput:
    percent: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Exactly one of percent and amount."
    )
    amount: Decimal | None = strawberry.UNSET
    reason: str | None = strawberry.UNSET

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


@strawberry.input(name="EnrollInSessionInput")
class EnrollInGroupSessionInput:
    client_id: strawberry.ID
    group_session_id: strawberry.ID = strawberry.field(name="sessionId")
    first_date: date
    payer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the client."
    )
    discount: DiscountInput | None = strawberry.UNSET
    checkout: Checkout  # type: ignore[valid-type]
    idempotency_key: str | None = strawberry.UNSET


@strawberry.type
class EnrollmentPayload:
    subscription: GroupSubscription | None = None
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(name="TransferSessionInput")
class TransferGroupSessionInput:
    subscription_id: strawberry.ID
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
    discount: DiscountInput | None = strawberry.UNSET
    checkout: Checkout  # type: ignore[valid-type]
    idempotency_key: str | None = strawberry.UNSET


@strawberry.type(name="TransferSessionPayload")
class TransferGroupSessionPayload:
    ended_subscription: GroupSubscription | None = None
    subscription: GroupSubscription | None = None
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


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
        self, info: strawberry.Info, subscription_id: strawberry.ID, transfer_date: date,
        to_group_session_id: Annotated[strawberry.ID, strawberry.argument(name="toSessionId")],
        first_date: date,
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
    @strawberry.mutation
    @refusals_as_user_errors(ServicePayload)
    async def create_service(
        self, info: strawberry.Info, input: CreateServiceInput
    ) -> ServicePayload:
        service = await group_sessions.create_service(
            context(info), input.name, given(input.description)
        )
        return ServicePayload(service=Service.from_entity(service))

    @strawberry.mutation
    @refusals_as_user_errors(GroupSessionPayload)
    async def create_group_session(
        self, info: strawberry.Info, input: CreateGroupSessionInput
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

    @strawberry.mutation(name="enrollInSession")
    @refusals_as_user_errors(EnrollmentPayload)
    async def enroll_in_group_session(
        self, info: strawberry.Info, input: EnrollInGroupSessionInput
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

    @strawberry.mutation(name="transferSession")
    @refusals_as_user_errors(TransferGroupSessionPayload)
    async def transfer_group_session(
        self, info: strawberry.Info, input: TransferGroupSessionInput
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
