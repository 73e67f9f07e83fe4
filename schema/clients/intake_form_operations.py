"""requestIntakeForm, completeIntakeForm and myPendingForms."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.clients import intake_forms
from schema.clients.inputs import node_id
from schema.clients.intake_form_types import IntakeForm
from schema.shared.common import UserError, context, refusals_as_user_errors
from schema.shared.scalars import JSON


@strawberry.input(description="A form to ask a client to fill in.")
class RequestIntakeFormInput:
    client_id: strawberry.ID = strawberry.field(description="The client the form is about.")
    title: str = strawberry.field(description="The form's title, 1 to 200 characters.")
    questions: list[str] = strawberry.field(description="The questions, 1 to 100, none empty.")


@strawberry.input(description="A form's answers.")
class CompleteIntakeFormInput:
    form_id: strawberry.ID = strawberry.field(description="The PENDING form.")
    answers: JSON = strawberry.field(  # type: ignore[valid-type]
        description=(
            "The answers, as any JSON value (e.g. an object keyed by question); stored as sent."
        ),
    )


@strawberry.type(description="The answer to an intake form mutation.")
class IntakeFormPayload:
    form: IntakeForm | None = strawberry.field(
        default=None,
        description="The form as changed; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the mutation was refused; empty on success.",
    )


@strawberry.type
class IntakeFormQueries:
    @strawberry.field(description="For a signed-in client: pending forms about them or about "
                      "clients they may complete forms for.")
    async def my_pending_forms(self, info: strawberry.Info) -> list[IntakeForm]:
        return [IntakeForm.from_entity(f) for f in
                await intake_forms.pending_forms(context(info))]


@strawberry.type
class IntakeFormMutations:
    @strawberry.mutation(
        description=(
            "Staff only: ask a client to fill in a form; the client (and linked clients who "
            "complete forms for them) are emailed."
        ),
    )
    @refusals_as_user_errors(IntakeFormPayload)
    async def request_intake_form(
        self,
        info: strawberry.Info,
        input: Annotated[
            RequestIntakeFormInput,
            strawberry.argument(description="The client, the form's title and its questions."),
        ],
    ) -> IntakeFormPayload:
        form = await intake_forms.request_intake_form(
            context(info), node_id(input.client_id, "Client"), input.title, input.questions
        )
        return IntakeFormPayload(form=IntakeForm.from_entity(form))

    @strawberry.mutation(
        description=(
            "A signed-in client: answer a PENDING form about themselves or about a client they "
            "may complete forms for. INVALID_STATE once completed."
        ),
    )
    @refusals_as_user_errors(IntakeFormPayload)
    async def complete_intake_form(
        self,
        info: strawberry.Info,
        input: Annotated[
            CompleteIntakeFormInput,
            strawberry.argument(description="The form and the answers."),
        ],
    ) -> IntakeFormPayload:
        form = await intake_forms.complete_intake_form(
            context(info), node_id(input.form_id, "IntakeForm"), input.answers
        )
        return IntakeFormPayload(form=IntakeForm.from_entity(form))
