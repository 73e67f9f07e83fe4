"""From the widget to the client pages in a real browser (Debian's Chromium through
Playwright) against a real `caseload serve`: a guest books through the widget, opens the
invitation email's link, sets a password, adds a card, sees the session and cancels it in
time; then the API shows it CANCELLED and nothing charged."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.platform.test_e2e import live_server  # noqa: F401 (the fixture caseload_serve uses)
from tests.support.graphql import GraphQLClient, register_practice, unique_email
from tests.support.mailbox import Mailbox
from tests.support.pages import links_in
from tests.support.widgets import create_key, practice_clients
from tests.widgets.test_widget_browser import chromium_page

PASSWORD = "a garden of forking paths"


@pytest.fixture
def caseload_serve(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("live_server"))


def book_through_the_widget(page: Page, first_name: str, email: str, card: str) -> None:
    """The widget's steps as a person takes them, by its roles and labels: the first free
    time, their own details, a card token, and the confirmation."""
    page.get_by_role("button", name=re.compile(r"\d:\d\d")).first.click()
    page.get_by_label("Your first name").fill(first_name)
    page.get_by_label("Your last name").fill("Guest")
    page.get_by_label("Your email").fill(email)
    page.get_by_label("Card token").fill(card)
    page.get_by_role("button", name="Book session").click()
    expect(page.get_by_text("A confirmation is on its way by email")).to_be_visible(
        timeout=30_000)


def test_a_guest_books_in_the_widget_then_signs_up_adds_a_card_and_cancels_in_time(
    caseload_serve: str, mailbox: Mailbox
) -> None:
    # given a practice with a publishable key
    api = GraphQLClient(caseload_serve, mailbox)
    owner = register_practice(api, sessionPrice="80.00")
    key = create_key(api, owner)
    email = unique_email("guest")

    with chromium_page() as page:
        # when a guest books on the widget page, paying with a card token
        page.goto(f"{caseload_serve}/widget/book?key={key.text}")
        book_through_the_widget(page, "Sam", email, "tok_visa")

        # and opens the invitation's link (on this server: the default names port 8000)
        [invitation] = [m for m in mailbox.wait_for(email, 2, 60) if "invites you" in m.subject]
        [link] = [link for link in links_in(invitation) if "/client/accept-invite?" in link]
        parts = urlsplit(link)
        page.goto(f"{caseload_serve}{parts.path}?{parts.query}")
        expect(page).to_have_url(f"{caseload_serve}/client/accept-invite")  # token gone

        # and sets a password, then adds a card
        page.get_by_label("New password").fill(PASSWORD)
        page.get_by_label("The same password again").fill(PASSWORD)
        page.get_by_role("button", name="Set my password").click()
        page.get_by_label("Mastercard ending 4444").check()
        page.get_by_role("button", name="Replace my card").click()
        expect(page.get_by_role("status")).to_have_text("Your card is saved.")

        # then the session is there, and cancelling it in time is said to cost nothing
        upcoming = page.get_by_role("region", name="Upcoming sessions")
        expect(upcoming).to_contain_text("with Ada Owner for Sam, 80.00 GBP")
        upcoming.get_by_role("link", name=re.compile("Cancel this session on")).click()
        expect(page.locator("#terms")).to_contain_text("so it costs nothing")
        page.get_by_role("button", name="Cancel it at no cost").click()
        expect(page.get_by_role("status")).to_have_text(
            "The session is cancelled. Nothing is owed for it.")
        expect(page.get_by_role("region", name="Upcoming sessions")).not_to_contain_text(
            "Status: scheduled")

    # and the API shows it CANCELLED, nothing charged, the new card on file
    [sam] = practice_clients(api, owner)
    assert (sam["email"], sam["hasAccount"]) == (email, True)
    assert sam["paymentMethod"] == {"brand": "mastercard", "last4": "4444"}
    [relationship] = sam["relationships"]
    [appointment] = [e["node"] for e in relationship["sessions"]["edges"]]
    assert (appointment["status"], appointment["charge"]) == ("CANCELLED", None)
