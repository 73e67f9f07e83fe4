"""The intake form request: to the client and to every linked client the client lets complete
intake forms (read when the email goes out), each address once."""

from __future__ import annotations

from sqlalchemy import or_, select

from domain.accounts.practice import Practice
from domain.clients.clients import Client
from domain.clients.intake_forms import IntakeForm, IntakeFormRequested, IntakeFormStatus
from domain.clients.links import ClientLink, Permission
from jobs.context import JobContext
from jobs.email.handlers import EmailIntent, handles
from persistence import tables


@handles(IntakeFormRequested)
async def form_requested(jc: JobContext, event: IntakeFormRequested) -> list[EmailIntent]:
    async with jc.db.reading() as tx:
        form = await tx.get(IntakeForm, event.form_id)
        if form is None or form.status is not IntakeFormStatus.PENDING:
            return []
        practice = await tx.get(Practice, form.practice_id)
        subject = await tx.get(Client, form.client_id)
        links = tables.client_links.c
        found = (await tx.execute(
            select(ClientLink).where(or_(links.client_id == form.client_id,
                                         links.linked_client_id == form.client_id))
            .order_by(links.created_at, links.id)
        )).scalars().all()
        helpers = [await tx.get(Client, link.other(form.client_id)) for link in found
                   if link.grants(form.client_id, link.other(form.client_id),
                                  Permission.COMPLETE_INTAKE_FORMS)]
    if practice is None or subject is None:
        return []
    intents: dict[str, EmailIntent] = {}
    for client in [subject, *helpers]:
        if client is None or not client.email:
            continue
        values = {
            "first_name": client.first_name, "practice_name": practice.name,
            "title": form.title, "for_self": client.id == subject.id,
            "subject_name": f"{subject.first_name} {subject.last_name}",
            "app_url": jc.app_url,
        }
        intents.setdefault(client.email.lower(),
                           EmailIntent(client.email, "intake_form", values, practice.id))
    return list(intents.values())
