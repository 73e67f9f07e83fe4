"""createRelationship, endRelationship, restartRelationship, migrateToFirstParty."""

from __future__ import annotations

import strawberry

from domain.clients import relationships as domain
from domain.clients.profile import ProfileChanges
from resolvers.clients import migration, relationships
from schema.clients.inputs import ClientProfileInput, node_id, optional_node_id
from schema.clients.relationship_types import EndReason, Relationship, RelationshipKind
from schema.shared.common import UserError, context, refusals_as_user_errors


@strawberry.input
class CreateRelationshipInput:
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the signed-in practitioner."
    )
    kind: RelationshipKind  # type: ignore[valid-type]
    client_ids: list[strawberry.ID]
    payer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Defaults to the first client, which makes the relationship first-party.",
    )


@strawberry.input
class EndRelationshipInput:
    relationship_id: strawberry.ID
    reason: EndReason  # type: ignore[valid-type]
    note: str | None = strawberry.UNSET
    cancel_upcoming_appointments: bool = strawberry.field(
        name="cancelUpcomingSessions", default=False,
        description="Cancel (free of charge) the relationship's upcoming sessions; without it, "
        "upcoming sessions refuse the end with HAS_UPCOMING_SESSIONS.",
    )


@strawberry.input
class RestartRelationshipInput:
    relationship_id: strawberry.ID


@strawberry.input
class MigrateToFirstPartyInput:
    relationship_id: strawberry.ID
    client_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The attending client who will pay; needed when more than one attends.",
    )
    profile: ClientProfileInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Missing details to complete the client's account with.",
    )


@strawberry.type
class RelationshipPayload:
    relationship: Relationship | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MigrateToFirstPartyPayload:
    previous_relationship: Relationship | None = strawberry.field(
        default=None, description="The third-party relationship, now COMPLETED."
    )
    relationship: Relationship | None = strawberry.field(
        default=None, description="The new first-party relationship."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _given(value: object) -> object:
    return None if value is strawberry.UNSET else value


def _payload(info: strawberry.Info, relationship: domain.Relationship) -> RelationshipPayload:
    return RelationshipPayload(
        relationship=Relationship.from_entity(relationship, context(info).viewer)
    )


@strawberry.type
class RelationshipMutations:
    @strawberry.mutation
    @refusals_as_user_errors(RelationshipPayload)
    async def create_relationship(
        self, info: strawberry.Info, input: CreateRelationshipInput
    ) -> RelationshipPayload:
        created = await relationships.create_relationship(
            context(info),
            practitioner_id=optional_node_id(_given(input.practitioner_id), "Practitioner"),  # type: ignore[arg-type]
            kind=input.kind,
            client_ids=[node_id(cid, "Client") for cid in input.client_ids],
            payer_id=optional_node_id(_given(input.payer_id), "Client"),  # type: ignore[arg-type]
        )
        return _payload(info, created)

    @strawberry.mutation
    @refusals_as_user_errors(RelationshipPayload)
    async def end_relationship(
        self, info: strawberry.Info, input: EndRelationshipInput
    ) -> RelationshipPayload:
        ended = await relationships.end_relationship(
            context(info), node_id(input.relationship_id, "Relationship"), reason=input.reason,
            note=_given(input.note),  # type: ignore[arg-type]
            cancel_upcoming_appointments=input.cancel_upcoming_appointments,
        )
        return _payload(info, ended)

    @strawberry.mutation
    @refusals_as_user_errors(RelationshipPayload)
    async def restart_relationship(
        self, info: strawberry.Info, input: RestartRelationshipInput
    ) -> RelationshipPayload:
        restarted = await relationships.restart_relationship(
            context(info), node_id(input.relationship_id, "Relationship")
        )
        return _payload(info, restarted)

    @strawberry.mutation
    @refusals_as_user_errors(MigrateToFirstPartyPayload)
    async def migrate_to_first_party(
        self, info: strawberry.Info, input: MigrateToFirstPartyInput
    ) -> MigrateToFirstPartyPayload:
        profile = _given(input.profile)
        result = await migration.migrate_to_first_party(
            context(info), node_id(input.relationship_id, "Relationship"),
            client_id=optional_node_id(_given(input.client_id), "Client"),  # type: ignore[arg-type]
            changes=profile.to_domain() if isinstance(profile, ClientProfileInput)
            else ProfileChanges(),
        )
        viewer = context(info).viewer
        return MigrateToFirstPartyPayload(
            previous_relationship=Relationship.from_entity(result.previous, viewer),
            relationship=Relationship.from_entity(result.relationship, viewer),
        )
