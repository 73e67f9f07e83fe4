"""rotateCalendarFeed and revokeCalendarFeed: a practitioner's private iCalendar feed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.appointments import calendar_feed
from schema.accounts.types import Practitioner
from schema.clients.inputs import node_id
from schema.shared.common import UserError, context, refusals_as_user_errors


@strawberry.input(description="Whose calendar feed: yourself, or anyone when you are the owner.")
class CalendarFeedInput:
    practitioner_id: strawberry.ID = strawberry.field(description="The practitioner.")


FeedInput = Annotated[CalendarFeedInput, strawberry.argument(description="Whose feed.")]


@strawberry.type(description="A practitioner's calendar feed after the change, or why not.")
class CalendarFeedPayload:
    practitioner: Practitioner | None = strawberry.field(
        default=None, description="The practitioner (see calendarFeedActive).")
    url: str | None = strawberry.field(
        default=None,
        description="Answered by rotateCalendarFeed only, and only this once: the private "
        "feed's address (.../calendar/<secret>.ics) to subscribe to in Google Calendar "
        "(Other calendars > From URL), Apple Calendar (File > New Calendar Subscription) or "
        "any other. Anyone with it can read the sessions: rotate it if it leaks.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it did.")


@strawberry.type
class CalendarFeedMutations:
    @strawberry.mutation(description="Make a new secret address for the practitioner's "
                         "calendar feed of their sessions; the previous address stops at once.")
    @refusals_as_user_errors(CalendarFeedPayload)
    async def rotate_calendar_feed(
        self, info: strawberry.Info, input: FeedInput
    ) -> CalendarFeedPayload:
        rotated = await calendar_feed.rotate_feed(
            context(info), node_id(input.practitioner_id, "Practitioner"))
        return CalendarFeedPayload(practitioner=Practitioner.from_entity(rotated.practitioner),
                                   url=rotated.url)

    @strawberry.mutation(description="Stop the practitioner's calendar feed: its address "
                         "answers 404 from now on.")
    @refusals_as_user_errors(CalendarFeedPayload)
    async def revoke_calendar_feed(
        self, info: strawberry.Info, input: FeedInput
    ) -> CalendarFeedPayload:
        practitioner = await calendar_feed.revoke_feed(
            context(info), node_id(input.practitioner_id, "Practitioner"))
        return CalendarFeedPayload(practitioner=Practitioner.from_entity(practitioner))
