"""IntakeForm and IntakeFormStatus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.clients import intake_forms as domain
from domain.clients.links import Permission, granted_by
from resolvers.clients.intake_forms import may_see_form
from resolvers.shared.context import RequestContext
from schema.clients.types import Client
from schema.shared.common import Node, context, described_enum
from schema.shared.ids import to_global_id
from schema.shared.nodes import node_fetcher
from schema.shared.scalars import JSON

IntakeFormStatus = described_enum(
    domain.IntakeFormStatus, name="IntakeFormStatus", description="Whether a form is answered.",
    values={
        domain.IntakeFormStatus.PENDING: "Waiting for the client's (or a linked client's) answers.",
        domain.IntakeFormStatus.COMPLETED: "Answered; the answers can no longer change.",
    },
)


@strawberry.type(
    description="A form a client is asked to fill in; it stays in the client's profile.",
)
class IntakeForm(Node):
    id: strawberry.ID = strawberry.field(description="The form's global id.")
    title: str = strawberry.field(
        description="The form's title, e.g. \"Before your first session\".",
    )
    questions: list[str] = strawberry.field(description="The questions, in order.")
    status: IntakeFormStatus = strawberry.field(description="PENDING until someone completes it.")  # type: ignore[valid-type]
    answers: JSON | None = strawberry.field(  # type: ignore[valid-type]
        description="The answers as sent to completeIntakeForm (any JSON); null while PENDING.",
    )
    completed_at: datetime | None = strawberry.field(
        description="When it was completed; null while PENDING.",
    )
    entity: strawberry.Private[domain.IntakeForm]

    @classmethod
    def from_entity(cls, form: domain.IntakeForm) -> IntakeForm:
        return cls(
            id=strawberry.ID(to_global_id("IntakeForm", form.id)), title=form.title,
            questions=list(form.questions), status=form.status, answers=form.answers,
            completed_at=form.completed_at, entity=form,
        )

    @strawberry.field(description="The client the form is about; it stays in this client's "
                      "profile.")
    async def client(self, info: strawberry.Info) -> Client:
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.client_id)
        assert found is not None
        return Client.from_entity(found, ctx.viewer)

    @strawberry.field(
        description="Who filled it in: the client or a linked client; null while PENDING.",
    )
    async def completed_by(self, info: strawberry.Info) -> Client | None:
        if self.entity.completed_by_id is None:
            return None
        ctx = context(info)
        found = await ctx.loaders.client_by_id.load(self.entity.completed_by_id)
        return Client.from_entity(found, ctx.viewer) if found else None


async def completes_for(ctx: RequestContext) -> set[Any]:
    """The clients who let the viewer complete their intake forms."""
    viewer = ctx.viewer
    if viewer is None or viewer.client_id is None:
        return set()
    links = await ctx.loaders.links.links_by_client_id.load(viewer.client_id)
    return set(granted_by(links, viewer.client_id, Permission.COMPLETE_INTAKE_FORMS))


@node_fetcher("IntakeForm")
async def _form_node(ctx, item_id):  # type: ignore[no-untyped-def]
    found = await ctx.loaders.links.intake_form_by_id.load(item_id)
    if found is None or not may_see_form(ctx.viewer, found, await completes_for(ctx)):
        return None
    return IntakeForm.from_entity(found)
