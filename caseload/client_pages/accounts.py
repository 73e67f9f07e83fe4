"""Signing in and out, accepting a client's or a practitioner's invitation, resetting a
forgotten password, verifying an owner's email, a card on file."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from caseload.client_pages.links import EmailedLink
from caseload.client_pages.web import Page, Site, endpoint, safe_next
from persistence.sandbox_gateway import TEST_TOKENS
from resolvers.accounts.invite_links import (
    ACCEPT_PATH,
    PAYMENT_METHOD_PATH,
    RESET_PASSWORD_PATH,
    STAFF_INVITE_PATH,
    VERIFY_EMAIL_PATH,
)

AUTH = "accessToken userErrors { field code message }"
SIGN_IN = f"mutation($input: SignInInput!) {{ signIn(input: $input) {{ {AUTH} }} }}"
ACCEPT_INVITE = ("mutation($input: AcceptClientInviteInput!) "
                 f"{{ acceptClientInvite(input: $input) {{ {AUTH} }} }}")
ACCEPT_STAFF_INVITE = ("mutation($input: AcceptPractitionerInviteInput!) "
                       f"{{ acceptPractitionerInvite(input: $input) {{ {AUTH} }} }}")
RESET_PASSWORD = ("mutation($input: ResetPasswordInput!) "
                  f"{{ resetPassword(input: $input) {{ {AUTH} }} }}")
VERIFY_EMAIL = f"mutation($input: VerifyEmailInput!) {{ verifyEmail(input: $input) {{ {AUTH} }} }}"
CARD = "viewer { role client { firstName paymentMethod { brand last4 } } }"
ADD_CARD = ("mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) { "
            "client { paymentMethod { brand last4 } } userErrors { field code message } } }")


async def sign_in(page: Page) -> Response:
    email, password = page.form.get("email", ""), page.form.get("password", "")
    answer = await page.run(SIGN_IN, {"input": {"email": email, "password": password}},
                            signed_in=False)
    token = answer.payload("signIn").get("accessToken")
    if token:
        page.sign_in(token)
        return page.redirect(safe_next(page.form.get("next")))
    return page.render("sign_in.html", status=400, errors=answer.user_errors("signIn"), email=email,
                       next=safe_next(page.form.get("next")))


async def sign_out(page: Page) -> Response:
    page.sign_out()
    return page.redirect("/")


async def accept_invite(page: Page, token: str) -> Response:
    return await _choose_password(page, token, ACCEPT_INVITE, "acceptClientInvite",
                                  "accept_invite.html", then=PAYMENT_METHOD_PATH)


async def accept_staff_invite(page: Page, token: str) -> Response:
    return await _choose_password(page, token, ACCEPT_STAFF_INVITE, "acceptPractitionerInvite",
                                  "accept_staff_invite.html", then="/?notice=joined-practice")


async def reset_password(page: Page, token: str) -> Response:
    return await _choose_password(page, token, RESET_PASSWORD, "resetPassword",
                                  "reset_password.html", then="/?notice=password-reset")


async def _choose_password(
    page: Page, token: str, document: str, field: str, template: str, then: str
) -> Response:
    """An emailed link's form that sets a password (typed twice), then signs in."""
    password = page.form.get("password", "")
    if password != page.form.get("password_again", ""):
        errors = [{"field": ["password_again"], "message": "The two passwords differ."}]
        return page.render(template, status=400, token_kept=True, errors=errors)
    answer = await page.run(document, {"input": {"token": token, "password": password}},
                            signed_in=False)
    return _signed_in_or_form(page, answer.payload(field), template, then=then)


async def verify_email(page: Page, token: str) -> Response:
    answer = await page.run(VERIFY_EMAIL, {"input": {"token": token}}, signed_in=False)
    return _signed_in_or_form(page, answer.payload("verifyEmail"), "verify_email.html",
                              then="/?notice=practice-open")


def _signed_in_or_form(page: Page, payload: dict[str, Any], template: str, then: str) -> Response:
    token = payload.get("accessToken")
    if not token:
        return page.render(template, status=400, token_kept=True,
                           errors=payload.get("userErrors") or [])
    page.sign_in(token)
    page.drop_link_token()
    return page.redirect(then)


async def payment_method(page: Page) -> Response:
    if page.access_token is None:
        return page.sign_in_first()
    errors: list[dict[str, Any]] = []
    if page.request.method == "POST":
        answer = await page.run(ADD_CARD, {"input": {"token": page.form.get("token", "")}})
        if answer.unauthenticated:
            return page.sign_in_first()
        errors = answer.user_errors("addPaymentMethod")
        if not errors:
            return page.redirect("/?notice=card-saved")
    answer = await page.run(f"{{ {CARD} }}")
    viewer = answer.data.get("viewer")
    if viewer is None:
        return page.sign_in_first()
    return page.render("payment_method.html", status=400 if errors else 200, errors=errors,
                       client=viewer["client"], test_cards=list(TEST_TOKENS.items()))


def routes(site: Site) -> list[BaseRoute]:
    return [
        Route("/client/sign-in", endpoint(site, sign_in), methods=["POST"]),
        Route("/client/sign-out", endpoint(site, sign_out), methods=["POST"]),
        Route(PAYMENT_METHOD_PATH, endpoint(site, payment_method), methods=["GET", "POST"]),
        EmailedLink(ACCEPT_PATH, "accept_invite.html", accept_invite).route(site),
        EmailedLink(STAFF_INVITE_PATH, "accept_staff_invite.html", accept_staff_invite).route(site),
        EmailedLink(VERIFY_EMAIL_PATH, "verify_email.html", verify_email).route(site),
        EmailedLink(RESET_PASSWORD_PATH, "reset_password.html", reset_password).route(site),
    ]
