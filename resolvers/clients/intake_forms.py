"""requestIntakeForm, completeIntakeForm and myPendingForms.

The practice's staff request a form for one of the practice's clients (NOT_FOUND otherwise);
the request is emailed to the client and to every linked client the client lets complete
intake forms (jobs/email/intake_forms.py). The client, or such a linked client, completes it
once (INVALID_STATE after); anyone else reads it as NOT_FOUND. The form stays in the client's
profile, with who completed it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from domain.clients.intake_forms import IntakeForm, IntakeFormStatus, request_form
from domain.clients.links import Permission
from domain.shared.errors import not_found
from persistence import tables
from resolvers.clients.links import granting, grants
from resolvers.shared.access import visible_client
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext


async def request_intake_form(
    ctx: RequestContext, client_id: uuid.UUID | None, title: str, questions: list[str],
) -> IntakeForm:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        client = await visible_client(uow, viewer, client_id, ["clientId"])
        form = request_form(viewer.practice_id, client.id, title, questions, ctx.now)
        uow.intake_forms.add(form)
        await uow.commit()
    return form


async def complete_intake_form(
    ctx: RequestContext, form_id: uuid.UUID | None, answers: Any,
) -> IntakeForm:
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        form = await uow.intake_forms.get(form_id, for_update=True) if form_id else None
        if form is None or viewer.client_id is None or form.practice_id != viewer.practice_id:
            raise not_found("Intake form", ["formId"])
        if form.client_id != viewer.client_id and not await grants(
                uow, form.client_id, viewer.client_id, Permission.COMPLETE_INTAKE_FORMS):
            raise not_found("Intake form", ["formId"])
        form.complete(answers, viewer.client_id, ctx.now)
        await uow.commit()
    return form


async def pending_forms(ctx: RequestContext) -> list[IntakeForm]:
    """The viewer's own pending forms and those of clients who let them complete forms,
    oldest request first."""
    viewer = ctx.signed_in()
    if viewer.client_id is None:
        return []
    async with ctx.reading() as uow:
        whose = [viewer.client_id,
                 *await granting(uow, viewer.client_id, Permission.COMPLETE_INTAKE_FORMS)]
        forms = tables.intake_forms.c
        result = await uow.tx.execute(
            select(IntakeForm)
            .where(forms.client_id.in_(whose), forms.status == IntakeFormStatus.PENDING)
            .order_by(forms.requested_at, forms.id)
        )
        return list(result.scalars())


def may_see_form(viewer: Viewer | None, form: IntakeForm, completes_for: set[uuid.UUID]) -> bool:
    """Staff of the practice, the client, and a client the client lets complete forms
    (`completes_for`: the clients who granted the viewer that)."""
    if viewer is None or form.practice_id != viewer.practice_id:
        return False
    return viewer.is_staff or viewer.client_id == form.client_id or (
        form.client_id in completes_for)
