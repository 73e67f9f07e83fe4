"""requestIntakeForm, completeIntakeForm and myPendingForms."""

from __future__ import annotations

import strawberry

from resolvers.clients import intake_forms
from schema.clients.inputs import node_id
from schema.clients.intake_form_types import IntakeForm
from schema.shared.common import UserError, context, refusals_as_user_errors
from schema.shared.scalars import JSON


@strawberry.input
class RequestIntakeFormInput:
    client_id: strawberry.ID
    title: str
    questions: list[str]


@strawberry.input
class CompleteIntakeFormInput:
    form_id: strawberry.ID
    answers: JSON  # type: ignore[valid-type]


@strawberry.type
class IntakeFormPayload:
    form: IntakeForm | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class IntakeFormQueries:
    @strawberry.field(description="For a signed-in client: their pending intake forms and "
                      "those of clients they may complete forms for.")
    async def my_pending_forms(self, info: strawberry.Info) -> list[IntakeForm]:
        return [IntakeForm.from_entity(f) for f in
                await intake_forms.pending_forms(context(info))]


@strawberry.type
class IntakeFormMutations:
    @strawberry.mutation
    @refusals_as_user_errors(IntakeFormPayload)
    async def request_intake_form(
        self, info: strawberry.Info, input: RequestIntakeFormInput
    ) -> IntakeFormPayload:
        form = await intake_forms.request_intake_form(
            context(info), node_id(input.client_id, "Client"), input.title, input.questions
        )
        return IntakeFormPayload(form=IntakeForm.from_entity(form))

    @strawberry.mutation
    @refusals_as_user_errors(IntakeFormPayload)
    async def complete_intake_form(
        self, info: strawberry.Info, input: CompleteIntakeFormInput
    ) -> IntakeFormPayload:
        form = await intake_forms.complete_intake_form(
            context(info), node_id(input.form_id, "IntakeForm"), input.answers
        )
        return IntakeFormPayload(form=IntakeForm.from_entity(form))
