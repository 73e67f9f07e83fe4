"""registerPractice, verifyEmail, signIn, addPractitioner, setWorkingHours."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from graphql import GraphQLError

from resolvers.accounts import practice as accounts
from resolvers.accounts import registration
from resolvers.accounts.sign_in_guard import SignInPaused
from schema.accounts.types import Practitioner, Viewer
from schema.clients.inputs import given, optional_node_id
from schema.shared.common import UserError, Weekday, context, refusals_as_user_errors


@strawberry.input(description="A new practice and its owner.")
class RegisterPracticeInput:
    practice_name: str = strawberry.field(
        description="The practice's name, as clients will see it.",
    )
    name: str = strawberry.field(description="The owner's full name.")
    email: str = strawberry.field(
        description="The owner's email: the sign-in, and where the verification link goes.",
    )
    password: str = strawberry.field(description="The owner's password, at least 10 characters.")
    timezone: str = strawberry.field(
        description="The practice's IANA timezone, e.g. Europe/London.",
    )
    currency: str = strawberry.field(
        default="GBP",
        description="ISO 4217 code of the practice's currency, e.g. GBP.",
    )
    appointment_price: Decimal | None = strawberry.field(
        name="sessionPrice", default=strawberry.UNSET,
        description="The owner's price per session, in the practice currency (0 if not given).",
    )


@strawberry.input(description="A registration's emailed token.")
class VerifyEmailInput:
    token: str = strawberry.field(
        description=(
            "The token from the link in the verification email; it works once, within 24 hours."
        ),
    )


@strawberry.input(description="A sign-in's email and password.")
class SignInInput:
    email: str = strawberry.field(description="The sign-in's email address.")
    password: str = strawberry.field(description="The sign-in's password.")


@strawberry.type(description="The answer to a sign-in: a token and the viewer, or userErrors.")
class AuthPayload:
    access_token: str | None = strawberry.field(
        default=None,
        description=(
            "A signed access token to send as `Authorization: Bearer <accessToken>`; it expires "
            "(8 hours by default). Null when refused, and from registerPractice, which answers no "
            "token."
        ),
    )
    viewer: Viewer | None = strawberry.field(
        default=None,
        description="Who the token signs in as; null when refused or not signed in yet.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the operation was refused; empty on success.",
    )


@strawberry.input(description="A new practitioner of the signed-in owner's practice.")
class AddPractitionerInput:
    name: str = strawberry.field(description="The practitioner's full name.")
    email: str = strawberry.field(
        description="The practitioner's sign-in email; EMAIL_TAKEN if another sign-in uses it.",
    )
    password: str = strawberry.field(
        description="The practitioner's first password, at least 10 characters.",
    )
    timezone: str | None = strawberry.field(
        default=None,
        description="IANA timezone, e.g. Europe/London; defaults to the practice's.",
    )
    appointment_price: Decimal | None = strawberry.field(
        name="sessionPrice", default=strawberry.UNSET,
        description="Price per session, in the practice currency (0 if not given).",
    )


@strawberry.input(
    name="SetSessionPriceInput",
    description=(
        "A practitioner's new price per session. A practitioner sets their own; the owner "
        "anyone's."
    ),
)
class SetAppointmentPriceInput:
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the signed-in practitioner."
    )
    price: Decimal = strawberry.field(
        description=(
            "The new price per session in the practice currency: not negative, with no more "
            "decimal places than the currency has."
        ),
    )


@strawberry.type(description="The answer to a practitioner mutation.")
class PractitionerPayload:
    practitioner: Practitioner | None = strawberry.field(
        default=None,
        description="The practitioner as changed; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.input(description="One weekly working period.")
class WorkingHoursInput:
    weekday: Weekday = strawberry.field(  # type: ignore[valid-type]
        description="The day of the week, in the practitioner's timezone.",
    )
    start: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM.",
    )
    end: str = strawberry.field(
        description="Local wall-clock time in the practitioner's timezone, HH:MM; after start.",
    )


@strawberry.input(description="A practitioner's whole week of working hours.")
class SetWorkingHoursInput:
    hours: list[WorkingHoursInput] = strawberry.field(
        description=(
            "Every working period of the week; several a day are allowed, overlaps are refused."
        ),
    )


def signed_in_payload(result: accounts.SignedIn) -> AuthPayload:
    return AuthPayload(access_token=result.access_token, viewer=Viewer.of(result.viewer))


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Ask for a new practice. Answers the same whether the "
                         "email is free or taken, with no token: the address is emailed a "
                         "link whose token verifyEmail takes (or, if taken, a notice).")
    @refusals_as_user_errors(AuthPayload)
    async def register_practice(
        self,
        info: strawberry.Info,
        input: Annotated[
            RegisterPracticeInput,
            strawberry.argument(description="The practice to open and its owner's sign-in."),
        ],
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
    async def verify_email(
        self,
        info: strawberry.Info,
        input: Annotated[
            VerifyEmailInput,
            strawberry.argument(description="The token from the registration email's link."),
        ],
    ) -> AuthPayload:
        result = await registration.verify_email(context(info), token=input.token)
        return signed_in_payload(result)

    @strawberry.mutation(
        description=(
            "Sign in with email and password; the answer's accessToken goes in the Authorization "
            "header as `Bearer <accessToken>`. Wrong details answer INVALID_CREDENTIALS; after "
            "repeated failures the top-level error RATE_LIMITED says in extensions.retryAfter how "
            "many seconds to wait."
        ),
    )
    @refusals_as_user_errors(AuthPayload)
    async def sign_in(
        self,
        info: strawberry.Info,
        input: Annotated[
            SignInInput,
            strawberry.argument(
                description="The email and password of a practitioner's or a client's sign-in.",
            ),
        ],
    ) -> AuthPayload:
        try:
            result = await accounts.sign_in(
                context(info), email=input.email, password=input.password)
        except SignInPaused as paused:  # a limit, not bad input: a top-level error
            raise GraphQLError(str(paused), extensions={
                "code": "RATE_LIMITED", "retryAfter": paused.retry_after}) from None
        return signed_in_payload(result)

    @strawberry.mutation(
        description="Owner only: add a practitioner with a sign-in of their own to the practice.",
    )
    @refusals_as_user_errors(PractitionerPayload)
    async def add_practitioner(
        self,
        info: strawberry.Info,
        input: Annotated[
            AddPractitionerInput,
            strawberry.argument(description="The new practitioner and their sign-in."),
        ],
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
        self,
        info: strawberry.Info,
        input: Annotated[
            SetAppointmentPriceInput,
            strawberry.argument(description="Whose price, and the new one."),
        ],
    ) -> PractitionerPayload:
        practitioner = await accounts.set_appointment_price(
            context(info), optional_node_id(given(input.practitioner_id), "Practitioner"),
            input.price,
        )
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))

    @strawberry.mutation(
        description=(
            "Replace the signed-in practitioner's weekly working hours with these (an empty list "
            "clears them). Staff only."
        ),
    )
    @refusals_as_user_errors(PractitionerPayload)
    async def set_working_hours(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetWorkingHoursInput,
            strawberry.argument(description="The whole new week of working hours."),
        ],
    ) -> PractitionerPayload:
        hours = [(h.weekday, h.start, h.end) for h in input.hours]
        practitioner = await accounts.set_working_hours(context(info), hours)
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))
