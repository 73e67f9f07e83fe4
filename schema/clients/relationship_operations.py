"""createRelationship, endRelationship, restartRelationship, migrateToFirstParty."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.clients import relationships as domain
from domain.clients.profile import ProfileChanges
from resolvers.clients import migration, relationships
from schema.clients.inputs import ClientProfileInput, node_id, optional_node_id
from schema.clients.relationship_types import EndReason, Relationship, RelationshipKind
from schema.shared.common import UserError, context, refusals_as_user_errors


@strawberry.input(description="A new relationship.")
class CreateRelationshipInput:
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the signed-in practitioner."
    )
    kind: RelationshipKind = strawberry.field(  # type: ignore[valid-type]
        description="What kind of therapy: who attends together.",
    )
    client_ids: list[strawberry.ID] = strawberry.field(
        description="The attending clients, one or more.",
    )
    payer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Defaults to the first client, which makes the relationship first-party.",
    )


@strawberry.input(description="A relationship to end, and why.")
class EndRelationshipInput:
    relationship_id: strawberry.ID = strawberry.field(description="The ACTIVE relationship to end.")
    reason: EndReason = strawberry.field(description="Why it ends; only staff ever see it.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The practice's internal note; never shown to clients.",
    )
    cancel_upcoming_appointments: bool = strawberry.field(
        name="cancelUpcomingSessions", default=False,
        description="Cancel (free of charge) the relationship's upcoming sessions; without it, "
        "upcoming sessions refuse the end with HAS_UPCOMING_SESSIONS.",
    )


@strawberry.input(description="An ENDED relationship to make ACTIVE again.")
class RestartRelationshipInput:
    relationship_id: strawberry.ID = strawberry.field(description="The ENDED relationship.")


@strawberry.input(description="A THIRD_PARTY relationship to move to a paying attendee.")
class MigrateToFirstPartyInput:
    relationship_id: strawberry.ID = strawberry.field(
        description="The THIRD_PARTY relationship; NOT_THIRD_PARTY otherwise.",
    )
    client_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The attending client who will pay; needed when more than one attends.",
    )
    profile: ClientProfileInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Missing details to complete the client's account with.",
    )


@strawberry.type(description="The answer to a relationship mutation.")
class RelationshipPayload:
    relationship: Relationship | None = strawberry.field(
        default=None,
        description="The relationship as changed; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.type(description="The answer to migrateToFirstParty: the old and the new relationship.")
class MigrateToFirstPartyPayload:
    previous_relationship: Relationship | None = strawberry.field(
        default=None, description="The third-party relationship, now COMPLETED."
    )
    relationship: Relationship | None = strawberry.field(
        default=None, description="The new first-party relationship."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=(
            "Why the migration was refused (PROFILE_INCOMPLETE names each missing field); empty "
            "on success."
        ),
    )


def _given(value: object) -> object:
    return None if value is strawberry.UNSET else value


def _payload(info: strawberry.Info, relationship: domain.Relationship) -> RelationshipPayload:
    return RelationshipPayload(
        relationship=Relationship.from_entity(relationship, context(info).viewer)
    )


@strawberry.type
class RelationshipMutations:
    @strawberry.mutation(
        description=(
            "Staff only: start an ACTIVE relationship between a practitioner and the attending "
            "clients, paid by one client."
        ),
    )
    @refusals_as_user_errors(RelationshipPayload)
    async def create_relationship(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateRelationshipInput,
            strawberry.argument(description="Who, which kind, and who pays."),
        ],
    ) -> RelationshipPayload:
        created = await relationships.create_relationship(
            context(info),
            practitioner_id=optional_node_id(_given(input.practitioner_id), "Practitioner"),  # type: ignore[arg-type]
            kind=input.kind,
            client_ids=[node_id(cid, "Client") for cid in input.client_ids],
            payer_id=optional_node_id(_given(input.payer_id), "Client"),  # type: ignore[arg-type]
        )
        return _payload(info, created)

    @strawberry.mutation(
        description=(
            "Staff only: end an ACTIVE relationship with a reason. The client is sent nothing; "
            "refused with HAS_UPCOMING_SESSIONS while it has upcoming sessions, unless they are "
            "cancelled in the same call."
        ),
    )
    @refusals_as_user_errors(RelationshipPayload)
    async def end_relationship(
        self,
        info: strawberry.Info,
        input: Annotated[
            EndRelationshipInput,
            strawberry.argument(
                description=(
                    "The relationship, why it ends, and what becomes of its upcoming sessions."
                ),
            ),
        ],
    ) -> RelationshipPayload:
        ended = await relationships.end_relationship(
            context(info), node_id(input.relationship_id, "Relationship"), reason=input.reason,
            note=_given(input.note),  # type: ignore[arg-type]
            cancel_upcoming_appointments=input.cancel_upcoming_appointments,
        )
        return _payload(info, ended)

    @strawberry.mutation(description="Staff only: make an ENDED relationship ACTIVE again.")
    @refusals_as_user_errors(RelationshipPayload)
    async def restart_relationship(
        self,
        info: strawberry.Info,
        input: Annotated[
            RestartRelationshipInput,
            strawberry.argument(description="The relationship to restart."),
        ],
    ) -> RelationshipPayload:
        restarted = await relationships.restart_relationship(
            context(info), node_id(input.relationship_id, "Relationship")
        )
        return _payload(info, restarted)

    @strawberry.mutation(
        description=(
            "Staff only: close a THIRD_PARTY relationship (COMPLETED) and open a FIRST_PARTY one, "
            "same practitioner, kind and attendees, paid by an attending client. Upcoming "
            "sessions and reserved slots move to it, and the client is emailed to add a card. "
            "PROFILE_INCOMPLETE names each detail still missing."
        ),
    )
    @refusals_as_user_errors(MigrateToFirstPartyPayload)
    async def migrate_to_first_party(
        self,
        info: strawberry.Info,
        input: Annotated[
            MigrateToFirstPartyInput,
            strawberry.argument(
                description=(
                    "The relationship, the client who will pay, and any profile details they "
                    "still lack."
                ),
            ),
        ],
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
