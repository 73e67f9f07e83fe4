"""Every link in every email leads somewhere on the default setup. The test sends each email
template that holds a link through the flow that sends it for real, then follows every link
of every email received (its HTML and text parts) and needs a page, never a 404. Which
template an email came from is read off its Message-ID; a template in jobs/email/templates
with a link that no flow here sends fails the test, so a new one is caught."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from importlib import resources

from caseload.settings import DEFAULT_APP_URL
from jobs.email.adapters import message_id
from tests.support.appointments import add_card, booked, cancel, reschedule
from tests.support.clients import (
    FULL_PROFILE,
    create_client,
    create_relationship,
    signed_in_client,
)
from tests.support.clock import TestClock
from tests.support.graphql import (
    PASSWORD,
    REGISTER,
    SIGN_IN,
    GraphQLClient,
    Staff,
    add_practitioner,
    register_practice,
    unique_email,
)
from tests.support.group_sessions import JUNE_1, enrolled, payer, studio
from tests.support.jobs import sweep
from tests.support.mailbox import Mailbox, Received
from tests.support.pages import Browser, links_in, text_of
from tests.support.server import RunningServer
from tests.support.staff import invited_token
from tests.support.widgets import book_as_guest, create_key, guest_input

REQUEST_FORM = """mutation($input: RequestIntakeFormInput!) { requestIntakeForm(input: $input) {
  userErrors { code } } }"""
MIGRATE = """mutation($input: MigrateToFirstPartyInput!) { migrateToFirstParty(input: $input) {
  userErrors { code } } }"""
INVOICES = "query($id: ID!) { node(id: $id) { ... on Client { invoices { id } } } }"
SEND_INVOICE = """mutation($input: SendInvoiceInput!) { sendInvoice(input: $input) {
  userErrors { code } } }"""
REQUEST_RESET = """mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { userErrors { code } } }"""
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) {
  userErrors { code } } }"""
JOIN_WAITLIST = """mutation($input: JoinWaitlistInput!) { joinWaitlist(input: $input) {
  userErrors { code } } }"""
A_LINK = re.compile(r'href="|\{\{\s*\w*(url|link)\s*\}\}')


def templates_with_links() -> set[str]:
    folder = resources.files("jobs.email").joinpath("templates")
    found = set()
    for source in folder.iterdir():
        name, _, kind = source.name.partition(".")
        if kind in ("txt", "html") and name != "base" and A_LINK.search(source.read_text()):
            found.add(name)
    return found


def template_of(received: Received, names: set[str], sender: str) -> str:
    """The template whose Message-ID (outbox row, template, recipient) the email carries."""
    given = str(received.message["Message-ID"])
    outbox_id = uuid.UUID(hex=given.strip("<").split(".")[0])
    [name] = [n for n in names if message_id(outbox_id, n, received.to, sender) == given]
    return name


def accounts_emails(client: GraphQLClient, mailbox: Mailbox) -> tuple[Staff, list[str]]:
    """verify_email and welcome, registration_attempt, practitioner_added, sign_in_paused."""
    owner = register_practice(client, sessionPrice="80.00")
    client.data(REGISTER, {"input": {"practiceName": "Again", "name": "Ada", "email": owner.email,
                                     "password": "correct horse battery",
                                     "timezone": "Europe/London"}})
    pat = add_practitioner(client, owner)
    for _ in range(4):
        client.data(SIGN_IN, {"input": {"email": pat.email, "password": "not it at all"}})
    mailbox.wait_for(owner.email, 3)
    mailbox.wait_for(pat.email, 2)
    return owner, [owner.email, pat.email]


def staff_invite_emails(client: GraphQLClient, owner: Staff, mailbox: Mailbox) -> list[str]:
    """practitioner_invite: to a new email, and to one that signs in to another practice."""
    newcomer = unique_email("newcomer")
    elsewhere = register_practice(client, practiceName="Elsewhere")
    for email in (newcomer, elsewhere.email):
        invited_token(client, owner, mailbox, email)
    return [newcomer, elsewhere.email]


def password_emails(client: GraphQLClient, owner: Staff, server: RunningServer) -> list[str]:
    """reset_password (asked for) and password_changed (changed while signed in)."""
    assert client.data(REQUEST_RESET, {"input": {"email": owner.email}})[
        "requestPasswordReset"]["userErrors"] == []
    server.drain()  # a change withdraws open reset links: their email is sent only before it
    token = client.data(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}})[
        "signIn"]["accessToken"]
    changed = {"currentPassword": PASSWORD, "newPassword": "a new passphrase"}
    assert client.data(CHANGE_PASSWORD, {"input": changed}, token=token)[
        "changePassword"]["userErrors"] == []
    return [owner.email]


def client_emails(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer,
    monday: datetime,
) -> list[str]:
    """client_invite, session_booked / rescheduled / cancelled, intake_form, confirm_booking,
    payment_failed (the sweep, a declined card), add_card and card_on_file (a migration)."""
    robin = payer(client, owner, mailbox)
    relationship = create_relationship(client, owner, [robin.client_id])["id"]
    starts = monday + timedelta(hours=4)
    session = booked(client, owner.token, relationshipId=relationship, startsAt=starts,
                     durationMinutes=50)
    assert reschedule(client, owner.token, session["id"], starts + timedelta(hours=1))[
        "userErrors"] == []
    server.drain()  # a move is announced only while the session stands: before cancelling
    assert cancel(client, owner.token, session["id"])["userErrors"] == []
    assert client.data(REQUEST_FORM, {"input": {"clientId": robin.client_id, "title": "Intake",
                                                "questions": ["Why now?"]}},
                       token=owner.token)["requestIntakeForm"]["userErrors"] == []
    book_as_guest(client, create_key(client, owner),
                  guest_input(owner.practitioner_id, starts + timedelta(hours=3), robin.email))
    declines = payer(client, owner, mailbox, card="tok_chargeDeclined")
    soon = monday - timedelta(days=2)  # a day from the clock's now: inside the window
    booked(client, owner.token, startsAt=soon, durationMinutes=50, relationshipId=(
        create_relationship(client, owner, [declines.client_id])["id"]))
    return [robin.email, declines.email, *migrated(client, owner, mailbox)]


