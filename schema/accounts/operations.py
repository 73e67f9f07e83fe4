"""registerPractice, verifyEmail, signIn, addPractitioner, setWorkingHours."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from graphql import GraphQLError

from resolvers.accounts import practice as accounts
from resolvers.accounts import registration
from resolvers.accounts.sign_in_guard import SignInPaused
from schema.accounts.types import Practitioner, Viewer
from schema.clients.inputs import given, optional_node_id
from schema.shared.common import UserError, Weekday, context, refusals_as_user_errors


@strawberry.input
class RegisterPracticeInput:
    practice_name: str
    name: str
    email: str
    password: str
    timezone: str
    currency: str = "GBP"
    appointment_price: Decimal | None = strawberry.field(
        name="sessionPrice", default=strawberry.UNSET,
        description="The owner's price per session, in the practice currency (0 if not given).",
    )


@strawberry.input
class VerifyEmailInput:
    token: str


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.type
class AuthPayload:
    access_token: str | None = None
    viewer: Viewer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AddPractitionerInput:
    name: str
    email: str
    password: str
    timezone: str | None = None
    appointment_price: Decimal | None = strawberry.field(
        name="sessionPrice", default=strawberry.UNSET,
        description="Price per session, in the practice currency (0 if not given).",
    )


@strawberry.input(name="SetSessionPriceInput")
class SetAppointmentPriceInput:
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the signed-in practitioner."
    )
    price: Decimal


@strawberry.type
class PractitionerPayload:
    practitioner: Practitioner | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class WorkingHoursInput:
    weekday: Weekday  # type: ignore[valid-type]
    start: str
    end: str


@strawberry.input
class SetWorkingHoursInput:
    hours: list[WorkingHoursInput]


def signed_in_payload(result: accounts.SignedIn) -> AuthPayload:
    return AuthPayload(access_token=result.access_token, viewer=Viewer.of(result.viewer))


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Ask for a new practice. Answers the same whether the "
                         "email is free or taken, with no token: the address is emailed a "
                         "link whose token verifyEmail takes (or, if taken, a notice).")
    @refusals_as_user_errors(AuthPayload)
    async def register_practice(
        self, info: strawberry.Info, input: RegisterPracticeInput
    ) -> AuthPayload:
        await registration.register(
            context(info), practice_name=input.practice_name, name=input.name,
            email=input.email, password=input.password, timezone=input.timezone,
            currency=input.currency, appointment_price=given(input.appointment_price),
        )
        return AuthPayload()

    @strawberry.mutation(description="Open the practice a registration's emailed link stands "
                         "for, and sign its owner in. The link works once.")
    @refusals_as_user_errors(AuthPayload)
    async def verify_email(self, info: strawberry.Info, input: VerifyEmailInput) -> AuthPayload:
        result = await registration.verify_email(context(info), token=input.token)
        return signed_in_payload(result)

    @strawberry.mutation
    @refusals_as_user_errors(AuthPayload)
    async def sign_in(self, info: strawberry.Info, input: SignInInput) -> AuthPayload:
        try:
            result = await accounts.sign_in(
                context(info), email=input.email, password=input.password)
        except SignInPaused as paused:  # a limit, not bad input: a top-level error
            raise GraphQLError(str(paused), extensions={
                "code": "RATE_LIMITED", "retryAfter": paused.retry_after}) from None
        return signed_in_payload(result)

    @strawberry.mutation
    @refusals_as_user_errors(PractitionerPayload)
    async def add_practitioner(
        self, info: strawberry.Info, input: AddPractitionerInput
    ) -> PractitionerPayload:
        practitioner = await accounts.add_practitioner(
            context(info), name=input.name, email=input.email, password=input.password,
            timezone=input.timezone, appointment_price=given(input.appointment_price),
        )
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))

    @strawberry.mutation(name="setSessionPrice",
                         description="Change a practitioner's session price (booked sessions "
                         "keep the price they were booked at).")
    @refusals_as_user_errors(PractitionerPayload)
    async def set_appointment_price(
        self, info: strawberry.Info, input: SetAppointmentPriceInput
    ) -> PractitionerPayload:
        practitioner = await accounts.set_appointment_price(
            context(info), optional_node_id(given(input.practitioner_id), "Practitioner"),
            input.price,
        )
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))

    @strawberry.mutation
    @refusals_as_user_errors(PractitionerPayload)
    async def set_working_hours(
        self, info: strawberry.Info, input: SetWorkingHoursInput
    ) -> PractitionerPayload:
        hours = [(h.weekday, h.start, h.end) for h in input.hours]
        practitioner = await accounts.set_working_hours(context(info), hours)
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))
