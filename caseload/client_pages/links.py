"""Pages an emailed link opens with `?token=…`. The GET that carries the token keeps it in a
cookie scoped to the page and redirects to the page without it, so the address in the
history, a bookmark or a Referer holds no token; the page's form then posts with it. Nothing
is spent by opening the link (mail scanners open links): only the form's POST uses it.

A new emailed link is one `EmailedLink`: its path, its template and what its form does with
the token (`confirm_booking` and `claim_offer` in appointments.py are two).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.routing import Route

from caseload.client_pages.web import Page, Site, endpoint

Submit = Callable[[Page, str], Awaitable[Response]]


@dataclass(frozen=True)
class EmailedLink:
    path: str
    template: str  # rendered with `token_kept` (False: the link was used or never opened)
    submit: Submit

    def route(self, site: Site) -> Route:
        async def page(page: Page) -> Response:
            if page.request.method == "GET":
                return self.opened(page)
            token = page.link_token
            if token is None:
                return page.render(self.template, token_kept=False, errors=[])
            return await self.submit(page, token)

        return Route(self.path, endpoint(site, page), methods=["GET", "POST"])

    def opened(self, page: Page) -> Response:
        given = page.request.query_params.get("token")
        if given:
            page.keep_link_token(given[:512])
            return page.redirect(self.path)
        return page.render(self.template, token_kept=page.link_token is not None, errors=[])
