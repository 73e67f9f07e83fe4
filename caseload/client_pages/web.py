"""What every client page shares: the request budget of /graphql, the widget page's security
headers, the sign-in cookie, CSRF on every form POST, and emailed tokens exchanged for a
cookie so that no URL holding one outlives its first use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from caseload.client_pages.api import Answer, Api
from caseload.edge import Identify
from resolvers.shared.limits import Limit, RateLimiter

ACCESS_COOKIE = "caseload_access"
BROWSER_COOKIE = "caseload_browser"  # a random id the CSRF token is bound to
LINK_COOKIE = "caseload_link"  # an emailed token, scoped to the page it opens
LINK_COOKIE_SECONDS = 3600
CSRF_FIELD = "csrf"

# As the widget page's, and stricter: no script at all, nothing framed, forms post home.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class Refused(Exception):
    """A request a page answers with an error page of its own (status, message)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Site:
    """Built once: the API, the budgets and the secrets every page uses."""

    api: Api
    secret: str
    limiter: RateLimiter
    anonymous: Limit
    signed_in: Limit
    identify: Identify
    max_body_bytes: int
    sign_in_lasts: timedelta
    https: bool  # CASELOAD_APP_URL is https: cookies are Secure
    clock: Callable[[], datetime]
    templates: Environment = field(default_factory=lambda: _templates())

    def csrf_for(self, browser: str) -> str:
        return hmac.new(self.secret.encode(), b"client-pages-csrf:" + browser.encode(),
                        hashlib.sha256).hexdigest()


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("caseload.client_pages", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["status"] = lambda status: str(status).replace("_", " ").lower()
    return env


def when(instant: str, zone: str) -> str:
    """An API DateTime as the practice's clock reads it: Monday 7 December 2026, 10:00."""
    local = datetime.fromisoformat(instant).astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone})"


class Page:
    """One request to a client page, and the cookies its answer sets."""

    def __init__(self, site: Site, request: Request) -> None:
        self.site = site
        self.request = request
        self.form: dict[str, str] = {}
        self._cookies: list[tuple[str, str, int, str]] = []
        self._signed_in = self.access_token is not None  # as this answer leaves it
        self.browser = request.cookies.get(BROWSER_COOKIE, "")
        if len(self.browser) != 32:
            self.browser = secrets.token_hex(16)
            self._cookies.append((BROWSER_COOKIE, self.browser, 365 * 86400, "/"))

    @property
    def access_token(self) -> str | None:
        return self.request.cookies.get(ACCESS_COOKIE) or None

    @property
    def csrf(self) -> str:
        return self.site.csrf_for(self.browser)

    async def run(self, document: str, variables: dict[str, Any] | None = None, *,
                  signed_in: bool = True) -> Answer:
        token = self.access_token if signed_in else None
        answer = await self.site.api.run(self.request, document, variables, token)
        refused = [e for e in answer.errors
                   if e.get("extensions", {}).get("code") != "UNAUTHENTICATED"]
        if refused:
            raise _refusal(refused[0], self.request.scope.get("state", {}).get("request_id"))
        return answer

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        body = self.site.templates.get_template(template).render(
            csrf=self.csrf, csrf_field=CSRF_FIELD, signed_in=self._signed_in,
            **values)
        return self.finish(HTMLResponse(body, status_code=status))

    def redirect(self, to: str) -> Response:
        return self.finish(RedirectResponse(to, status_code=303))

    def sign_in_first(self) -> Response:
        """To the sign-in form, coming back here after; an expired cookie goes."""
        self.sign_out()
        return self.redirect(f"/?next={quote(self.request.url.path)}")

    def sign_in(self, token: str) -> None:
        seconds = int(self.site.sign_in_lasts.total_seconds())
        self._cookies.append((ACCESS_COOKIE, token, seconds, "/"))
        self._signed_in = True

    def sign_out(self) -> None:
        self._cookies.append((ACCESS_COOKIE, "", 0, "/"))
        self._signed_in = False

    def keep_link_token(self, token: str) -> None:
        self._cookies.append((LINK_COOKIE, token, LINK_COOKIE_SECONDS, self.request.url.path))

    def drop_link_token(self) -> None:
        self._cookies.append((LINK_COOKIE, "", 0, self.request.url.path))

    @property
    def link_token(self) -> str | None:
        return self.request.cookies.get(LINK_COOKIE) or None

    def finish(self, response: Response) -> Response:
        secure = self.site.https or self.request.url.scheme == "https"
        for name, value, max_age, path in self._cookies:
            response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                                secure=secure, samesite="lax")
        response.headers.update(SECURITY_HEADERS)
        return response

    async def read_form(self) -> None:
        """A same-origin, CSRF-checked urlencoded form no larger than MAX_BODY_BYTES."""
        # Under Referrer-Policy: no-referrer browsers send `Origin: null` even from the page
        # itself; the CSRF token is the check, a foreign origin is refused before it.
        origin = self.request.headers.get("origin", "null")
        if origin != "null" and urlsplit(origin).netloc != self.request.headers.get("host"):
            raise Refused(403, "This form may only be sent from this site.")
        body = await self._body()
        self.form = dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=50))
        given = self.form.pop(CSRF_FIELD, "")
        if not hmac.compare_digest(given.encode(), self.csrf.encode()):
            raise Refused(403, "This form has expired. Go back, reload the page and try again.")

    async def _body(self) -> bytes:
        limit = self.site.max_body_bytes
        length = self.request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise Refused(413, f"The form is larger than {limit} bytes.")
        chunks, size = [], 0
        try:
            async for chunk in self.request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refused(413, f"The form is larger than {limit} bytes.")
                chunks.append(chunk)
        except ClientDisconnect:
            raise Refused(400, "The form did not arrive whole.") from None
        return b"".join(chunks)


def _refusal(error: dict[str, Any], request_id: str | None) -> Refused:
    """A top-level error of the API as a page says it: a budget spent says when to come
    back; a value the API refuses to parse (an id in the address, a field past its bound)
    is the request's fault; anything else is ours."""
    extensions = error.get("extensions") or {}
    code = extensions.get("code")
    if code in ("RATE_LIMITED", "THROTTLED"):
        retry = extensions.get("retryAfter")
        return Refused(429, error["message"], {"Retry-After": str(retry)} if retry else {})
    if code == "BAD_USER_INPUT":
        return Refused(400, "This request is not right: check the link you followed, or what "
                            "you entered.")
    return Refused(500, "Something went wrong on our side; please try again. "
                        f"(Request {request_id})")


Handler = Callable[[Page], Awaitable[Response]]


def endpoint(site: Site, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page under the budgets of /graphql (per account signed in, else per address), its
    forms checked before the handler sees them."""

    async def serve(request: Request) -> Response:
        page = Page(site, request)
        try:
            await _within_budget(site, request, page.access_token)
            if request.method == "POST":
                await page.read_form()
            return await handler(page)
        except Refused as refusal:
            response = page.render("refused.html", status=refusal.status,
                                   message=refusal.message)
            response.headers.update(refusal.headers)
            return response

    return serve


async def _within_budget(site: Site, request: Request, token: str | None) -> None:
    account = site.identify(token) if token else None
    if account is not None:
        bucket, limit = f"account:{account}", site.signed_in
    else:
        client = request.client.host if request.client else "unknown"
        bucket, limit = f"address:{client}", site.anonymous
    retry_after = await site.limiter.hit(bucket, limit)
    if retry_after is not None:
        raise Refused(429, f"Too many requests; try again in {retry_after} seconds.",
                      {"Retry-After": str(retry_after)})


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path of this site only."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"
