"""Completing a pending intake form: one answer per question, sent as
`{"answers": [{"question": …, "answer": …}, …]}`."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from caseload.client_pages.web import Page, Refused, Site, endpoint

FORMS = "{ myPendingForms { id title questions client { firstName lastName } } }"
COMPLETE = """mutation($input: CompleteIntakeFormInput!) { completeIntakeForm(input: $input) {
  form { status } userErrors { field code message } } }"""


async def intake_form(page: Page) -> Response:
    if page.access_token is None:
        return page.sign_in_first()
    form = await _pending(page, page.request.path_params["form_id"])
    if form is None:
        return page.sign_in_first()
    errors: list[dict[str, Any]] = []
    answers = [page.form.get(f"answer-{i}", "") for i in range(len(form["questions"]))]
    if page.request.method == "POST":
        given = [{"question": q, "answer": a.strip()}
                 for q, a in zip(form["questions"], answers, strict=True)]
        answer = await page.run(COMPLETE, {"input": {
            "formId": form["id"], "answers": {"answers": given}}})
        errors = answer.user_errors("completeIntakeForm")
        if not errors:
            return page.redirect("/?notice=form-sent")
    return page.render("intake_form.html", status=400 if errors else 200, form=form,
                       answers=answers, errors=errors)


async def _pending(page: Page, form_id: str) -> dict[str, Any] | None:
    """The pending form; None when the sign-in no longer verifies."""
    answer = await page.run(FORMS)
    if answer.unauthenticated:
        return None
    for form in answer.data.get("myPendingForms") or []:
        if form["id"] == form_id:
            return dict(form)
    raise Refused(404, "There is no such pending form in your account: it may be sent already.")


def routes(site: Site) -> list[BaseRoute]:
    return [Route("/client/intake-forms/{form_id}", endpoint(site, intake_form),
                  methods=["GET", "POST"])]
