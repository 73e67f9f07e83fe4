"""The private calendar feed's address, /calendar/<token>.ics (resolvers/appointments/
calendar_feed.py): what calendar programs subscribe to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from persistence.database import Database
from resolvers.appointments.calendar_feed import feed
from resolvers.shared.context import Clock


def calendar_feed_route(db: Database, clock: Clock) -> Route:
    async def serve(request: Request) -> Response:
        token = str(request.path_params.get("token", ""))[:200]
        body = await feed(db, token, clock())
        if body is None:  # unknown, revoked or rotated: nothing says which
            return PlainTextResponse("Not found.", status_code=404,
                                     headers={"Cache-Control": "no-store"})
        return Response(body, media_type="text/calendar; charset=utf-8", headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="sessions.ics"',
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        })

    return Route("/calendar/{token}.ics", serve, methods=["GET"])
