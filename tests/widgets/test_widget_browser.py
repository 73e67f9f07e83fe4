"""The reference widget in a real browser: headless Chromium (Debian's package) driven by
Playwright, on a practice's page served from another origin, against a real `caseload serve`.
It books a session for someone else; the API then shows the THIRD_PARTY relationship, the
session and the emails."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.platform.test_e2e import live_server  # noqa: F401 (the fixture caseload_serve uses)
from tests.support.graphql import GraphQLClient, register_practice, unique_email
from tests.support.mailbox import Mailbox, free_port
from tests.support.widgets import create_key, practice_clients

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Calm Waters Therapy</title></head>
<body><h1>Calm Waters Therapy</h1>
<script src="{caseload}/widget/widget.js" data-key="{key}" data-practice="{slug}"></script>
</body></html>"""


@contextlib.contextmanager
def chromium_page(**options: Any) -> Iterator[Page]:
    """A page in Debian's headless Chromium (Playwright's page `options`, e.g. viewport,
    timezone_id); without the browser, skip locally and fail under CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_page(**options)
        finally:
            browser.close()


@pytest.fixture
def caseload_serve(request: pytest.FixtureRequest) -> str:
    """`caseload serve` as a real process (and a worker with Redis): test_e2e's live_server."""
    return str(request.getfixturevalue("live_server"))


class PracticeSite:
    """The practice's own web site, on an origin of its own, with the widget's snippet."""

    def __init__(self) -> None:
        self.page = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def practice_site() -> Iterator[PracticeSite]:
    site = PracticeSite()
    yield site
    site.stop()


def test_a_guest_books_for_someone_else_through_the_widget_in_chromium(
    caseload_serve: str, practice_site: PracticeSite, mailbox: Mailbox
) -> None:
    # given a practice with a key for its own site, which embeds the widget's snippet
    api = GraphQLClient(caseload_serve, mailbox)
    owner = register_practice(api, sessionPrice="80.00")
    key = create_key(api, owner, [practice_site.origin])
    practice_site.page = HOST_PAGE.format(caseload=caseload_serve, key=key.text, slug=key.slug)
    booker_email, attendee_email = unique_email("parent"), unique_email("child")

    with chromium_page() as page:
        page.goto(practice_site.origin + "/")

        # when a visitor picks the practitioner and the first free time
        page.wait_for_selector("select[name=practitioner] option", state="attached")
        assert "Ada Owner" in page.inner_text("select[name=practitioner]")
        first_time = page.locator(".cw-times button").first
        first_time.wait_for()
        starts_at = first_time.get_attribute("data-starts-at")
        first_time.click()

        # and books for someone else, paying with a test card token
        page.check("input[name=for][value=other]")
        page.fill("input[name=bookerFirstName]", "Maya")
        page.fill("input[name=bookerLastName]", "Parent")
        page.fill("input[name=bookerEmail]", booker_email)
        page.fill("input[name=attendeeFirstName]", "Leo")
        page.fill("input[name=attendeeLastName]", "Child")
        page.fill("input[name=attendeeEmail]", attendee_email)
        page.fill("input[name=paymentToken]", "tok_visa")
        page.click("button[name=book]")

        # then the widget confirms the booking
        confirmed = page.wait_for_selector(".cw-confirmed", timeout=30_000)
        assert confirmed is not None
        assert confirmed.inner_text().startswith("Booked")
        assert "80.00 GBP" in confirmed.inner_text()
        assert page.inner_text(".cw-errors") == ""

    # and through the API: a THIRD_PARTY relationship the booker pays for, and the session
    clients = {c["email"]: c for c in practice_clients(api, owner)}
    assert set(clients) == {booker_email, attendee_email}
    booker, attendee = clients[booker_email], clients[attendee_email]
    assert (booker["firstName"], attendee["firstName"]) == ("Maya", "Leo")
    assert booker["paymentMethod"] == {"brand": "visa", "last4": "4242"}
    [relationship] = attendee["relationships"]
    assert (relationship["party"], relationship["status"]) == ("THIRD_PARTY", "ACTIVE")
    assert relationship["payer"]["id"] == booker["id"]
    [appointment] = [e["node"] for e in relationship["sessions"]["edges"]]
    assert appointment["startsAt"] == starts_at
    assert appointment["status"] == "SCHEDULED"
    assert appointment["payer"] == {"id": booker["id"]}
    assert appointment["attendees"] == [{"id": attendee["id"]}]

    # and the emails: the booker's confirmation and invitation, the attendee's copy
    booker_mail = sorted(r.subject.strip() for r in mailbox.wait_for(booker_email, 2, 60))
    assert booker_mail[0] == "Calm Waters Therapy invites you to your client dashboard"
    assert booker_mail[1].startswith("The session for Leo Child with Ada Owner is booked for")
    [copy] = mailbox.wait_for(attendee_email, 1, 60)
    assert copy.subject.strip().startswith("Your session with Ada Owner is booked for")


FRAMING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Calm Waters Therapy</title></head>
<body><h1>Calm Waters Therapy</h1>
<iframe src="{caseload}/widget/book?key={key}" title="Book a session" width="640"
        height="1100" style="border:0"></iframe>
</body></html>"""


def test_a_guest_books_for_themselves_through_the_widget_page_in_an_iframe(
    caseload_serve: str, practice_site: PracticeSite, mailbox: Mailbox
) -> None:
    # given a practice whose site frames the widget page Caseload serves for its key
    api = GraphQLClient(caseload_serve, mailbox)
    owner = register_practice(api, sessionPrice="80.00")
    key = create_key(api, owner, [practice_site.origin])
    practice_site.page = FRAMING_PAGE.format(caseload=caseload_serve, key=key.text)
    email = unique_email("self")

    with chromium_page() as page:
        page.goto(practice_site.origin + "/")
        widget = page.frame_locator("iframe")

        # when a visitor books the first free time for themselves
        first_time = widget.locator(".cw-times button").first
        first_time.wait_for()
        starts_at = first_time.get_attribute("data-starts-at")
        first_time.click()
        widget.locator("input[name=bookerFirstName]").fill("Sam")
        widget.locator("input[name=bookerLastName]").fill("Self")
        widget.locator("input[name=bookerEmail]").fill(email)
        widget.locator("input[name=paymentToken]").fill("tok_mastercard")
        widget.locator("button[name=book]").click()

        # then the framed widget confirms it
        confirmed = widget.locator(".cw-confirmed")
        confirmed.wait_for(timeout=30_000)
        assert confirmed.inner_text().startswith("Booked")

    # and through the API: a FIRST_PARTY relationship, the session, the emails
    [sam] = practice_clients(api, owner)
    assert (sam["email"], sam["paymentMethod"]) == (email, {"brand": "mastercard",
                                                            "last4": "4444"})
    [relationship] = sam["relationships"]
    assert relationship["party"] == "FIRST_PARTY"
    [appointment] = [e["node"] for e in relationship["sessions"]["edges"]]
    assert appointment["startsAt"] == starts_at
    subjects = sorted(r.subject.strip() for r in mailbox.wait_for(email, 2, 60))
    assert subjects[0] == "Calm Waters Therapy invites you to your client dashboard"
    assert subjects[1].startswith("Your session with Ada Owner is booked for")
