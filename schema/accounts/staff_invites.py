"""invitePractitioner, revokePractitionerInvite and acceptPractitionerInvite: staff join a
practice only by accepting an emailed link, with a sign-in of their own."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.accounts import staff_invites
from resolvers.accounts.sign_in_guard import SignInPaused
from schema.accounts.operations import (
    AuthPayload,
    PractitionerPayload,
    rate_limited,
    signed_in_payload,
)
from schema.accounts.types import Practitioner
from schema.clients.inputs import given, node_id
from schema.shared.common import context, refusals_as_user_errors


@strawberry.input(description="A person to invite to be a practitioner of the signed-in "
                  "owner's practice.")
class InvitePractitionerInput:
    name: str = strawberry.field(description="The practitioner's full name.")
    email: str = strawberry.field(
        description="Where the invitation goes, and the sign-in it joins or opens. EMAIL_TAKEN "
        "if it already signs in to this practice; an email invited before is invited again.",
    )
    timezone: str | None = strawberry.field(
        default=None,
        description="IANA timezone, e.g. Europe/London; defaults to the practice's.",
    )
    appointment_price: Decimal | None = strawberry.field(
        name="sessionPrice", default=strawberry.UNSET,
        description="Price per session, in the practice currency (0 if not given).",
    )


@strawberry.input(description="Whose open invitation to withdraw.")
class RevokePractitionerInviteInput:
    practitioner_id: strawberry.ID = strawberry.field(
        description="The invited practitioner; INVALID_STATE if no invitation of theirs is open.",
    )


@strawberry.input(description="A practitioner invitation's token and the password to sign in "
                  "with.")
class AcceptPractitionerInviteInput:
    token: str = strawberry.field(description="The token from the invitation email's link.")
    password: str = strawberry.field(
        description="For an email that already signs in to Caseload, that account's password "
        "(INVALID_CREDENTIALS otherwise); for a new one, the password to choose, at least 10 "
        "characters.",
    )


@strawberry.type
class StaffInviteMutations:
    @strawberry.mutation(
        description="Owner only: email a person a link (single use, valid for 7 days) to become "
        "a practitioner of the practice. The practitioner is on file at once, but nobody signs "
        "in as them until the link is accepted; a new invitation replaces older links.",
    )
    @refusals_as_user_errors(PractitionerPayload)
    async def invite_practitioner(
        self, info: strawberry.Info,
        input: Annotated[InvitePractitionerInput, strawberry.argument(
            description="Who to invite.")],
    ) -> PractitionerPayload:
        practitioner = await staff_invites.invite_practitioner(
            context(info), name=input.name, email=input.email, timezone=input.timezone,
            appointment_price=given(input.appointment_price))
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))

    @strawberry.mutation(
        description="Owner only: withdraw a practitioner's open invitation; its link stops "
        "working. The practitioner stays on file, without a sign-in.",
    )
    @refusals_as_user_errors(PractitionerPayload)
    async def revoke_practitioner_invite(
        self, info: strawberry.Info,
        input: Annotated[RevokePractitionerInviteInput, strawberry.argument(
            description="Whose invitation.")],
    ) -> PractitionerPayload:
        practitioner = await staff_invites.revoke_invite(
            context(info), node_id(input.practitioner_id, "Practitioner"))
        return PractitionerPayload(practitioner=Practitioner.from_entity(practitioner))

    @strawberry.mutation(
        description="Accept a practitioner invitation and sign in as that practice's "
        "practitioner. A sign-in that exists keeps its password and gains the membership "
        "(see Viewer.memberships and switchMembership); its wrong passwords count towards "
        "the sign-in pause (RATE_LIMITED, as signIn). INVALID_TOKEN for a used, withdrawn, "
        "replaced, expired or made-up link.",
    )
    @refusals_as_user_errors(AuthPayload)
    async def accept_practitioner_invite(
        self, info: strawberry.Info,
        input: Annotated[AcceptPractitionerInviteInput, strawberry.argument(
            description="The emailed link's token and the password.")],
    ) -> AuthPayload:
        try:
            result = await staff_invites.accept_invite(
                context(info), token=input.token, password=input.password)
        except SignInPaused as paused:
            raise rate_limited(paused) from None
        return signed_in_payload(result)
