"""The client's home (upcoming sessions, card, pending forms), cancelling a session under the
policy, confirming a guest booking held for a client on file, and claiming a waitlist offer."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from caseload.client_pages.cancellation import FEE_FIELDS, cancellation_terms
from caseload.client_pages.links import EmailedLink
from caseload.client_pages.web import Page, Refused, Site, endpoint, safe_next
from resolvers.accounts.invite_links import CONFIRM_BOOKING_PATH
from resolvers.appointments.waitlist_links import CLAIM_PATH

VIEWER = """{ viewer { role practice { name timezone cancellationNoticeHours }
  client { firstName paymentMethod { brand last4 } } practitioner { name } } }"""
SESSION_FIELDS = """id startsAt endsAt status awaitingConfirmationUntil
  price { amount currency } practitioner { name } attendees { firstName lastName }"""
CLIENT_HOME = f"""{{ myAppointments(upcoming: true, first: 50) {{
  edges {{ node {{ {SESSION_FIELDS} }} }} }}
  myPendingForms {{ id title client {{ firstName lastName }} }} }}"""
SESSION = f"""query($id: ID!) {{ node(id: $id) {{ ... on Session {{ {SESSION_FIELDS}
  {FEE_FIELDS} }} }}
  viewer {{ role practice {{ timezone cancellationNoticeHours }} }} }}"""
CANCEL = """mutation($input: CancelSessionInput!) { cancelSession(input: $input) {
  lateCancellation session { status } userErrors { field code message } } }"""
CONFIRM = """mutation($input: ConfirmGuestBookingInput!) { confirmGuestBooking(input: $input) {
  booking { startsAt price { amount currency } practitioner { name timezone } }
  userErrors { field code message } } }"""

CLAIM = """mutation($input: ClaimWaitlistOfferInput!) { claimWaitlistOffer(input: $input) {
  session { startsAt price { amount currency } practitioner { name timezone } }
  subscription { id } userErrors { field code message } } }"""

# What a redirect's `?notice=` may say; anything else says nothing.
NOTICES = {
    "card-saved": "Your card is saved.",
    "cancelled": "The session is cancelled. Nothing is owed for it.",
    "late-cancelled": "The session is cancelled. As it was late, its fee stands.",
    "practice-open": "Your email is confirmed and your practice is open.",
    "form-sent": "Thank you: the form is sent.",
    "password-reset": "Your new password is set; every other sign-in has ended.",
    "joined-practice": "You have joined the practice as a practitioner.",
}


async def home(page: Page) -> Response:
    viewer = (await page.run(VIEWER)).data.get("viewer") if page.access_token else None
    if viewer is None:  # signed out, or a sign-in that expired: the form, here
        if page.access_token:
            page.sign_out()
        return page.render("sign_in.html", errors=[], email="",
                           next=safe_next(page.request.query_params.get("next")))
    notice = NOTICES.get(page.request.query_params.get("notice", ""))
    if viewer["client"] is None:
        return page.render("staff_home.html", viewer=viewer, notice=notice)
    mine = (await page.run(CLIENT_HOME)).data
    sessions = [e["node"] for e in mine["myAppointments"]["edges"]]
    return page.render("home.html", viewer=viewer, notice=notice, sessions=sessions,
                       forms=mine["myPendingForms"], zone=viewer["practice"]["timezone"])


async def cancel(page: Page) -> Response:
    if page.access_token is None:
        return page.sign_in_first()
    found = await _session(page)
    if found is None:
        return page.sign_in_first()
    session, practice = found
    terms = cancellation_terms(session)
    errors: list[dict[str, Any]] = []
    changed = False
    if page.request.method == "POST" and session["status"] == "SCHEDULED":
        changed = page.form.get("terms") != terms.kind
        if not changed:
            answer = await page.run(CANCEL, {"input": {
                "sessionId": session["id"], "reason": page.form.get("reason") or None}})
            errors = answer.user_errors("cancelSession")
            if not errors:
                late = answer.payload("cancelSession")["lateCancellation"]
                return page.redirect(f"/?notice={'late-cancelled' if late else 'cancelled'}")
    return page.render("cancel.html", status=400 if errors else 200, session=session,
                       terms=terms, errors=errors, changed=changed, zone=practice["timezone"])


async def _session(page: Page) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The session and its practice; None when the sign-in no longer verifies."""
    answer = await page.run(SESSION, {"id": page.request.path_params["session_id"]})
    session, viewer = answer.data.get("node"), answer.data.get("viewer")
    if viewer is None:
        return None
    if not session:  # another client's session is not found, as a missing one
        raise Refused(404, "There is no such session in your account.")
    return session, viewer["practice"]





async def confirm_booking(page: Page, token: str) -> Response:
    answer = await page.run(CONFIRM, {"input": {"token": token}}, signed_in=False)
    payload = answer.payload("confirmGuestBooking")
    if payload.get("booking") is None:
        return page.render("confirm_booking.html", status=400, token_kept=True,
                           errors=payload.get("userErrors") or [], booking=None)
    page.drop_link_token()
    return page.render("confirm_booking.html", token_kept=False, errors=[],
                       booking=payload["booking"])


async def claim_offer(page: Page, token: str) -> Response:
    """The offer's token is the claim's idempotency key too: a double submit books once."""
    answer = await page.run(CLAIM, {"input": {"token": token, "idempotencyKey": token[:200]}},
                            signed_in=False)
    payload = answer.payload("claimWaitlistOffer")
    if payload.get("session") is None and payload.get("subscription") is None:
        return page.render("claim_offer.html", status=400, token_kept=True,
                           errors=payload.get("userErrors") or [], booking=None, place=False)
    page.drop_link_token()
    return page.render("claim_offer.html", token_kept=False, errors=[],
                       booking=payload.get("session"), place=payload.get("subscription"))


def routes(site: Site) -> list[BaseRoute]:
    return [
        Route("/", endpoint(site, home), methods=["GET"]),
        Route("/client/sessions/{session_id}/cancel", endpoint(site, cancel),
              methods=["GET", "POST"]),
        EmailedLink(CONFIRM_BOOKING_PATH, "confirm_booking.html", confirm_booking).route(site),
        EmailedLink(CLAIM_PATH, "claim_offer.html", claim_offer).route(site),
    ]
