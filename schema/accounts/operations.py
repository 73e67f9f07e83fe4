"""registerPractice, verifyEmail, signIn, switchMembership, password recovery, addPractitioner,
setWorkingHours."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from graphql import GraphQLError

from resolvers.accounts import practice as accounts
from resolvers.accounts import recovery, registration
from resolvers.accounts.sign_in_guard import SignInPaused
from schema.accounts.types import Practitioner, Viewer
from schema.clients.inputs import given, optional_node_id
from schema.shared.common import UserError, Weekday, context, refusals_as_user_errors
from schema.shared.ids import decode_id


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


@strawberry.input(description="Who forgot their password.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="The email the account signs in with.")


@strawberry.input(description="A new password, with the emailed reset link's token.")
class ResetPasswordInput:
    token: str = strawberry.field(
        description="The `token` parameter of the link requestPasswordReset emailed.")
    password: str = strawberry.field(description="The new password.")


@strawberry.input(description="A new password for the signed-in account.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(description="The password to use from now on.")


@strawberry.input(description="Which of the viewer's memberships to act as.")
class SwitchMembershipInput:
    membership_id: strawberry.ID = strawberry.field(
        description="A `Viewer.memberships` id of the signed-in account.")


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
        description="The practitioner's sign-in email. An email that already signs in "
        "elsewhere is sent an invitation to accept instead (as invitePractitioner), and its "
        "password stays its own; EMAIL_TAKEN if it already signs in to this practice.",
    )
    password: str = strawberry.field(
        description="The practitioner's first password, at least 10 characters; not used for "
        "an email that already signs in.",
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


def rate_limited(paused: SignInPaused) -> GraphQLError:
    """A limit, not bad input: a top-level error."""
    return GraphQLError(str(paused), extensions={
        "code": "RATE_LIMITED", "retryAfter": paused.retry_after})


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
        except SignInPaused as paused:
            raise rate_limited(paused) from None
        return signed_in_payload(result)

    @strawberry.mutation(description="An access token for another membership of the signed-in "
                         "account (another practice, or another role), without the password. "
                         "The token sent keeps working for its own membership.")
    @refusals_as_user_errors(AuthPayload)
    async def switch_membership(
        self, info: strawberry.Info,
        input: Annotated[SwitchMembershipInput, strawberry.argument(
            description="The membership to act as.")],
    ) -> AuthPayload:
        membership_id = decode_id(str(input.membership_id), "Membership")
        result = await accounts.switch_membership(context(info), membership_id)
        return signed_in_payload(result)

    @strawberry.mutation(description="Email a password reset link (single use, valid for an "
                         "hour) to the account with this email. Answers the same, with no "
                         "token, whether or not such an account exists.")
    @refusals_as_user_errors(AuthPayload)
    async def request_password_reset(
        self, info: strawberry.Info,
        input: Annotated[RequestPasswordResetInput, strawberry.argument(
            description="Whose password to reset.")],
    ) -> AuthPayload:
        await recovery.request_password_reset(context(info), email=input.email)
        return AuthPayload()

    @strawberry.mutation(description="Set a new password with an emailed reset link, and sign "
                         "in. Every access token issued before stops working; the link "
                         "works once.")
    @refusals_as_user_errors(AuthPayload)
    async def reset_password(
        self, info: strawberry.Info,
        input: Annotated[ResetPasswordInput, strawberry.argument(
            description="The emailed link's token and the new password.")],
    ) -> AuthPayload:
        result = await recovery.reset_password(
            context(info), token=input.token, password=input.password)
        return signed_in_payload(result)

    @strawberry.mutation(description="Change the signed-in account's password (the current "
                         "one is needed). Every access token issued before stops working; "
                         "the answer carries a fresh one for this device.")
    @refusals_as_user_errors(AuthPayload)
    async def change_password(
        self, info: strawberry.Info,
        input: Annotated[ChangePasswordInput, strawberry.argument(
            description="The current password and the new one.")],
    ) -> AuthPayload:
        try:
            result = await recovery.change_password(
                context(info), current_password=input.current_password,
                new_password=input.new_password)
        except SignInPaused as paused:
            raise rate_limited(paused) from None
        return signed_in_payload(result)

    @strawberry.mutation(description="End every access token of the signed-in account, on "
                         "every device, this one's included; the answer carries a fresh one "
                         "for this device (discard it to sign out here too).")
    @refusals_as_user_errors(AuthPayload)
    async def sign_out_everywhere(self, info: strawberry.Info) -> AuthPayload:
        return signed_in_payload(await recovery.sign_out_everywhere(context(info)))

    @strawberry.mutation(
        description="Owner only: add a practitioner with a sign-in of their own to the practice. "
        "For an email that already signs in to Caseload, the practitioner is invited instead "
        "(Practitioner.invitation) and joins once they accept.",
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
