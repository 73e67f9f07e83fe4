"""The clients list; createClient, updateClient, invitations and the client's own card."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.accounts import invites, payment_methods
from resolvers.clients import clients
from schema.accounts.operations import AuthPayload, signed_in_payload
from schema.clients.inputs import AddressInput, ClientProfileInput, node_id, profile_changes
from schema.clients.types import Client, ClientConnection, ClientEdge
from schema.shared.arguments import After, Before, First, Last
from schema.shared.common import UserError, context, refusals_as_user_errors
from schema.shared.connections import CLIENT_KEY, edges_and_info, window


@strawberry.input
class CreateClientInput:
    first_name: str
    last_name: str
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET
    address: AddressInput | None = strawberry.UNSET


@strawberry.input
class UpdateClientInput:
    client_id: strawberry.ID
    profile: ClientProfileInput


@strawberry.input
class InviteClientInput:
    client_id: strawberry.ID


@strawberry.input
class AcceptClientInviteInput:
    token: str
    password: str


@strawberry.input
class AddPaymentMethodInput:
    token: str = strawberry.field(
        description="A token from the payment provider's client-side SDK; never a card number."
    )


@strawberry.type
class ClientPayload:
    client: Client | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _payload(info: strawberry.Info, client: object) -> ClientPayload:
    return ClientPayload(client=Client.from_entity(client, context(info).viewer))  # type: ignore[arg-type]


@strawberry.type
class ClientQueries:
    @strawberry.field(description="The practice's clients; by default only active ones.")
    async def clients(
        self, info: strawberry.Info, include_inactive: bool = False, search: str | None = None,
        first: First = None, after: After = None,
        last: Last = None, before: Before = None,
    ) -> ClientConnection:
        ctx = context(info)
        at = window(CLIENT_KEY, first, after, last, before)
        found = await clients.clients_page(
            ctx, include_inactive=include_inactive, search=search, window=at,
        )
        edges, info_ = edges_and_info(
            found, at,
            lambda c, item: ClientEdge(cursor=c, node=Client.from_entity(item, ctx.viewer)),
        )
        return ClientConnection(edges=edges, page_info=info_, total_count=found.total)


@strawberry.type
class ClientMutations:
    @strawberry.mutation
    @refusals_as_user_errors(ClientPayload)
    async def create_client(self, info: strawberry.Info, input: CreateClientInput) -> ClientPayload:
        created = await clients.create_client(context(info), profile_changes(input))
        return _payload(info, created)

    @strawberry.mutation
    @refusals_as_user_errors(ClientPayload)
    async def update_client(self, info: strawberry.Info, input: UpdateClientInput) -> ClientPayload:
        updated = await clients.update_client(
            context(info), node_id(input.client_id, "Client"), input.profile.to_domain()
        )
        return _payload(info, updated)

    @strawberry.mutation
    @refusals_as_user_errors(ClientPayload)
    async def invite_client(self, info: strawberry.Info, input: InviteClientInput) -> ClientPayload:
        invited = await invites.invite_client(context(info), node_id(input.client_id, "Client"))
        return _payload(info, invited)

    @strawberry.mutation
    @refusals_as_user_errors(AuthPayload)
    async def accept_client_invite(
        self, info: strawberry.Info, input: AcceptClientInviteInput
    ) -> AuthPayload:
        result = await invites.accept_invite(
            context(info), token=input.token, password=input.password
        )
        return signed_in_payload(result)

    @strawberry.mutation
    @refusals_as_user_errors(ClientPayload)
    async def add_payment_method(
        self, info: strawberry.Info, input: AddPaymentMethodInput
    ) -> ClientPayload:
        client = await payment_methods.add_payment_method(context(info), input.token)
        return _payload(info, client)

    @strawberry.mutation
    @refusals_as_user_errors(ClientPayload)
    async def remove_payment_method(self, info: strawberry.Info) -> ClientPayload:
        client = await payment_methods.remove_payment_method(context(info))
        return _payload(info, client)
