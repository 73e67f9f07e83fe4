"""GraphiQL served by Caseload itself: the release's browser files ship in the package
(vendor/vendor.sh copies them from npm), so /graphql works without a CDN."""

from __future__ import annotations

import functools
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

PREFIX = "/graphiql/"
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
FILES = (
    "react.production.min.js", "react-dom.production.min.js", "graphiql.min.js",
    "graphiql.min.css", "page.css", "start.js",
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Caseload GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{prefix}graphiql.min.css">
<link rel="stylesheet" href="{prefix}page.css">
</head><body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{prefix}react.production.min.js"></script>
<script src="{prefix}react-dom.production.min.js"></script>
<script src="{prefix}graphiql.min.js"></script>
<script src="{prefix}start.js"></script>
</body></html>
""".replace("{prefix}", PREFIX)

# Everything from this origin; GraphiQL's editor sets inline styles and data: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    })


@functools.cache
def _read(name: str) -> bytes:
    return resources.files("caseload.graphiql").joinpath("static", name).read_bytes()


async def _asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in FILES:
        return Response("Not Found", status_code=404, media_type="text/plain")
    suffix = name[name.rfind("."):]
    return Response(_read(name), media_type=_MEDIA_TYPES[suffix], headers={
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    })


def graphiql_routes() -> list[BaseRoute]:
    return [Route(PREFIX + "{name}", _asset, methods=["GET"])]