def waitlist_emails(client: GraphQLClient, owner: Staff, mailbox: Mailbox,
                    server: RunningServer, monday: datetime) -> list[str]:
    """waitlist_offer: a time the waiting client wants is cancelled."""
    ten = monday + timedelta(hours=28)
    taken = payer(client, owner, mailbox).client_id
    session = booked(client, owner.token, startsAt=ten, durationMinutes=50,
                     relationshipId=create_relationship(client, owner, [taken])["id"])
    waiting_id, waiting_email, waiting_token = signed_in_client(client, owner, mailbox)
    add_card(client, waiting_token)
    span = {"from": (ten - timedelta(hours=2)).isoformat(),
            "to": (ten + timedelta(hours=3)).isoformat(),
            "relationshipId": create_relationship(client, owner, [waiting_id])["id"]}
    assert client.data(JOIN_WAITLIST, {"input": span}, token=waiting_token)[
        "joinWaitlist"]["userErrors"] == []
    assert cancel(client, owner.token, session["id"])["userErrors"] == []
    server.drain()
    return [waiting_email]


def migrated(client: GraphQLClient, owner: Staff, mailbox: Mailbox) -> list[str]:
    """Two children whose parent paid move to paying themselves, one with a card on file."""
    parent = create_client(client, owner, "Pam", "Young")["id"]
    new_email = unique_email("kit")
    kit = create_client(client, owner, "Kit", "Young", email=new_email, **FULL_PROFILE)
    carded_id, carded_email, carded_token = signed_in_client(client, owner, mailbox,
                                                             **FULL_PROFILE)
    add_card(client, carded_token)
    for child in (kit["id"], carded_id):
        old = create_relationship(client, owner, [child], kind="CHILD", payerId=parent)
        payload = client.data(MIGRATE, {"input": {"relationshipId": old["id"]}},
                              token=owner.token)
        assert payload["migrateToFirstParty"]["userErrors"] == []
    return [new_email, carded_email]


def invoice_emails(client: GraphQLClient, mailbox: Mailbox, clock: TestClock,
                   server: RunningServer) -> list[str]:
    """invoice (sent by the practice) and invoice_payment_failed (the month's charge, declined)."""
    clock.set(JUNE_1)
    place = studio(client)
    declines = payer(client, place.owner, mailbox, card="tok_chargeDeclined")
    enrolled(client, place.owner, clientId=declines.client_id, sessionId=place.tuesday,
             firstDate="2027-06-15")
    [invoice] = client.data(INVOICES, {"id": declines.client_id},
                            token=place.owner.token)["node"]["invoices"]
    sent = client.data(SEND_INVOICE, {"input": {"invoiceId": invoice["id"]}},
                       token=place.owner.token)["sendInvoice"]
    assert sent["userErrors"] == []
    server.drain()
    clock.set(JUNE_1.replace(month=7))
    sweep(server)
    return [declines.email]


def test_every_link_of_every_email_template_opens_a_page(
    client: GraphQLClient, mailbox: Mailbox, server: RunningServer, monday: datetime,
    clock: TestClock,
) -> None:
    # given every flow that sends an email with a link, on the default CASELOAD_APP_URL
    assert server.runtime.settings.app_url == DEFAULT_APP_URL
    owner, addresses = accounts_emails(client, mailbox)
    addresses += client_emails(client, owner, mailbox, server, monday)
    addresses += waitlist_emails(client, owner, mailbox, server, monday)
    addresses += staff_invite_emails(client, owner, mailbox)
    sweep(server)  # the declined card's session is due
    addresses += invoice_emails(client, mailbox, clock, server)
    addresses += password_emails(client, owner, server)  # last: it ends the owner's tokens
    server.drain()

    # when each link of each email received is followed, in a browser of its own
    names = {path.split(".")[0] for path in _template_files()}
    followed: dict[str, set[str]] = {}
    for received in [r for address in addresses for r in mailbox.to(address)]:
        template = template_of(received, names, server.runtime.settings.mail_from)
        for link in links_in(received):
            assert link.startswith(DEFAULT_APP_URL), (template, link)
            browser = Browser(server.base_url)
            page = browser.open(link)
            browser.close()
            # then it is a page: not a 404 (a used link, an expired one, a sign-in, say so)
            assert page.status_code == 200, (template, link, page.status_code)
            assert page.headers["content-type"].startswith("text/html"), (template, link)
            assert text_of(page), (template, link)
            followed.setdefault(template, set()).add(link)

    # and every template that holds a link was sent and followed
    missing = templates_with_links() - set(followed)
    assert not missing, f"no flow here sends {sorted(missing)}: add it to this test"


def _template_files() -> list[str]:
    folder = resources.files("jobs.email").joinpath("templates")
    return [p.name for p in folder.iterdir() if p.name.endswith(".subject.txt")]
