"""The widget by keyboard alone at 375 px, checked with axe-core at every step: a visitor
books for someone else without touching a mouse; focus moves to each step; an error stands
next to its field; the confirmation holds the short reference and an .ics. A screenshot of
each step is written under the test's temporary folder, for a person to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import Page

from tests.support.graphql import GraphQLClient, register_practice, unique_email
from tests.support.mailbox import Mailbox
from tests.support.widgets import create_key, practice_clients
from tests.widgets.test_widget_browser import PracticeSite, chromium_page

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
THEMED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Calm Waters Therapy</title></head>
<body><main><h1>Calm Waters Therapy</h1>
<script src="{caseload}/widget/widget.js" data-key="{key}" data-practice="{slug}"
  style="--cw-accent: #6b2fa0; --cw-radius: 12px; --cw-font: Georgia, serif"></script>
</main></body></html>"""
FRIENDLY = re.compile(r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$")
FOCUSED = """() => { const e = document.activeElement; return {
  tag: e.tagName, name: e.getAttribute('name'), id: e.id, label: e.getAttribute('aria-label'),
  text: (e.textContent || '').trim(), value: e.value || null, day: e.getAttribute('data-day'),
  startsAt: e.getAttribute('data-starts-at') }; }"""
THEME = """() => {
  const day = document.querySelector('.caseload-widget td button:not([disabled])');
  return [getComputedStyle(day).borderRadius,
          getComputedStyle(day.closest('.caseload-widget')).fontFamily];
}"""
AXE_RUN = """async () => {
  const found = await axe.run(document, { resultTypes: ['violations'] });
  return found.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')) }));
}"""


def axe_core() -> Path:
    if not AXE.exists():
        message = "axe-core is missing: (cd tests/widgets/axe && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


class Steps:
    """Screenshots and axe-core at each step."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        self.axe_loaded = False

    def check(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count}-{name}.png"), full_page=True)
        if not self.axe_loaded:
            self.page.add_script_tag(path=str(axe_core()))
            self.axe_loaded = True
        violations = self.page.evaluate(AXE_RUN)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{name}: {bad}"
        # nothing wider than the screen: no sideways scrolling
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], f"{name}: {width}px wide"  # type: ignore[index]


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(FOCUSED)  # type: ignore[no-any-return]


def tab_to(page: Page, wanted: dict[str, Any], limit: int = 80) -> dict[str, Any]:
    """Tab forward until the focused element has every wanted property."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if all(now.get(k) == v if v is not True else now.get(k) for k, v in wanted.items()):
            return now
    raise AssertionError(f"Tab never reached {wanted}; last {focused(page)}")


def type_into(page: Page, name: str, text: str) -> None:
    tab_to(page, {"name": name})
    page.keyboard.type(text)


def test_a_visitor_books_for_someone_else_by_keyboard_at_375px_with_no_serious_axe_issue(
    caseload_serve: str, practice_site: PracticeSite, mailbox: Mailbox, tmp_path: Path
) -> None:
    # given a practice whose site embeds the widget with theme variables on the snippet
    api = GraphQLClient(caseload_serve, mailbox)
    owner = register_practice(api, sessionPrice="80.00")
    key = create_key(api, owner, [practice_site.origin])
    practice_site.page = THEMED_PAGE.format(caseload=caseload_serve, key=key.text,
                                            slug=key.slug)
    booker_email, attendee_email = unique_email("parent"), unique_email("child")
    screens = tmp_path / "screens"
    print(f"screenshots: {screens}")

    with chromium_page(viewport={"width": 375, "height": 800},
                       timezone_id="America/New_York") as page:
        steps = Steps(page, screens)
        page.goto(practice_site.origin + "/")
        page.locator(".cw-times button").first.wait_for(timeout=30_000)

        # then the month shows, in the practice's timezone, themed from the snippet
        practice_zone = page.get_by_role("radio", name="Practice time (Europe/London)")
        assert practice_zone.is_checked()
        assert page.get_by_role("radio", name="My time (America/New_York)").is_visible()
        assert "(Europe/London)" in page.locator(".cw-step-times h3").inner_text()
        book = page.locator("button[name=book]")
        theme = page.evaluate(THEME)
        assert theme[0] == "12px" and theme[1].startswith("Georgia")
        steps.check("days")

        # when the visitor tabs to the practitioner, then to the times switch and back
        assert tab_to(page, {"name": "practitioner"})["tag"] == "SELECT"
        tab_to(page, {"name": "cw-zone"})
        page.keyboard.press("ArrowRight")  # the visitor's own time
        page.wait_for_function("() => document.querySelector('.cw-step-times h3')"
                               ".textContent.includes('America/New_York')")
        page.keyboard.press("ArrowLeft")  # back to the practice's
        page.wait_for_function("() => document.querySelector('.cw-step-times h3')"
                               ".textContent.includes('Europe/London')")

        # and moves into the month (one tab stop) and picks the day with Enter
        day = tab_to(page, {"day": True})
        assert day["label"].endswith("free times") or day["label"].endswith("free time")
        page.keyboard.press("ArrowRight")
        moved = focused(page)
        assert moved["day"] is not None and moved["day"] > day["day"]
        page.keyboard.press("Enter")
        # then focus moves to that day's times
        assert focused(page)["id"].endswith("-times-title")
        assert page.locator(f"button[data-day='{moved['day']}']").get_attribute(
            "aria-pressed") == "true"
        steps.check("times")

        # when they take the first time with the keyboard
        chosen = tab_to(page, {"startsAt": True})
        page.keyboard.press("Enter")
        # then focus moves to the details, which name the time and the practitioner
        assert focused(page)["id"].endswith("-details-title")
        assert "Ada Owner" in page.locator(".cw-summary").inner_text()
        steps.check("details")

        # when they book for someone else and leave out the card token
        tab_to(page, {"name": "for"})
        page.keyboard.press("ArrowRight")  # Someone else
        assert page.get_by_role("radio", name="Someone else").is_checked()
        type_into(page, "bookerFirstName", "Maya")
        type_into(page, "bookerLastName", "Parent")
        type_into(page, "bookerEmail", booker_email)
        type_into(page, "attendeeFirstName", "Leo")
        type_into(page, "attendeeLastName", "Child")
        type_into(page, "attendeeEmail", attendee_email)
        tab_to(page, {"name": "book"})
        page.keyboard.press("Enter")
        # then the error stands next to the card token, which has focus
        token = page.get_by_label("Card token")
        assert focused(page)["name"] == "paymentToken"
        assert token.get_attribute("aria-invalid") == "true"
        error = page.locator(f"#{token.get_attribute('id')}-error")
        assert error.inner_text() == "Card token is required."
        assert error.get_attribute("id") in (token.get_attribute("aria-describedby") or "")
        steps.check("error")

        # when they type it and book with Enter
        page.keyboard.type("tok_visa")
        tab_to(page, {"name": "book"})
        assert book.is_enabled()
        page.keyboard.press("Enter")
        confirmed = page.locator(".cw-confirmed")
        confirmed.wait_for(timeout=30_000)

        # then focus moves to the confirmation: date, time, practitioner, price, reference
        assert focused(page)["text"] == "Booked"
        items = {name: page.locator(f".cw-confirmed dd[data-item={name}]").inner_text()
                 for name in ("date", "time", "practitioner", "price", "reference")}
        assert items["practitioner"] == "Ada Owner" and items["price"] == "80.00 GBP"
        assert items["time"].endswith("(Europe/London)")
        assert FRIENDLY.match(items["reference"])
        # and "Add to calendar" downloads the session's .ics
        link = page.get_by_role("link", name="Add to calendar")
        assert link.get_attribute("download") == f"session-{items['reference']}.ics"
        ics = page.evaluate("async (href) => (await fetch(href)).text()",
                            link.get_attribute("href"))
        [event] = Calendar.from_ical(ics).walk("VEVENT")
        assert items["reference"] in str(event["DESCRIPTION"])
        assert tab_to(page, {"text": "Add to calendar"})["tag"] == "A"
        steps.check("confirmed")

    assert len(list(screens.glob("*.png"))) == 5
    # and the API holds the booking under that reference, for Leo, paid by Maya
    clients = {c["email"]: c for c in practice_clients(api, owner)}
    [relationship] = clients[attendee_email]["relationships"]
    assert relationship["party"] == "THIRD_PARTY"
    assert relationship["payer"]["id"] == clients[booker_email]["id"]
    [session] = [e["node"] for e in relationship["sessions"]["edges"]]
    assert session["startsAt"] == chosen["startsAt"]
    found = api.data("query R($r: String!) { sessionByBookingReference(reference: $r) { id } }",
                     {"r": items["reference"]}, token=owner.token)
    assert found["sessionByBookingReference"]["id"] == session["id"]


def test_the_widget_fits_360px_without_sideways_scrolling(
    caseload_serve: str, practice_site: PracticeSite, mailbox: Mailbox
) -> None:
    api = GraphQLClient(caseload_serve, mailbox)
    owner = register_practice(api, sessionPrice="80.00")
    key = create_key(api, owner, [practice_site.origin])
    practice_site.page = THEMED_PAGE.format(caseload=caseload_serve, key=key.text,
                                            slug=key.slug)
    with chromium_page(viewport={"width": 360, "height": 740}) as page:
        page.goto(practice_site.origin + "/")
        page.locator(".cw-times button").first.wait_for(timeout=30_000)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        page.locator(".cw-times button").first.click()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
