"""The reference booking widget, served from the package: plain JavaScript, no build step.
A practice embeds it with one snippet (README: "Booking widget")."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

WIDGET_SCRIPT = "widget.js"


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


def widget_routes() -> list[BaseRoute]:
    return [Route(f"/widget/{WIDGET_SCRIPT}", widget_script, methods=["GET"])]
