"""Arguments several fields share, each with its description."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.shared.connections import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

First = Annotated[int | None, strawberry.argument(description=(
    f"Page forward: at most this many items after `after` (0 to {MAX_PAGE_SIZE}; "
    f"{DEFAULT_PAGE_SIZE} when neither first nor last is given). Not with last."
))]
After = Annotated[str | None, strawberry.argument(description=(
    "Start after this cursor (an edge's cursor or pageInfo.endCursor from this connection); "
    "any other string is refused with BAD_USER_INPUT."
))]
Last = Annotated[int | None, strawberry.argument(description=(
    f"Page backward: at most this many items before `before` (0 to {MAX_PAGE_SIZE}). "
    "Not with first."
))]
Before = Annotated[str | None, strawberry.argument(description=(
    "End before this cursor (an edge's cursor or pageInfo.startCursor from this connection)."
))]
Upcoming = Annotated[bool | None, strawberry.argument(description=(
    "true: SCHEDULED sessions that have not started, soonest first; false: sessions that "
    "have started (any status), latest first; null: all, latest start first."
))]
