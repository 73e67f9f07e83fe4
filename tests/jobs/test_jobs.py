"""The outbox, the relay, the actors and the sweep, through the real broker and SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from jobs.email.adapters import message_id
from persistence import outbox, tables
from persistence.tables import email_deliveries
from tests.support.graphql import PASSWORD, REGISTER, REGISTERED, GraphQLClient, unique_email
from tests.support.jobs import outbox_rows, sweep, with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer


@pytest.fixture
def broker_down(server: RunningServer) -> Iterator[None]:
    """Plays a crash right after commit: the change is saved, nothing reaches the broker."""
    server.runtime.dispatch_after_commit = False
    yield
    server.runtime.dispatch_after_commit = True


def register(client: GraphQLClient) -> str:
    """A registration waiting for its emailed link; its email."""
    email = unique_email("jobs")
    payload = client.data(REGISTER, {"input": {
        "practiceName": "Outbox Therapy", "name": "Olu Owner", "email": email,
        "password": PASSWORD, "timezone": "Europe/Dublin"}})["registerPractice"]
    assert payload == REGISTERED
    return email


def row_for(server: RunningServer, email: str) -> object:
    """The outbox row of the registration for `email`, which sends its link."""
    async def registration_id(db):  # type: ignore[no-untyped-def]
        async with db.reading() as tx:
            return (await tx.execute(select(tables.registrations.c.id).where(
                tables.registrations.c.email == email))).scalar_one()

    wanted = str(with_database(server, registration_id))
    [row] = [r for r in outbox_rows(server, "RegistrationRequested")
             if r.payload["registration_id"] == wanted]
    return row


@pytest.mark.usefixtures("broker_down")
def test_a_crash_between_commit_and_dispatch_loses_no_email(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox
) -> None:
    # given a practice registered while the broker could not be reached
    email = register(client)
    server.drain()
    assert mailbox.to(email) == []

    # when the sweep runs
    sweep(server)

    # then the link goes out once, and a second sweep sends nothing more
    [sent] = mailbox.wait_for(email)
    assert sent.subject == "Confirm your email to open Outbox Therapy on Caseload"
    sweep(server)
    assert len(mailbox.to(email)) == 1


def test_an_actor_run_twice_sends_once(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox
) -> None:
    # given a registration's link already delivered
    email = register(client)
    mailbox.wait_for(email)
    server.drain()
    row = row_for(server, email)
    assert row.delivered_at is not None  # type: ignore[attr-defined]

    # when the broker hands the same message over again, twice
    server.runtime.send_outbox([row.id, row.id])  # type: ignore[attr-defined]
    server.drain()

    # then no second email is sent
    assert len(mailbox.to(email)) == 1


@pytest.mark.usefixtures("broker_down")
def test_a_message_the_broker_lost_is_dispatched_again_later(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, clock
) -> None:  # type: ignore[no-untyped-def]
    # given an outbox row claimed for dispatch whose message never arrived
    email = register(client)
    row = row_for(server, email)

    async def claim_and_lose(db):  # type: ignore[no-untyped-def]
        async with db.new_write_tx() as tx, tx.begin():
            return await outbox.claim(tx, clock(), ids=[row.id])  # type: ignore[attr-defined]

    assert with_database(server, claim_and_lose) == [row.id]  # type: ignore[attr-defined]

    # when the sweep runs at once, nothing is sent: the dispatch is recent
    sweep(server)
    assert mailbox.to(email) == []

    # then six minutes later the sweep dispatches it again and it arrives
    clock.advance(timedelta(minutes=6))
    sweep(server)
    assert len(mailbox.wait_for(email)) == 1


@pytest.mark.usefixtures("broker_down")
def test_a_message_left_in_doubt_by_a_crash_is_sent_again_once_as_the_same_message(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, clock
) -> None:  # type: ignore[no-untyped-def]
    # given a verification email whose delivery record says it started and never ended
    email = register(client)
    row = row_for(server, email)

    async def crashed_mid_send(db):  # type: ignore[no-untyped-def]
        async with db.new_write_tx() as tx, tx.begin():
            await tx.execute(insert(email_deliveries).values(
                outbox_id=row.id, recipient=email, template="verify_email",  # type: ignore[attr-defined]
                started_at=clock()))

    with_database(server, crashed_mid_send)

    # when the sweep relays the row, and again
    sweep(server)
    sweep(server)

    # then the email goes out once more, as the same message, and its record now says sent
    sender = server.runtime.settings.mail_from
    [link] = mailbox.wait_for(email)
    assert link.message["Message-ID"] == message_id(
        row.id, "verify_email", email, sender)  # type: ignore[attr-defined]
    assert [(r.message_id, r.sent_at is not None) for r in deliveries_of(server, row)] == [
        (link.message["Message-ID"], True)]


def deliveries_of(server: RunningServer, row: object) -> list[Any]:
    async def read(db):  # type: ignore[no-untyped-def]
        async with db.reading() as tx:
            return list(await tx.execute(select(email_deliveries).where(
                email_deliveries.c.outbox_id == row.id)))  # type: ignore[attr-defined]

    return with_database(server, read)
