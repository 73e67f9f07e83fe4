"""The clients list; createClient, updateClient, invitations and the client's own card."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from resolvers.accounts import invites, payment_methods
from resolvers.clients import clients
from schema.accounts.operations import AuthPayload, signed_in_payload
from schema.clients.inputs import AddressInput, ClientProfileInput, node_id, profile_changes
from schema.clients.prefetch import prefetch_clients
from schema.clients.types import Client, ClientConnection, ClientEdge
from schema.shared.arguments import After, Before, First, Last
from schema.shared.common import UserError, context, refusals_as_user_errors
from schema.shared.connections import CLIENT_KEY, edges_and_info, window
from schema.shared.prefetch import selection


@strawberry.input(description="A new client's profile.")
class CreateClientInput:
    first_name: str = strawberry.field(description="The client's first name.")
    last_name: str = strawberry.field(description="The client's last name.")
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's email; EMAIL_TAKEN when another client of the practice has it.",
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "The client's phone number, e.g. +44 7911 123456; without a leading + the practice's "
            "country is assumed. Answered in E.164."
        ),
    )
    date_of_birth: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's date of birth.",
    )
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's postal address.",
    )


@strawberry.input(description="A client and the profile changes to make.")
class UpdateClientInput:
    client_id: strawberry.ID = strawberry.field(description="The client to change.")
    profile: ClientProfileInput = strawberry.field(
        description="The fields to change; those not given keep their values, and null clears one.",
    )


@strawberry.input(description="A client to invite to sign in.")
class InviteClientInput:
    client_id: strawberry.ID = strawberry.field(
        description="The client to invite; they need an email.",
    )


@strawberry.input(description="An invitation's token and the client's new password.")
class AcceptClientInviteInput:
    token: str = strawberry.field(description="The token from the invitation email's link.")
    password: str = strawberry.field(
        description="The client's new password, at least 10 characters.",
    )


@strawberry.input(description="A card to put on file for the signed-in client.")
class AddPaymentMethodInput:
    token: str = strawberry.field(
        description="A token from the payment provider's client-side SDK; never a card number."
    )


@strawberry.type(description="The answer to a client mutation.")
class ClientPayload:
    client: Client | None = strawberry.field(
        default=None,
        description="The client as changed; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


def _payload(info: strawberry.Info, client: object) -> ClientPayload:
    return ClientPayload(client=Client.from_entity(client, context(info).viewer))  # type: ignore[arg-type]


@strawberry.type
class ClientQueries:
    @strawberry.field(description="The practice's clients; by default only active ones.")
    async def clients(
        self,
        info: strawberry.Info,
        include_inactive: Annotated[
            bool,
            strawberry.argument(description="Also list clients with no ACTIVE relationship."),
        ] = False,
        search: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Only clients with every word of this in their name or email (case and "
                    "accents ignored)."
                ),
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ClientConnection:
        ctx = context(info)
        at = window(CLIENT_KEY, first, after, last, before)
        found = await clients.clients_page(
            ctx, include_inactive=include_inactive, search=search, window=at,
        )
        await prefetch_clients(ctx, found.items, selection(info).at("edges", "node"))
        edges, info_ = edges_and_info(
            found, at,
            lambda c, item: ClientEdge(cursor=c, node=Client.from_entity(item, ctx.viewer)),
        )
        return ClientConnection(edges=edges, page_info=info_, total_count=found.total)


@strawberry.type
class ClientMutations:
    @strawberry.mutation(
        description=(
            "Staff only: add a client to the practice's books. The client has no sign-in until "
            "invited."
        ),
    )
    @refusals_as_user_errors(ClientPayload)
    async def create_client(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateClientInput,
            strawberry.argument(description="The new client's profile."),
        ],
    ) -> ClientPayload:
        created = await clients.create_client(context(info), profile_changes(input))
        return _payload(info, created)

    @strawberry.mutation(
        description=(
            "Staff, or the client themselves: change the profile fields given; the others stay."
        ),
    )
    @refusals_as_user_errors(ClientPayload)
    async def update_client(
        self,
        info: strawberry.Info,
        input: Annotated[
            UpdateClientInput,
            strawberry.argument(description="Which client, and the changes."),
        ],
    ) -> ClientPayload:
        updated = await clients.update_client(
            context(info), node_id(input.client_id, "Client"), input.profile.to_domain()
        )
        return _payload(info, updated)

    @strawberry.mutation(
        description=(
            "Staff only: email the client a link to set a password and sign in (the link works "
            "once, within 7 days). Needs the client's email."
        ),
    )
    @refusals_as_user_errors(ClientPayload)
    async def invite_client(
        self,
        info: strawberry.Info,
        input: Annotated[
            InviteClientInput,
            strawberry.argument(description="The client to invite."),
        ],
    ) -> ClientPayload:
        invited = await invites.invite_client(context(info), node_id(input.client_id, "Client"))
        return _payload(info, invited)

    @strawberry.mutation(
        description=(
            "No sign-in: set a password with an invitation's token, and sign the client in. "
            "INVALID_TOKEN for an unknown, used or expired token."
        ),
    )
    @refusals_as_user_errors(AuthPayload)
    async def accept_client_invite(
        self,
        info: strawberry.Info,
        input: Annotated[
            AcceptClientInviteInput,
            strawberry.argument(description="The invitation's token and the new password."),
        ],
    ) -> AuthPayload:
        result = await invites.accept_invite(
            context(info), token=input.token, password=input.password
        )
        return signed_in_payload(result)

    @strawberry.mutation(
        description=(
            "A signed-in client: put a card on file (it replaces the one there), so their "
            "sessions can be paid."
        ),
    )
    @refusals_as_user_errors(ClientPayload)
    async def add_payment_method(
        self,
        info: strawberry.Info,
        input: Annotated[
            AddPaymentMethodInput,
            strawberry.argument(description="The payment provider's card token."),
        ],
    ) -> ClientPayload:
        client = await payment_methods.add_payment_method(context(info), input.token)
        return _payload(info, client)

    @strawberry.mutation(description="A signed-in client: remove their card on file.")
    @refusals_as_user_errors(ClientPayload)
    async def remove_payment_method(self, info: strawberry.Info) -> ClientPayload:
        client = await payment_methods.remove_payment_method(context(info))
        return _payload(info, client)
