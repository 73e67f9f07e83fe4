"""A person's browser on Caseload's client pages, over real HTTP: cookies kept, each page's
forms read from its HTML and sent as the browser would (with their hidden fields)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from tests.support.mailbox import Received

URL = re.compile(r"https?://[^\s<>\"')]+")


@dataclass
class Form:
    action: str
    method: str
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get")))
        elif tag == "input" and values.get("type") == "hidden" and self.forms:
            self.forms[-1].hidden[values["name"]] = values.get("value", "")
        elif tag == "button" and self.forms:
            self._button = []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            self.forms[-1].buttons.append(" ".join("".join(self._button).split()))
            self._button = None


def forms_of(markup: str) -> list[Form]:
    parser = _Forms()
    parser.feed(markup)
    return parser.forms


class Browser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, follow_redirects=True, timeout=60)

    def open(self, link: str) -> httpx.Response:
        """An address, or a link from an email (its path and query, on the server under test:
        the default CASELOAD_APP_URL names port 8000, the test server another)."""
        parts = urlsplit(link)
        return self.http.get(parts.path + (f"?{parts.query}" if parts.query else ""))

    def press(self, page: httpx.Response, button: str, **fields: str) -> httpx.Response:
        """Fill in the page's form whose button says `button`, and press it."""
        [form] = [f for f in forms_of(page.text) if button in f.buttons]
        action = urljoin(str(page.url), form.action or str(page.url))
        return self.http.post(urlsplit(action).path, data={**form.hidden, **fields})

    def close(self) -> None:
        self.http.close()


def links_in(received: Received) -> list[str]:
    """Every address an email links to: the HTML part's hrefs and the text part's URLs."""
    hrefs = re.findall(r'href="([^"]+)"', received.html)
    return sorted({h.replace("&amp;", "&") for h in hrefs} | set(URL.findall(received.text)))


def text_of(page: httpx.Response) -> str:
    """What a person reads on the page: its text without tags, whitespace folded."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
