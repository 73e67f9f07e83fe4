"""linkClients, updateClientLink, unlinkClients."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.clients import links as domain
from resolvers.clients import links
from schema.clients.inputs import node_id
from schema.clients.link_types import ClientLink, LinkType
from schema.shared.common import UserError, refusals_as_user_errors
from schema.shared.common import context as request_context
from schema.shared.ids import to_global_id


@strawberry.input(
    description="What one client of a link may do on behalf of the other; each defaults to false.",
)
class LinkPermissionsInput:
    book_and_manage_appointments: bool = strawberry.field(
        default=False,
        description="See, book, move and cancel the other's sessions.",
    )
    complete_intake_forms: bool = strawberry.field(
        default=False,
        description="Receive the other's form requests, see their pending forms and fill them in.",
    )
    receive_notification_copies: bool = strawberry.field(
        default=False,
        description=(
            "Receive copies of the other's session emails; invoices suggest this client's "
            "address."
        ),
    )
    use_package_credits: bool = strawberry.field(
        name="usePackageSessions",
        default=False,
        description="Pay for own sessions with credits from the other's packages.",
    )

    def to_domain(self) -> domain.LinkPermissions:
        return domain.LinkPermissions(
            self.book_and_manage_appointments, self.complete_intake_forms,
            self.receive_notification_copies, self.use_package_credits,
        )


@strawberry.input(description="Two clients to link.")
class LinkClientsInput:
    client_id: strawberry.ID = strawberry.field(description="One client of the link.")
    linked_client_id: strawberry.ID = strawberry.field(
        description="The other client; ALREADY_LINKED if the two are linked already.",
    )
    type: LinkType = strawberry.field(  # type: ignore[valid-type]
        description=(
            "What linkedClient is to client: PARENT means linkedClient is client's parent. A "
            "label only."
        ),
    )
    linked_client_can: LinkPermissionsInput = strawberry.field(
        description="What linkedClient may do on behalf of client.",
    )
    client_can: LinkPermissionsInput = strawberry.field(
        description="What client may do on behalf of linkedClient.",
    )


@strawberry.input(description="A link's changes; what is not given stays.")
class UpdateClientLinkInput:
    link_id: strawberry.ID = strawberry.field(description="The link to change.")
    type: LinkType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="The new label, read as in linkClients.",
    )
    linked_client_can: LinkPermissionsInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The new permissions of linkedClient on behalf of client, all four.",
    )
    client_can: LinkPermissionsInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The new permissions of client on behalf of linkedClient, all four.",
    )


@strawberry.input(description="A link to remove.")
class UnlinkClientsInput:
    link_id: strawberry.ID = strawberry.field(description="The link to remove.")


@strawberry.type(description="The answer to a link mutation.")
class ClientLinkPayload:
    link: ClientLink | None = strawberry.field(
        default=None,
        description="The link as changed; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.type(description="The answer to unlinkClients.")
class UnlinkClientsPayload:
    unlinked_link_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The removed link's id, to drop from a client cache; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


def _permissions(value: object) -> domain.LinkPermissions | None:
    return value.to_domain() if isinstance(value, LinkPermissionsInput) else None


@strawberry.type
class LinkMutations:
    @strawberry.mutation(
        description=(
            "Staff only: link two clients of the practice with a label and what each may do for "
            "the other."
        ),
    )
    @refusals_as_user_errors(ClientLinkPayload)
    async def link_clients(
        self,
        info: strawberry.Info,
        input: Annotated[
            LinkClientsInput,
            strawberry.argument(
                description="The two clients, the label and both directions' permissions.",
            ),
        ],
    ) -> ClientLinkPayload:
        created = await links.link(
            request_context(info),
            client_id=node_id(input.client_id, "Client"),
            linked_client_id=node_id(input.linked_client_id, "Client"),
            type=input.type, linked_client_can=input.linked_client_can.to_domain(),
            client_can=input.client_can.to_domain(),
        )
        return ClientLinkPayload(link=ClientLink.from_entity(created))

    @strawberry.mutation(
        description="Staff only: change a link's label or permissions; what is not given stays.",
    )
    @refusals_as_user_errors(ClientLinkPayload)
    async def update_client_link(
        self,
        info: strawberry.Info,
        input: Annotated[
            UpdateClientLinkInput,
            strawberry.argument(description="The link and its changes."),
        ],
    ) -> ClientLinkPayload:
        type = input.type if isinstance(input.type, domain.LinkType) else None
        updated = await links.update_link(
            request_context(info), node_id(input.link_id, "ClientLink"), type=type,
            linked_client_can=_permissions(input.linked_client_can),
            client_can=_permissions(input.client_can),
        )
        return ClientLinkPayload(link=ClientLink.from_entity(updated))

    @strawberry.mutation(
        description="Staff only: remove a link, and with it every permission it gave.",
    )
    @refusals_as_user_errors(UnlinkClientsPayload)
    async def unlink_clients(
        self,
        info: strawberry.Info,
        input: Annotated[
            UnlinkClientsInput,
            strawberry.argument(description="The link to remove."),
        ],
    ) -> UnlinkClientsPayload:
        removed = await links.unlink(request_context(info), node_id(input.link_id, "ClientLink"))
        return UnlinkClientsPayload(
            unlinked_link_id=strawberry.ID(to_global_id("ClientLink", removed))
        )
