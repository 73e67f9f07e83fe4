"""The sweep lock: held for one sweep run only, so two runs never overlap and a sweep asked
for beside a running one waits for it, then does the due work; the dry run changes nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from jobs.scheduler import sweep_once
from jobs.sweep.run import due_now
from persistence.database import Database
from persistence.sweep_lock import sweep_lock
from tests.support.appointments import (
    appointment_charges,
    booked,
    paying_client_scene,
    relationship_of,
)
from tests.support.graphql import GraphQLClient
from tests.support.jobs import with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer


def appointment_due_for_payment(client: GraphQLClient, mailbox: Mailbox, monday: datetime) -> str:
    """A session the practice booked a day ahead: inside the notice window, not yet paid."""
    scene = paying_client_scene(client, mailbox)
    appointment = booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                     startsAt=monday - timedelta(days=2), durationMinutes=50)
    assert appointment["charge"] is None
    return str(appointment["id"])


def test_a_sweep_beside_a_running_one_waits_then_does_the_due_work(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, monday: datetime
) -> None:
    # given a session due for payment, and another sweep holding the lock
    appointment_id = appointment_due_for_payment(client, mailbox, monday)

    async def scenario(db: Database) -> tuple[bool, bool, bool, int]:
        other = Database(server.runtime.settings.database_url, pool_size=1)
        try:
            async with sweep_lock(other, wait=False) as held:
                # when a scheduler's minute comes, and a one-off sweep is asked for
                skipped = await sweep_once(server.runtime.sweeper(db)) is None
                waiting = asyncio.create_task(sweep_once(server.runtime.sweeper(db), wait=True))
                await asyncio.sleep(1.0)
                started_early = waiting.done()
            report = await asyncio.wait_for(waiting, timeout=60)
        finally:
            await other.dispose()
        assert report is not None
        return held, skipped, started_early, report.counts["sessions charged"]

    held, skipped, started_early, charged = with_database(server, scenario)
    server.drain()

    # then the minute is skipped, the one-off waits for the lock, then charges the session once
    assert (held, skipped, started_early) == (True, True, False)
    assert charged >= 1
    assert [row.status.value for row in appointment_charges(server, appointment_id)] == [
        "SUCCEEDED"]


def test_the_lock_is_free_between_runs(server: RunningServer) -> None:
    # given a sweep that ran and ended
    async def twice(db: Database) -> tuple[bool, bool]:
        first = await sweep_once(server.runtime.sweeper(db)) is not None
        # when the next one comes, nothing holds the lock any longer
        async with sweep_lock(db, wait=False) as held:
            return first, held

    # then both got it: there is no lease between runs
    assert with_database(server, twice) == (True, True)


def test_a_dry_run_counts_what_is_due_and_does_none_of_it(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, monday: datetime
) -> None:
    # given a session due for payment
    appointment_id = appointment_due_for_payment(client, mailbox, monday)

    # when the dry run looks
    report = with_database(server, lambda db: due_now(server.runtime.sweeper(db)))
    server.drain()

    # then it counts the session among those to charge, and charges nothing
    assert report.counts["sessions to charge"] >= 1
    assert list(report.counts) == [
        "waitlist offers to expire", "unconfirmed bookings to release", "refunds to retry",
        "sessions to charge", "unpaid sessions to auto-cancel", "reminders to send",
        "monthly invoices to issue or charge", "group sessions with a waitlist to check",
        "emails to relay"]
    assert appointment_charges(server, appointment_id) == []
