"""The reference booking widget, served from the package: plain JavaScript, no build step.
A practice embeds it with one snippet (README: "Booking widget"): the script on its own
page, or the page Caseload serves for a key in an iframe."""

from __future__ import annotations

import html
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from persistence.database import Database
from resolvers.widgets.publishable_keys import KeyRefused, live_key, practice_slug

WIDGET_SCRIPT = "widget.js"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Book a session</title></head>
<body><script src="/widget/{script}" data-key="{key}" data-practice="{slug}"
data-api="/graphql"></script></body></html>
"""


def _script() -> bytes:
    return resources.files("caseload.widget").joinpath("static", WIDGET_SCRIPT).read_bytes()


async def widget_script(_: Request) -> Response:
    return Response(
        _script(), media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=300",
            # the script is loaded from practices' own sites
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )


def widget_page(db: Database) -> Route:
    async def page(request: Request) -> Response:
        """The widget on a page of its own, for `?key=`: only the key's origins may frame
        it, and it talks to /graphql as the same origin."""
        presented = request.query_params.get("key", "")[:200].strip()
        try:
            key = await live_key(db, presented)
        except KeyRefused as refusal:
            return HTMLResponse(f"<!doctype html><p>{html.escape(refusal.message)}</p>",
                                status_code=404)
        slug = await practice_slug(db, key)
        body = PAGE.format(script=WIDGET_SCRIPT, key=html.escape(presented),
                           slug=html.escape(slug))
        ancestors = " ".join(key.allowed_origins)
        return HTMLResponse(body, headers={
            "Content-Security-Policy": (
                f"frame-ancestors {ancestors}; default-src 'none'; script-src 'self'; "
                "connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'"),
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        })

    return Route("/widget/book", page, methods=["GET"])


def widget_routes(db: Database) -> list[BaseRoute]:
    return [Route(f"/widget/{WIDGET_SCRIPT}", widget_script, methods=["GET"]), widget_page(db)]
