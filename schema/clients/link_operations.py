"""linkClients, updateClientLink, unlinkClients."""

from __future__ import annotations

import strawberry

from domain.clients import links as domain
from resolvers.clients import links
from schema.clients.inputs import node_id
from schema.clients.link_types import ClientLink, LinkType
from schema.shared.common import UserError, refusals_as_user_errors
from schema.shared.common import context as request_context
from schema.shared.ids import to_global_id


@strawberry.input
class LinkPermissionsInput:
    book_and_manage_appointments: bool = False
    complete_intake_forms: bool = False
    receive_notification_copies: bool = False
    use_package_credits: bool = strawberry.field(name="usePackageSessions", default=False)

    def to_domain(self) -> domain.LinkPermissions:
        return domain.LinkPermissions(
            self.book_and_manage_appointments, self.complete_intake_forms,
            self.receive_notification_copies, self.use_package_credits,
        )


@strawberry.input
class LinkClientsInput:
    client_id: strawberry.ID
    linked_client_id: strawberry.ID
    type: LinkType  # type: ignore[valid-type]
    linked_client_can: LinkPermissionsInput
    client_can: LinkPermissionsInput


@strawberry.input
class UpdateClientLinkInput:
    link_id: strawberry.ID
    type: LinkType | None = strawberry.UNSET  # type: ignore[valid-type]
    linked_client_can: LinkPermissionsInput | None = strawberry.UNSET
    client_can: LinkPermissionsInput | None = strawberry.UNSET


@strawberry.input
class UnlinkClientsInput:
    link_id: strawberry.ID


@strawberry.type
class ClientLinkPayload:
    link: ClientLink | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UnlinkClientsPayload:
    unlinked_link_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _permissions(value: object) -> domain.LinkPermissions | None:
    return value.to_domain() if isinstance(value, LinkPermissionsInput) else None


@strawberry.type
class LinkMutations:
    @strawberry.mutation
    @refusals_as_user_errors(ClientLinkPayload)
    async def link_clients(
        self, info: strawberry.Info, input: LinkClientsInput
    ) -> ClientLinkPayload:
        created = await links.link(
            request_context(info),
            client_id=node_id(input.client_id, "Client"),
            linked_client_id=node_id(input.linked_client_id, "Client"),
            type=input.type, linked_client_can=input.linked_client_can.to_domain(),
            client_can=input.client_can.to_domain(),
        )
        return ClientLinkPayload(link=ClientLink.from_entity(created))

    @strawberry.mutation
    @refusals_as_user_errors(ClientLinkPayload)
    async def update_client_link(
        self, info: strawberry.Info, input: UpdateClientLinkInput
    ) -> ClientLinkPayload:
        type = input.type if isinstance(input.type, domain.LinkType) else None
        updated = await links.update_link(
            request_context(info), node_id(input.link_id, "ClientLink"), type=type,
            linked_client_can=_permissions(input.linked_client_can),
            client_can=_permissions(input.client_can),
        )
        return ClientLinkPayload(link=ClientLink.from_entity(updated))

    @strawberry.mutation
    @refusals_as_user_errors(UnlinkClientsPayload)
    async def unlink_clients(
        self, info: strawberry.Info, input: UnlinkClientsInput
    ) -> UnlinkClientsPayload:
        removed = await links.unlink(request_context(info), node_id(input.link_id, "ClientLink"))
        return UnlinkClientsPayload(
            unlinked_link_id=strawberry.ID(to_global_id("ClientLink", removed))
        )
