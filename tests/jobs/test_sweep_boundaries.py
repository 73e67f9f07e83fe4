"""The sweep's clock rules at their exact boundaries, through the API and the real sweep (seeds
000, 004): payment exactly 48 hours before (a practice's own notice too) and not a second
earlier; automatic cancellation exactly one hour before, not a second earlier, and not at the
start; the reminder exactly 24 hours before, never in the last hour.

The arithmetic of each rule is property-tested in test_domain_policy.py; these tests show the
sweep's SQL selects exactly what the policy says, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from persistence import tables
from persistence.database import Database
from schema.shared.ids import decode_id
from tests.support.appointments import (
    Scene,
    SettledClock,
    booked,
    gateway_charges,
    next_monday,
    paying_client_scene,
    read_appointment,
    relationship_of,
)
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient
from tests.support.jobs import sweep, with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

SECOND = timedelta(seconds=1)
REMINDER = "Reminder: "
AUTO_CANCELLED = "was cancelled automatically"


@pytest.fixture
def settled(clock: TestClock, server: RunningServer) -> SettledClock:
    """The test clock, moved only once the broker is idle (see SettledClock)."""
    return SettledClock(clock, server)


@pytest.fixture
def ten(settled: SettledClock) -> datetime:
    """A Monday 10:00 UTC, the clock three days and four hours before it."""
    monday = next_monday(settled())
    settled.set(monday - timedelta(days=3))
    return monday + timedelta(hours=4)


def booking_at(client: GraphQLClient, scene: Scene, starts_at: datetime) -> dict[str, Any]:
    return booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=starts_at)


def look(client: GraphQLClient, scene: Scene, booking: dict[str, Any]) -> dict[str, Any]:
    found = read_appointment(client, scene.owner.token, booking["id"])
    assert found is not None
    return found


def subjects(mailbox: Mailbox, address: str, says: str) -> list[str]:
    return [m.subject for m in mailbox.to(address) if says in m.subject]


def test_payment_is_taken_exactly_48_hours_before_and_not_a_second_earlier(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    scene = paying_client_scene(client, mailbox)
    booking = booking_at(client, scene, ten)

    # 48 hours and a second before: not yet
    settled.set(ten - timedelta(hours=48) - SECOND)
    sweep(server)
    assert look(client, scene, booking)["charge"] is None
    assert gateway_charges(server, booking["id"]) == []

    # exactly 48 hours before: taken
    settled.set(ten - timedelta(hours=48))
    sweep(server)
    assert look(client, scene, booking)["charge"]["status"] == "SUCCEEDED"
    assert [c.status for c in gateway_charges(server, booking["id"])] == ["SUCCEEDED"]


def test_a_practice_with_a_shorter_notice_window_is_charged_at_its_own_boundary(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a practice whose notice window is 24 hours (no mutation sets it yet: the column)
    scene = paying_client_scene(client, mailbox)
    set_notice_hours(server, scene, 24)
    booking = booking_at(client, scene, ten)

    # 48 hours before (the default window) and 24 hours and a second before: not yet
    for before in (timedelta(hours=48), timedelta(hours=24) + SECOND):
        settled.set(ten - before)
        sweep(server)
        assert look(client, scene, booking)["charge"] is None

    # exactly 24 hours before: taken
    settled.set(ten - timedelta(hours=24))
    sweep(server)
    assert look(client, scene, booking)["charge"]["status"] == "SUCCEEDED"


def set_notice_hours(server: RunningServer, scene: Scene, hours: int) -> None:
    practice_id = decode_id(scene.owner.practice_id, "Practice")
    assert practice_id is not None

    async def write(db: Database) -> None:
        async with db.new_write_tx() as s, s.begin():
            await s.execute(update(tables.practices).where(tables.practices.c.id == practice_id)
                            .values(cancellation_notice_hours=hours))

    with_database(server, write)


def test_an_unpaid_appointment_is_auto_cancelled_exactly_one_hour_before_and_not_earlier(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    scene = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    booking = booking_at(client, scene, ten)

    # an hour and a second before: refused, still SCHEDULED, no cancellation email
    settled.set(ten - timedelta(hours=1) - SECOND)
    sweep(server)
    found = look(client, scene, booking)
    assert (found["status"], found["charge"]["status"]) == ("SCHEDULED", "FAILED")
    assert subjects(mailbox, scene.client_email, AUTO_CANCELLED) == []

    # exactly an hour before: AUTO_CANCELLED
    settled.set(ten - timedelta(hours=1))
    sweep(server)
    assert look(client, scene, booking)["status"] == "AUTO_CANCELLED"
    assert len(subjects(mailbox, scene.client_email, AUTO_CANCELLED)) == 1


def test_a_appointment_still_unpaid_at_its_start_is_not_auto_cancelled(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given the practice records a session starting now, for a payer whose card declines
    scene = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    settled.set(ten)
    booking = booking_at(client, scene, ten)

    # when the sweep runs at the start
    sweep(server)

    # then the refusal is recorded, but the session waits for its attendance update
    found = look(client, scene, booking)
    assert (found["status"], found["charge"]["status"]) == ("SCHEDULED", "FAILED")
    server.drain()
    assert subjects(mailbox, scene.client_email, AUTO_CANCELLED) == []


def test_the_reminder_goes_exactly_24_hours_before_and_not_a_second_earlier(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    scene = paying_client_scene(client, mailbox)
    booking_at(client, scene, ten)

    settled.set(ten - timedelta(hours=24) - SECOND)
    sweep(server)
    server.drain()
    assert subjects(mailbox, scene.client_email, REMINDER) == []

    settled.set(ten - timedelta(hours=24))
    sweep(server)
    assert len(subjects(mailbox, scene.client_email, REMINDER)) == 1


def test_a_appointment_first_swept_in_its_last_hour_gets_no_reminder(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a paid session booked and first swept exactly an hour before it starts
    scene = paying_client_scene(client, mailbox)
    settled.set(ten - timedelta(hours=1))
    booking = booking_at(client, scene, ten)

    # when the sweep runs then, and a second later
    sweep(server)
    settled.advance(SECOND)
    sweep(server)

    # then it is charged and kept, and no reminder goes: the last hour is past reminding
    found = look(client, scene, booking)
    assert (found["status"], found["charge"]["status"]) == ("SCHEDULED", "SUCCEEDED")
    server.drain()
    assert subjects(mailbox, scene.client_email, REMINDER) == []
