"""The client pages Caseload serves while CASELOAD_APP_URL points at it: a client invited by
email sets a password, keeps a card, sees and cancels sessions under the policy (told first
what it costs), completes a form, confirms a held booking; an owner verifies their email.
Every form is CSRF-checked, no emailed token stays in an address, and a deployment with its
own front end gets none of these pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from caseload.settings import Settings
from tests.support.appointments import APPOINTMENT, booked, gateway_charges, iso
from tests.support.clients import INVITE, create_client, create_relationship
from tests.support.clock import TestClock
from tests.support.graphql import (
    PASSWORD,
    REGISTER,
    SIGN_IN,
    GraphQLClient,
    Staff,
    register_practice,
    unique_email,
)
from tests.support.group_sessions import payer
from tests.support.mailbox import Mailbox
from tests.support.pages import Browser, forms_of, links_in, text_of
from tests.support.server import RunningServer, start_server
from tests.support.staff import accept_staff, invited_token, sent_invitations
from tests.support.widgets import book_as_guest, create_key, guest_input, session_of

NEW_PASSWORD = "a garden of forking paths"
CHARGES = "query($id: ID!) { node(id: $id) { ... on Session { status charge { status } } } }"
FORMS = "query($id: ID!) { node(id: $id) { ... on Client { intakeForms { status answers } } } }"
HOLD = "query($id: ID!) { node(id: $id) { ... on Session { awaitingConfirmationUntil status } } }"
REQUEST_FORM = """mutation($input: RequestIntakeFormInput!) { requestIntakeForm(input: $input) {
  form { id } userErrors { field code message } } }"""


@pytest.fixture
def browser(server: RunningServer) -> Iterator[Browser]:
    person = Browser(server.base_url)
    yield person
    person.close()


def invited(client: GraphQLClient, owner: Staff, mailbox: Mailbox) -> tuple[str, str, str]:
    """A client on file, emailed an invitation: (client id, email, the invitation's link)."""
    email = unique_email("invited")
    created = create_client(client, owner, "Robin", "Invited", email=email)
    payload = client.data(INVITE, {"input": {"clientId": created["id"]}}, token=owner.token)
    assert payload["inviteClient"]["userErrors"] == []
    [invitation] = mailbox.wait_for(email)
    [link] = [link for link in links_in(invitation) if "/client/accept-invite?" in link]
    return created["id"], email, link


def accepted(browser: Browser, link: str) -> httpx.Response:
    page = browser.open(link)
    return browser.press(page, "Set my password", password=NEW_PASSWORD,
                         password_again=NEW_PASSWORD)


def test_an_invited_client_sets_a_password_adds_a_card_and_cancels_a_session_in_time(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, browser: Browser,
    monday: datetime,
) -> None:
    # given a practice that invited a client by email
    owner = register_practice(client, sessionPrice="80.00")
    client_id, email, link = invited(client, owner, mailbox)

    # when the client opens the link: the token leaves the address at once
    page = browser.open(link)
    assert page.status_code == 200
    assert [urlsplit(str(r.headers["location"])).query for r in page.history] == [""]
    assert page.url.path == "/client/accept-invite" and page.url.query == b""
    assert "Choose the password you will sign in with" in text_of(page)

    # and sets a password: signed in, on to the card page
    page = browser.press(page, "Set my password", password=NEW_PASSWORD,
                         password_again=NEW_PASSWORD)
    assert page.url.path == "/client/payment-method"
    assert "You have no card on file yet" in text_of(page)
    page = browser.press(page, "Save my card", token="tok_mastercard")
    assert "Mastercard ending 4444. Replace your card" in text_of(page)
    assert "Your card is saved." in text_of(page)

    # and the practice books a session for Monday (76 hours ahead)
    relationship = create_relationship(client, owner, [client_id])
    session = booked(client, owner.token, relationshipId=relationship["id"],
                     startsAt=monday + timedelta(hours=4), durationMinutes=50)
    home = browser.open("/")
    assert "with Ada Owner for Robin, 80.00 GBP. Status: scheduled" in text_of(home)

    # then the cancel page says it costs nothing before anything is done
    page = browser.open(f"/client/sessions/{session['id']}/cancel")
    assert ("You are cancelling with more than 48 hours' notice, so it costs nothing"
            in text_of(page))
    assert client.data(CHARGES, {"id": session["id"]}, token=owner.token)["node"] == {
        "status": "SCHEDULED", "charge": None}

    # and confirming cancels it: CANCELLED for the API, nothing charged
    page = browser.press(page, "Cancel it at no cost")
    assert page.url.path == "/" and "The session is cancelled. Nothing is owed" in text_of(page)
    assert client.data(CHARGES, {"id": session["id"]}, token=owner.token)["node"] == {
        "status": "CANCELLED", "charge": None}
    assert gateway_charges(server, session["id"]) == []
    # and the password works for the API too
    signed_in = client.data(SIGN_IN, {"input": {"email": email, "password": NEW_PASSWORD}})
    assert signed_in["signIn"]["userErrors"] == []


def test_a_late_cancellation_is_priced_before_it_is_confirmed(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser, monday: datetime,
    clock: TestClock,
) -> None:
    # given a signed-in client with a card and a session on Monday
    owner = register_practice(client, sessionPrice="80.00")
    client_id, _, link = invited(client, owner, mailbox)
    browser.press(accepted(browser, link), "Save my card", token="tok_visa")
    relationship = create_relationship(client, owner, [client_id])
    session = booked(client, owner.token, relationshipId=relationship["id"],
                     startsAt=monday + timedelta(hours=4), durationMinutes=50)

    # when the client opens the cancel page outside the window, and the window opens meanwhile
    page = browser.open(f"/client/sessions/{session['id']}/cancel")
    clock.set(monday - timedelta(hours=20))
    again = browser.press(page, "Cancel it at no cost")

    # then nothing is cancelled: the page says again what it now costs
    assert again.status_code == 200
    text = text_of(again)
    assert "What cancelling costs has changed since the page was shown" in text
    assert "this is a late cancellation: a fee of 80.00 GBP (100% of the price) stands" in text
    assert client.data(CHARGES, {"id": session["id"]}, token=owner.token)["node"][
        "status"] == "SCHEDULED"

    # and confirming that answers LATE_CANCELLED
    done = browser.press(again, "Cancel it and pay 80.00 GBP")
    assert "As it was late, its fee stands" in text_of(done)
    assert client.data(CHARGES, {"id": session["id"]}, token=owner.token)["node"][
        "status"] == "LATE_CANCELLED"


def test_forms_without_the_pages_csrf_token_or_from_another_origin_change_nothing(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given a client who opened their invitation
    owner = register_practice(client)
    _, email, link = invited(client, owner, mailbox)
    page = browser.open(link)
    [form] = [f for f in forms_of(page.text) if "Set my password" in f.buttons]
    values = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}

    # when the form is sent without its token, with a wrong one, or from another site
    missing = browser.http.post("/client/accept-invite", data=values)
    wrong = browser.http.post("/client/accept-invite", data={**values, "csrf": "0" * 64})
    foreign = browser.http.post("/client/accept-invite", data={**form.hidden, **values},
                                headers={"Origin": "https://evil.example"})

    # then each is refused and no password is set
    assert [r.status_code for r in (missing, wrong, foreign)] == [403, 403, 403]
    assert "This form has expired" in text_of(missing)
    assert "This form may only be sent from this site" in text_of(foreign)
    signed_in = client.data(SIGN_IN, {"input": {"email": email, "password": NEW_PASSWORD}})
    assert signed_in["signIn"]["accessToken"] is None


def test_cookies_and_headers_of_the_pages(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given an invitation's link
    owner = register_practice(client)
    _, _, link = invited(client, owner, mailbox)

    # when it is opened, then its token is kept in a cookie of that page only, for an hour
    first = browser.http.get(urlsplit(link).path + "?" + urlsplit(link).query,
                             follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (303, "/client/accept-invite")
    cookies = {c.split("=")[0]: c for c in first.headers.get_list("set-cookie")}
    assert "Path=/client/accept-invite" in cookies["caseload_link"]
    for cookie in cookies.values():
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie

    # and signing in sets the access token as an HttpOnly cookie
    page = browser.press(browser.open("/client/accept-invite"), "Set my password",
                         password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    [access] = [c for r in page.history for c in r.headers.get_list("set-cookie")
                if c.startswith("caseload_access=")]
    assert "HttpOnly" in access and "Path=/" in access

    # and every page has the widget page's headers, and stricter ones
    for response in (first, page, browser.open("/")):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
        assert "script-src" not in policy and "default-src 'none'" in policy


def test_a_used_link_and_a_link_never_opened_say_so(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    owner = register_practice(client)
    _, _, link = invited(client, owner, mailbox)
    assert accepted(browser, link).status_code == 200

    # when the same link is used again from another browser
    other = Browser(browser.base_url)
    again = accepted(other, link)
    never = other.open("/client/confirm-booking")
    other.close()

    # then it says why, and changes nothing
    assert again.status_code == 400
    assert "That did not work: This invitation link is not valid; ask for a new one." in (
        text_of(again))
    assert "Open this page from the link in your email" in text_of(never)


def test_signing_in_and_out_and_a_page_that_needs_it(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    owner = register_practice(client)
    _, email, link = invited(client, owner, mailbox)
    accepted(Browser(browser.base_url), link)

    # when a signed-out person opens the card page, they are asked to sign in first
    page = browser.open("/client/payment-method")
    assert page.url.path == "/" and "Sign in" in text_of(page)
    wrong = browser.press(page, "Sign in", email=email, password="not the password")
    assert wrong.status_code == 400 and "That did not work" in text_of(wrong)

    # and signing in brings them back to it
    page = browser.press(wrong, "Sign in", email=email, password=NEW_PASSWORD)
    assert page.url.path == "/client/payment-method"
    out = browser.press(page, "Sign out")
    assert out.url.path == "/" and "Sign in" in text_of(out)


def test_a_client_completes_a_pending_intake_form(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given a signed-in client whose practice asks for a form
    owner = register_practice(client)
    client_id, _, link = invited(client, owner, mailbox)
    accepted(browser, link)
    payload = client.data(REQUEST_FORM, {"input": {
        "clientId": client_id, "title": "First visit", "questions": ["Why now?", "Allergies?"]}},
        token=owner.token)["requestIntakeForm"]
    assert payload["userErrors"] == []

    # when the client opens it from their home page and answers
    home = browser.open("/")
    assert "First visit (about Robin Invited)" in text_of(home)
    page = browser.open(f"/client/intake-forms/{payload['form']['id']}")
    assert "Why now?" in text_of(page) and "Allergies?" in text_of(page)
    done = browser.press(page, "Send the form", **{"answer-0": "Stress", "answer-1": "None"})

    # then the practice has the answers, and nothing is pending any more
    assert "Thank you: the form is sent." in text_of(done)
    assert "No forms are waiting for you." in text_of(done)
    [form] = client.data(FORMS, {"id": client_id}, token=owner.token)["node"]["intakeForms"]
    assert form == {"status": "COMPLETED", "answers": {"answers": [
        {"question": "Why now?", "answer": "Stress"},
        {"question": "Allergies?", "answer": "None"}]}}


def test_an_owner_verifies_their_email_on_the_page_the_link_opens(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given someone who signed up
    email = unique_email("founder")
    registered = client.data(REGISTER, {"input": {
        "practiceName": "Quiet Harbour", "name": "Fay Founder", "email": email,
        "password": PASSWORD, "timezone": "Europe/London"}})
    assert registered["registerPractice"]["userErrors"] == []
    [verification] = mailbox.wait_for(email)
    [link] = [link for link in links_in(verification) if "/verify-email?" in link]

    # when they open the link: nothing happens until they confirm
    page = browser.open(link)
    assert "Confirm that this address is yours" in text_of(page)
    assert client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})[
        "signIn"]["accessToken"] is None

    # then confirming opens the practice and signs them in
    done = browser.press(page, "Confirm my email")
    assert "Your email is confirmed and your practice is open." in text_of(done)
    assert "Quiet Harbour" in text_of(done) and "GraphiQL" in text_of(done)
    assert client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})[
        "signIn"]["accessToken"]


@pytest.mark.parametrize(("environ", "served"), [
    ({}, True),
    ({"CASELOAD_APP_URL": "https://app.example.com"}, False),
    ({"CASELOAD_APP_URL": "https://caseload.example.com", "CASELOAD_CLIENT_PAGES": "1"}, True),
    ({"CASELOAD_CLIENT_PAGES": "0"}, False),
])
def test_the_pages_step_aside_for_a_front_end_of_its_own(
    environ: dict[str, str], served: bool, test_env: dict[str, str], clock: TestClock,
) -> None:
    # given a server whose CASELOAD_APP_URL (and CASELOAD_CLIENT_PAGES) is as given
    settings = Settings.from_env({**test_env, **environ})
    assert settings.client_pages is served
    running = start_server(settings, clock, jobs=False)
    try:
        # when the addresses emails link to are opened
        paths = ["/", "/client/accept-invite", "/client/payment-method",
                 "/client/confirm-booking", "/verify-email", "/staff/accept-invite"]
        statuses = {httpx.get(running.base_url + p, follow_redirects=True).status_code
                    for p in paths}
    finally:
        running.stop()

    # then Caseload answers them, or leaves them to the front end
    assert statuses == ({200} if served else {404})


def test_a_session_of_another_client_is_not_found(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser, monday: datetime,
) -> None:
    # given two clients of one practice, one with a session
    owner = register_practice(client)
    other_id, _, other_link = invited(client, owner, mailbox)
    other = Browser(browser.base_url)
    other.press(accepted(other, other_link), "Save my card", token="tok_visa")
    other.close()
    relationship = create_relationship(client, owner, [other_id])
    session = booked(client, owner.token, relationshipId=relationship["id"],
                     startsAt=iso(monday + timedelta(hours=4)), durationMinutes=50)
    _, _, link = invited(client, owner, mailbox)
    accepted(browser, link)

    # when the other client opens its cancel page and sends its form
    page = browser.open(f"/client/sessions/{session['id']}/cancel")

    # then it is not found, and still scheduled
    assert page.status_code == 404
    assert client.data(APPOINTMENT, {"id": session["id"]}, token=owner.token)["node"][
        "status"] == "SCHEDULED"


def test_a_client_on_file_confirms_a_guest_booking_on_the_page_its_link_opens(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser, monday: datetime,
) -> None:
    # given a client on file with a card, and a guest who booked with their email
    owner = register_practice(client, sessionPrice="80.00")
    maya = payer(client, owner, mailbox)
    key = create_key(client, owner)
    held = book_as_guest(client, key, guest_input(
        owner.practitioner_id, monday + timedelta(hours=4), maya.email))["booking"]
    [request] = [m for m in mailbox.wait_for(maya.email, 2) if "Please confirm" in m.subject]
    [link] = [link for link in links_in(request) if "/client/confirm-booking?" in link]

    # when Maya opens the link: it is still held
    page = browser.open(link)
    assert "If it was you, confirm it" in text_of(page)
    node = client.data(HOLD, {"id": session_of(held["reference"])}, token=owner.token)["node"]
    assert node["awaitingConfirmationUntil"] is not None

    # then confirming books it, and the page says so
    done = browser.press(page, "Confirm the session")
    assert "Your session is booked With Ada Owner on Monday" in text_of(done)
    assert "for 80.00 GBP, paid with your card on file" in text_of(done)
    node = client.data(HOLD, {"id": session_of(held["reference"])}, token=owner.token)["node"]
    assert node == {"awaitingConfirmationUntil": None, "status": "SCHEDULED"}


REQUEST_RESET = """mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { userErrors { code } } }"""


def test_a_forgotten_password_is_reset_on_the_page_the_reset_link_opens(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given an owner who forgot their password and asked for a reset link
    owner = register_practice(client)
    assert client.data(REQUEST_RESET, {"input": {"email": owner.email}})[
        "requestPasswordReset"]["userErrors"] == []
    got = mailbox.wait_for(owner.email, 3)  # after the sign-up's confirmation and welcome
    [email] = [m for m in got if "Reset" in m.subject]
    [link] = [link for link in links_in(email) if "/reset-password?" in link]

    # when they open it: the token leaves the address, and typing two passwords that differ
    # changes nothing
    page = browser.open(link)
    assert page.url.path == "/reset-password" and page.url.query == b""
    differ = browser.press(page, "Set my new password", password=NEW_PASSWORD,
                           password_again="something else entirely")
    assert differ.status_code == 400 and "The two passwords differ." in text_of(differ)
    assert client.data(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}})[
        "signIn"]["accessToken"]

    # then setting the new one signs them in, and only the new password signs in from then
    done = browser.press(differ, "Set my new password", password=NEW_PASSWORD,
                         password_again=NEW_PASSWORD)
    assert "Your new password is set" in text_of(done)
    old = client.data(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}})
    assert old["signIn"]["accessToken"] is None
    new = client.data(SIGN_IN, {"input": {"email": owner.email, "password": NEW_PASSWORD}})
    assert new["signIn"]["accessToken"]
    # and the link works once
    assert "A link works once" in text_of(browser.open("/reset-password"))


def test_a_person_who_signs_in_joins_a_practice_as_staff_on_the_page_the_invitation_opens(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given the owner of one practice, invited as a practitioner by another
    owner = register_practice(client)
    other = register_practice(client, practiceName="Second Practice")
    _, token = invited_token(client, other, mailbox, owner.email)
    [invitation] = sent_invitations(mailbox, owner.email)
    [link] = [link for link in links_in(invitation) if "/staff/accept-invite?" in link]

    # when they open it: the token leaves the address; a wrong password changes nothing
    page = browser.open(link)
    assert page.url.path == "/staff/accept-invite" and page.url.query == b""
    assert "If you already sign in to Caseload with the email" in text_of(page)
    wrong = browser.press(page, "Accept the invitation", password=NEW_PASSWORD,
                          password_again=NEW_PASSWORD)
    assert wrong.status_code == 400
    assert "give that account's password to join this practice" in text_of(wrong)

    # then their own password joins them, signed in to the second practice
    done = browser.press(wrong, "Accept the invitation", password=PASSWORD,
                         password_again=PASSWORD)
    assert done.url.path == "/"
    assert "You have joined the practice as a practitioner." in text_of(done)
    assert "Second Practice" in text_of(done)
    # and the link works once
    assert "A link works once" in text_of(browser.open("/staff/accept-invite"))
    assert accept_staff(client, token)["userErrors"][0]["code"] == "INVALID_TOKEN"


JOIN_WAITLIST = """mutation($input: JoinWaitlistInput!) { joinWaitlist(input: $input) {
  entry { id } userErrors { field code message } } }"""
ENTRY = "query($id: ID!) { node(id: $id) { ... on WaitlistEntry { status } } }"


def test_a_waitlisted_client_claims_a_freed_time_on_the_page_its_link_opens(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser, server: RunningServer,
    monday: datetime,
) -> None:
    # given a client in line for ten o'clock, taken by another client's session
    owner = register_practice(client, sessionPrice="80.00")
    ten = monday + timedelta(hours=28)
    taken = booked(client, owner.token, startsAt=ten, relationshipId=create_relationship(
        client, owner, [payer(client, owner, mailbox).client_id])["id"])
    maya = payer(client, owner, mailbox)
    joined = client.data(JOIN_WAITLIST, {"input": {
        "relationshipId": create_relationship(client, owner, [maya.client_id])["id"],
        "from": iso(ten - timedelta(hours=1)), "to": iso(ten + timedelta(hours=2))}},
        token=owner.token)["joinWaitlist"]
    assert joined["userErrors"] == []

    # when the session is cancelled and Maya opens the offer's link
    assert client.data("""mutation($input: CancelSessionInput!) { cancelSession(input: $input) {
      userErrors { code } } }""", {"input": {"sessionId": taken["id"]}},
        token=owner.token)["cancelSession"]["userErrors"] == []
    server.drain()
    [offer] = [m for m in mailbox.wait_for(maya.email, 2) if "is free" in m.subject]
    [link] = [link for link in links_in(offer) if "/waitlist/claim?" in link]
    page = browser.open(link)

    # then the page offers the claim and opening it booked nothing
    assert "Claim it and it is booked" in text_of(page)
    assert urlsplit(str(page.url)).query == ""
    entry = client.data(ENTRY, {"id": joined["entry"]["id"]}, token=owner.token)["node"]
    assert entry["status"] == "OFFERED"
    # and claiming books it, once, as the page then says
    done = browser.press(page, "Claim it")
    assert "Your session is booked With Ada Owner on" in text_of(done)
    assert "for 80.00 GBP, paid with your card on file" in text_of(done)
    entry = client.data(ENTRY, {"id": joined["entry"]["id"]}, token=owner.token)["node"]
    assert entry["status"] != "OFFERED"
    again = browser.open("/waitlist/claim")
    assert "A link works once" in text_of(again)


def test_the_pages_count_against_the_request_budgets_of_graphql(
    test_env: dict[str, str], clock: TestClock,
) -> None:
    # given a server that lets an address make 3 requests a minute
    env = {**test_env, "RATE_LIMIT_ANONYMOUS": "3/60",
           "REDIS_NAMESPACE": f"{test_env['REDIS_NAMESPACE']}-pages"}
    running = start_server(Settings.from_env(env), clock, jobs=False)
    try:
        # when a page is opened four times
        answers = [httpx.get(running.base_url + "/") for _ in range(4)]
        # and /graphql is asked after
        api = httpx.post(running.base_url + "/graphql", json={"query": "{ viewer { role } }"})
    finally:
        running.stop()

    # then the fourth is refused with when to try again, and so is the API: one budget
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[3].headers["retry-after"]) > 0
    assert "Too many requests; try again in" in text_of(answers[3])
    assert answers[3].headers["content-security-policy"].startswith("default-src 'none'")
    assert api.status_code == 429


def test_a_forged_or_expired_sign_in_cookie_asks_to_sign_in_again(browser: Browser) -> None:
    # given a browser whose sign-in cookie does not verify
    browser.http.cookies.set("caseload_access", "eyJhbGciOiJIUzI1NiJ9.e30.forged")

    # when it opens the home and the card pages
    home = browser.open("/")
    card = browser.open("/client/payment-method")

    # then each asks to sign in, and the page drops the cookie
    for page in (home, card):
        assert page.status_code == 200 and page.url.path == "/"
        assert [f.buttons for f in forms_of(page.text)] == [["Sign in"]]
        dropped = [c for r in (*page.history, page) for c in r.headers.get_list("set-cookie")
                   if c.startswith('caseload_access="";') or c.startswith("caseload_access=;")]
        assert dropped and "Max-Age=0" in dropped[-1]


def test_a_form_larger_than_max_body_bytes_is_refused(browser: Browser) -> None:
    page = browser.open("/")
    [form] = forms_of(page.text)
    answer = browser.http.post("/client/sign-in", data={
        **form.hidden, "email": "a@example.com", "password": "x" * 300_000})
    assert answer.status_code == 413
    assert "The form is larger than 262144 bytes." in text_of(answer)


def test_refusals_of_the_api_are_pages_that_say_why(
    client: GraphQLClient, mailbox: Mailbox, browser: Browser,
) -> None:
    # given a signed-in client
    owner = register_practice(client)
    _, email, link = invited(client, owner, mailbox)
    accepted(browser, link)

    # when they open a session address that is not one, or sign in with a password too long
    garbage = browser.open("/client/sessions/not-an-id/cancel")
    signed_out = Browser(browser.base_url)
    too_long = signed_out.press(signed_out.open("/"), "Sign in", email=email,
                                password="x" * 10_001)
    signed_out.close()

    # then each says so, with no error of ours
    assert garbage.status_code == 404
    assert "There is no such session in your account" in text_of(garbage)
    assert too_long.status_code == 400
    assert "This request is not right" in text_of(too_long)

    # and when someone else guesses their password until sign-in pauses
    stranger = Browser(browser.base_url)
    page = stranger.open("/")
    for _ in range(4):
        page = stranger.press(page, "Sign in", email=email, password="a wrong guess")
    paused = stranger.press(page, "Sign in", email=email, password=NEW_PASSWORD)
    stranger.close()

    # then the page says when to try again, as the API does
    assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
    assert "Too many failed sign-ins for this email; try again in" in text_of(paused)
