"""The pages Caseload's emails link to, served by Caseload itself while CASELOAD_APP_URL
points at it (Settings.client_pages): small server-rendered HTML with no script and no build
step, speaking the same GraphQL API as any front end. A front end of a deployment's own
takes these addresses over by setting CASELOAD_APP_URL to itself; then none is served.

To add a page: a handler taking a `Page` (web.py) under `endpoint(site, handler)`, or, for a
link that carries an emailed token, an `EmailedLink` (links.py); its template in templates/,
its route in the area module's `routes`. tests/platform/test_email_links.py follows every
link of every email, so an email linking to a page that is not here fails it."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from caseload.client_pages import accounts, appointments, intake
from caseload.client_pages.web import SECURITY_HEADERS, Site

STYLESHEET = "/client/pages.css"


async def stylesheet(_: Request) -> Response:
    css = resources.files("caseload.client_pages").joinpath("static", "pages.css").read_bytes()
    return Response(css, media_type="text/css; charset=utf-8",
                    headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=300"})


def client_page_routes(site: Site) -> list[BaseRoute]:
    return [
        Route(STYLESHEET, stylesheet, methods=["GET"]),
        *appointments.routes(site),
        *accounts.routes(site),
        *intake.routes(site),
    ]
