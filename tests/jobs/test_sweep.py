"""The sweep through the API, the real broker and SMTP (seeds 000, 004): payment taken inside the
notice window, refusals recorded and emailed once, unpaid sessions cancelled in their last hour,
reminders a day before; idempotent, safe to run twice at once, and a crash between the gateway's
charge and our commit charges nothing twice.

The sweep acts on every practice in the test database, so each test looks only at its own
practice's sessions and people (unique emails). Boundaries are in test_sweep_boundaries.py."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from jobs.sweep.run import Sweeper, SweepReport, run_sweep
from persistence.database import Database
from persistence.sandbox_gateway import SandboxGateway
from schema.shared.ids import decode_id
from tests.support.appointments import (
    Scene,
    SettledClock,
    add_card,
    appointment_charges,
    booked,
    cancel,
    card_of,
    gateway_charges,
    iso,
    next_monday,
    paying_client_scene,
    read_appointment,
    relationship_of,
    remove_card,
    reschedule,
)
from tests.support.clients import create_client, create_relationship
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, unique_email
from tests.support.jobs import sweep, with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

NOTICE = timedelta(hours=48)
# What each email's subject says
PAYMENT_FAILED = "did not go through"
AUTO_CANCELLED_CLIENT = "was cancelled automatically"
AUTO_CANCELLED_PRACTITIONER = "Unpaid session cancelled automatically"
REMINDER = "Reminder: "


@pytest.fixture
def settled(clock: TestClock, server: RunningServer) -> SettledClock:
    """The test clock, moved only once the broker is idle (see SettledClock)."""
    return SettledClock(clock, server)


@pytest.fixture
def monday(settled: SettledClock) -> datetime:
    """The clock stands three days before a Monday 06:00 UTC."""
    day = next_monday(settled())
    settled.set(day - timedelta(days=3))
    return day


@pytest.fixture
def ten(monday: datetime) -> datetime:
    return monday + timedelta(hours=4)


def emails(mailbox: Mailbox, address: str, says: str) -> list[Any]:
    """What `address` received with a subject that says so."""
    return [m for m in mailbox.to(address) if says in m.subject]


def key_of(server: RunningServer, scene: Scene, booking: dict[str, Any]) -> str:
    """The gateway key the sweep charges the booking under: session and payer's card."""
    card = card_of(server, scene.client_id)
    return f"appointment:{decode_id(booking['id'], 'Session')}:card:{card.id}"


def book_for(client: GraphQLClient, scene: Scene, starts_at: datetime) -> dict[str, Any]:
    """The practice books the scene's client (who pays) at `starts_at`."""
    return booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=starts_at)


@dataclass
class ThirdParty:
    """A payer (the scene's signed-in client) paying for someone else's sessions."""

    scene: Scene
    attendee_email: str
    relationship_id: str


def third_party(client: GraphQLClient, mailbox: Mailbox, card: str = "tok_visa") -> ThirdParty:
    scene = paying_client_scene(client, mailbox, card=card)
    email = unique_email("attendee")
    attendee = create_client(client, scene.owner, "Alex", "Attendee", email=email)
    relationship = create_relationship(client, scene.owner, [attendee["id"]],
                                       payerId=scene.client_id)
    assert relationship["party"] == "THIRD_PARTY"
    return ThirdParty(scene, email, relationship["id"])


def look(client: GraphQLClient, scene: Scene, booking: dict[str, Any]) -> dict[str, Any]:
    found = read_appointment(client, scene.owner.token, booking["id"])
    assert found is not None
    return found


# ------------------------------------------------------------------ charging


def test_a_due_appointment_is_charged_once_and_another_sweep_changes_nothing(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a session booked by a client with a working card
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    card = card_of(server, scene.client_id)

    # when the sweep runs inside the notice window, and again a minute later
    settled.set(ten - NOTICE)
    sweep(server)
    charge = look(client, scene, booking)["charge"]
    settled.advance(timedelta(minutes=1))
    sweep(server)

    # then it was charged once, at its price, under the session's and card's key
    assert charge["status"] == "SUCCEEDED"
    assert charge["amount"] == {"amount": "80.00", "currency": "GBP"}
    assert look(client, scene, booking)["charge"] == charge
    key = f"appointment:{decode_id(booking['id'], 'Session')}:card:{card.id}"
    [recorded] = appointment_charges(server, booking["id"])
    assert (recorded.status.name, recorded.idempotency_key) == ("SUCCEEDED", key)
    [taken] = gateway_charges(server, booking["id"])
    assert (taken.reference, taken.status, taken.idempotency_key) == (
        recorded.gateway_reference, "SUCCEEDED", key)
    server.drain()
    assert emails(mailbox, scene.client_email, PAYMENT_FAILED) == []


def test_a_declined_card_is_recorded_and_the_payer_emailed_once(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a session for someone else, paid by a client whose card declines
    party = third_party(client, mailbox, card="tok_chargeDeclined")
    booking = booked(client, party.scene.owner.token, relationshipId=party.relationship_id,
                     startsAt=ten)

    # when the sweep runs inside the window, and twice more later
    settled.set(ten - NOTICE)
    sweep(server)
    first = look(client, party.scene, booking)
    for _ in range(2):
        settled.advance(timedelta(hours=1))
        sweep(server)

    # then the refusal is the session's charge, recorded once; the session stays SCHEDULED
    assert first["status"] == "SCHEDULED"
    assert first["charge"]["status"] == "FAILED"
    assert first["charge"]["amount"] == {"amount": "80.00", "currency": "GBP"}
    assert look(client, party.scene, booking)["charge"] == first["charge"]
    assert [c.status.name for c in appointment_charges(server, booking["id"])] == ["FAILED"]
    assert [c.status for c in gateway_charges(server, booking["id"])] == ["DECLINED"]
    # and only the payer is told, once, with the card and what happens next
    [failed] = emails(mailbox, party.scene.client_email, PAYMENT_FAILED)
    assert failed.subject.strip().startswith("Payment for the session for Alex Attendee on")
    assert "Your card (visa ending 0002) was declined" in failed.text
    assert "80.00 GBP" in failed.text
    assert "will be cancelled automatically" in failed.text
    assert "/client/payment-method" in failed.html
    assert emails(mailbox, party.attendee_email, PAYMENT_FAILED) == []
    assert emails(mailbox, party.scene.owner.email, PAYMENT_FAILED) == []


def test_a_new_card_after_a_refusal_is_tried_and_pays(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a session whose payment was refused
    scene = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    booking = book_for(client, scene, ten)
    settled.set(ten - NOTICE)
    sweep(server)

    # when the payer puts a working card on file and the sweep runs again
    add_card(client, scene.client_token, "tok_visa")
    settled.advance(timedelta(minutes=5))
    sweep(server)

    # then the new card is charged under its own key and pays the session; no second email
    assert look(client, scene, booking)["charge"]["status"] == "SUCCEEDED"
    assert [c.status.name for c in appointment_charges(server, booking["id"])] == [
        "FAILED", "SUCCEEDED"]
    assert [c.status for c in gateway_charges(server, booking["id"])] == [
        "DECLINED", "SUCCEEDED"]
    server.drain()
    assert len(emails(mailbox, scene.client_email, PAYMENT_FAILED)) == 1


def test_a_second_refused_card_is_a_new_failure_and_emails_again(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a refusal already emailed
    scene = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    booking = book_for(client, scene, ten)
    settled.set(ten - NOTICE)
    sweep(server)

    # when the payer replaces the card with another that declines too, and two sweeps run
    add_card(client, scene.client_token, "tok_chargeDeclined")
    for _ in range(2):
        settled.advance(timedelta(minutes=5))
        sweep(server)

    # then each card was tried once, and each refusal emailed once
    assert [c.status for c in gateway_charges(server, booking["id"])] == [
        "DECLINED", "DECLINED"]
    assert len(emails(mailbox, scene.client_email, PAYMENT_FAILED)) == 2


def test_no_card_on_file_when_payment_is_due_is_a_failure_emailed_once(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a session booked while the payer had a card, which they removed since
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    remove_card(client, scene.client_token)

    # when the sweep runs inside the window, twice
    settled.set(ten - NOTICE)
    sweep(server)
    settled.advance(timedelta(minutes=1))
    sweep(server)

    # then the failure is recorded once without asking the gateway, and the payer told once
    assert look(client, scene, booking)["charge"]["status"] == "FAILED"
    [recorded] = appointment_charges(server, booking["id"])
    assert recorded.idempotency_key.endswith(":card:none")
    assert gateway_charges(server, booking["id"]) == []
    [failed] = emails(mailbox, scene.client_email, PAYMENT_FAILED)
    assert "there is no card on your account" in failed.text


def test_a_late_cancellation_charged_by_cancel_appointment_is_not_charged_again(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a client who cancelled a day before, so cancelSession took the fee at once
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    settled.set(ten - timedelta(hours=24))
    assert cancel(client, scene.client_token, booking["id"])["session"]["status"] == (
        "LATE_CANCELLED")

    # when the sweep runs
    sweep(server)

    # then there is still the one charge: the same key answered the same charge
    assert look(client, scene, booking)["charge"]["status"] == "SUCCEEDED"
    assert len(appointment_charges(server, booking["id"])) == 1
    assert len(gateway_charges(server, booking["id"])) == 1


@pytest.fixture
def answers_lost(server: RunningServer) -> Iterator[None]:
    """The server's gateway charges, and then the answer is lost (a connection reset)."""
    gateway = server.runtime.services.payments
    real_charge = gateway.charge

    async def charge(*args: Any) -> Any:
        await real_charge(*args)
        raise ConnectionError("connection reset")

    gateway.charge = charge  # type: ignore[method-assign]
    yield
    gateway.charge = real_charge  # type: ignore[method-assign]


def test_a_late_fee_whose_answer_was_lost_is_recorded_by_the_sweep_without_a_second_charge(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime, answers_lost: None,
) -> None:
    # given a client cancelled a day before, and the gateway took the fee but its answer was lost
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    settled.set(ten - timedelta(hours=24))
    payload = cancel(client, scene.client_token, booking["id"])
    assert (payload["session"]["status"], payload["session"]["charge"]) == ("LATE_CANCELLED", None)
    assert len(gateway_charges(server, booking["id"])) == 1

    # when the sweep runs (twice)
    sweep(server)
    sweep(server)

    # then the fee the gateway took is recorded, once, and nothing more is charged
    assert look(client, scene, booking)["charge"]["status"] == "SUCCEEDED"
    [recorded] = appointment_charges(server, booking["id"])
    [taken] = gateway_charges(server, booking["id"])
    assert recorded.gateway_reference == taken.reference


def test_a_late_fee_without_a_card_is_a_failure_the_payer_hears_of_once(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a client who removed their card, then cancelled a day before
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    remove_card(client, scene.client_token)
    settled.set(ten - timedelta(hours=24))
    assert cancel(client, scene.client_token, booking["id"])["session"]["status"] == (
        "LATE_CANCELLED")

    # when the sweep runs (twice)
    sweep(server)
    sweep(server)

    # then the fee is recorded as refused and the payer is told, once, that it is still owed
    assert look(client, scene, booking)["charge"]["status"] == "FAILED"
    assert gateway_charges(server, booking["id"]) == []
    [failed] = emails(mailbox, scene.client_email, PAYMENT_FAILED)
    assert "there is no card on your account" in failed.text
    assert "its fee is still owed" in failed.text
    assert "cancelled automatically" not in failed.text


# ------------------------------------------------------------------ automatic cancellation


def test_an_unpaid_appointment_is_auto_cancelled_and_everyone_concerned_told(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a third-party session whose payment was refused
    party = third_party(client, mailbox, card="tok_chargeDeclined")
    booking = booked(client, party.scene.owner.token, relationshipId=party.relationship_id,
                     startsAt=ten)
    settled.set(ten - NOTICE)
    sweep(server)

    # when the sweep runs an hour before the start, and again
    settled.set(ten - timedelta(hours=1))
    sweep(server)
    settled.advance(timedelta(minutes=1))
    sweep(server)

    # then the session is AUTO_CANCELLED at that instant, nothing was charged
    found = look(client, party.scene, booking)
    assert found["status"] == "AUTO_CANCELLED"
    assert found["cancelledAt"] == iso(ten - timedelta(hours=1))
    assert [c.status for c in gateway_charges(server, booking["id"])] == ["DECLINED"]
    # and the attendee, the payer and the practitioner are each told once
    [to_attendee] = emails(mailbox, party.attendee_email, AUTO_CANCELLED_CLIENT)
    [to_payer] = emails(mailbox, party.scene.client_email, AUTO_CANCELLED_CLIENT)
    [to_practitioner] = emails(mailbox, party.scene.owner.email, AUTO_CANCELLED_PRACTITIONER)
    assert to_attendee.subject.strip().startswith("Your session on")
    assert to_payer.subject.strip().startswith("The session for Alex Attendee on")
    assert "cancelled automatically" in to_attendee.text
    assert "Casey Signed, who pays for the sessions" in to_attendee.text
    assert "Nothing has been charged" in to_payer.text
    assert "Alex Attendee" in to_practitioner.text
    assert "The time is free again" in to_practitioner.html


def test_a_paid_appointment_is_not_auto_cancelled(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a session paid when it came inside the window
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    settled.set(ten - NOTICE)
    sweep(server)

    # when the sweep runs in its last hour
    settled.set(ten - timedelta(minutes=30))
    sweep(server)

    # then it stays SCHEDULED and nobody hears of a cancellation
    assert look(client, scene, booking)["status"] == "SCHEDULED"
    server.drain()
    assert emails(mailbox, scene.client_email, AUTO_CANCELLED_CLIENT) == []
    assert emails(mailbox, scene.owner.email, AUTO_CANCELLED_PRACTITIONER) == []


def test_a_appointment_booked_in_its_last_hour_is_charged_before_anything_cancels_it(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given the practice books a session starting in half an hour
    scene = paying_client_scene(client, mailbox)
    settled.set(ten - timedelta(minutes=30))
    booking = book_for(client, scene, ten)

    # when the sweep runs
    sweep(server)

    # then it is charged first, so it stays SCHEDULED
    found = look(client, scene, booking)
    assert (found["status"], found["charge"]["status"]) == ("SCHEDULED", "SUCCEEDED")
    server.drain()
    assert emails(mailbox, scene.client_email, AUTO_CANCELLED_CLIENT) == []


# ------------------------------------------------------------------ reminders


def test_the_reminder_goes_once_to_the_attendee_and_the_payer(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a paid third-party session
    party = third_party(client, mailbox)
    booked(client, party.scene.owner.token, relationshipId=party.relationship_id,
           startsAt=ten)

    # when the sweep runs a day before, and on every hour after until the last
    settled.set(ten - timedelta(hours=24))
    for _ in range(3):
        sweep(server)
        settled.advance(timedelta(hours=11))

    # then the attendee and the payer each got one reminder; the practitioner none
    [to_attendee] = emails(mailbox, party.attendee_email, REMINDER)
    [to_payer] = emails(mailbox, party.scene.client_email, REMINDER)
    assert "Alex Attendee" in to_attendee.text
    assert to_attendee.subject.strip().startswith("Reminder: your session with Ada Owner on Monday")
    assert to_payer.subject.strip().startswith("Reminder: the session for Alex Attendee with")
    assert "can no longer be moved" in to_payer.text
    assert "has not gone through" not in to_payer.text
    assert emails(mailbox, party.scene.owner.email, REMINDER) == []


def test_no_reminder_for_a_cancelled_appointment(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a session the practice cancelled
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    assert cancel(client, scene.owner.token, booking["id"])["userErrors"] == []

    # when the sweep runs a day before
    settled.set(ten - timedelta(hours=24))
    sweep(server)

    # then no reminder goes, and nothing is charged
    server.drain()
    assert emails(mailbox, scene.client_email, REMINDER) == []
    assert appointment_charges(server, booking["id"]) == []


def test_a_moved_appointment_gets_a_reminder_for_its_new_time(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a reminder already sent
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    settled.set(ten - timedelta(hours=24))
    sweep(server)
    assert len(emails(mailbox, scene.client_email, REMINDER)) == 1

    # when the practice moves the session a day later and the sweep runs again, twice
    later = ten + timedelta(days=1)
    assert reschedule(client, scene.owner.token, booking["id"], later)["userErrors"] == []
    sweep(server)
    settled.set(later - timedelta(hours=24))
    sweep(server)
    sweep(server)

    # then one more reminder went, for the new time
    reminders = emails(mailbox, scene.client_email, REMINDER)
    assert len(reminders) == 2
    assert "Tuesday" in reminders[1].subject


# ------------------------------------------------------------------ twice at once, and crashes


def test_two_sweeps_at_once_charge_cancel_and_email_once(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given three paid-by-card sessions due for payment and a reminder, and a payer whose
    # card declines with one session due a reminder and one in its last hour
    now = ten - timedelta(hours=20)
    settled.set(now - timedelta(days=1))
    good = paying_client_scene(client, mailbox)
    good_relationship = relationship_of(client, good)
    paid = [booked(client, good.owner.token, relationshipId=good_relationship,
                   startsAt=ten + timedelta(hours=hour)) for hour in range(3)]
    bad = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    bad_relationship = relationship_of(client, bad)
    refused = booked(client, bad.owner.token, relationshipId=bad_relationship, startsAt=ten)
    last_hour = booked(client, bad.owner.token, relationshipId=bad_relationship,
                       startsAt=now + timedelta(minutes=30))

    # when two sweeps run at the same instant, past the lease, each on its own engine
    settled.set(now)
    expected = {key_of(server, good, b) for b in paid} | {
        key_of(server, bad, b) for b in (refused, last_hour)}
    reports, keys = both_at_once(server, expected)
    server.drain()

    # then both sweeps asked the gateway for each of these charges, at the same time
    assert len(reports) == 2
    assert expected <= keys[0] and expected <= keys[1]
    for booking in [*paid, refused, last_hour]:
        assert {c.idempotency_key for c in gateway_charges(server, booking["id"])} <= expected
    # and each session was charged (or refused) exactly once
    for booking in paid:
        assert [c.status for c in gateway_charges(server, booking["id"])] == ["SUCCEEDED"]
        assert [c.status.name for c in appointment_charges(server, booking["id"])] == ["SUCCEEDED"]
        assert look(client, good, booking)["charge"]["status"] == "SUCCEEDED"
    for booking in (refused, last_hour):
        assert [c.status for c in gateway_charges(server, booking["id"])] == ["DECLINED"]
        assert [c.status.name for c in appointment_charges(server, booking["id"])] == ["FAILED"]
    assert look(client, bad, last_hour)["status"] == "AUTO_CANCELLED"
    assert look(client, bad, refused)["status"] == "SCHEDULED"
    # and every email went once
    assert len(emails(mailbox, good.client_email, REMINDER)) == 3
    assert emails(mailbox, good.client_email, PAYMENT_FAILED) == []
    assert len(emails(mailbox, bad.client_email, REMINDER)) == 1
    # (the refusal in the last hour is told by the cancellation: no card to fix for it now)
    [failed] = emails(mailbox, bad.client_email, PAYMENT_FAILED)
    assert "Monday" in failed.subject
    assert len(emails(mailbox, bad.client_email, AUTO_CANCELLED_CLIENT)) == 1
    assert len(emails(mailbox, bad.owner.email, AUTO_CANCELLED_PRACTITIONER)) == 1


class Rendezvous:
    """Two sweeps' gateways: a charge under a watched key waits (ten seconds at most) until
    the other sweep has asked for the same key, so both provably charge each watched session
    at the same time, whatever else the shared test database holds. Notes who asked for what."""

    def __init__(self, watched: set[str]) -> None:
        self.arrived = {(key, who): asyncio.Event() for key in watched for who in (0, 1)}
        self.keys: list[set[str]] = [set(), set()]

    def gateway(self, who: int, inner: SandboxGateway) -> Any:
        rendezvous = self

        class Gateway:
            async def charge(self, card_reference: str, amount: Decimal, currency: str,
                             idempotency_key: str) -> Any:
                rendezvous.keys[who].add(idempotency_key)
                if (idempotency_key, who) in rendezvous.arrived:
                    rendezvous.arrived[idempotency_key, who].set()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            rendezvous.arrived[idempotency_key, 1 - who].wait(), timeout=10)
                return await inner.charge(card_reference, amount, currency, idempotency_key)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return Gateway()


def both_at_once(server: RunningServer, watched: set[str]) -> tuple[list[SweepReport],
                                                                    list[set[str]]]:
    async def race(db: Database) -> tuple[list[SweepReport], list[set[str]]]:
        other = Database(server.runtime.settings.database_url, pool_size=2)
        rendezvous = Rendezvous(watched)
        sweepers = [
            Sweeper(engine, server.clock, server.runtime.send_outbox,
                    rendezvous.gateway(who, SandboxGateway(engine, server.clock)))
            for who, engine in enumerate((db, other))
        ]
        try:
            reports = await asyncio.gather(*(run_sweep(s) for s in sweepers))
        finally:
            await other.dispose()
        return list(reports), rendezvous.keys

    return with_database(server, race)


def test_a_crash_between_the_gateway_charge_and_the_commit_charges_once(
    client: GraphQLClient, server: RunningServer, mailbox: Mailbox, settled: SettledClock,
    ten: datetime,
) -> None:
    # given a due session the gateway charged under the sweep's key, after which the process
    # died before anything was recorded
    scene = paying_client_scene(client, mailbox)
    booking = book_for(client, scene, ten)
    settled.set(ten - NOTICE)
    card = card_of(server, scene.client_id)
    key = f"appointment:{decode_id(booking['id'], 'Session')}:card:{card.id}"

    async def charge_and_die(db: Database) -> Any:
        gateway = SandboxGateway(db, settled)
        return await gateway.charge(card.gateway_reference, Decimal("80.00"), "GBP", key)

    taken = with_database(server, charge_and_die)
    assert taken.succeeded
    assert look(client, scene, booking)["charge"] is None

    # when the sweep runs (twice)
    sweep(server)
    sweep(server)

    # then the gateway's one charge is recorded and pays the session: nothing charged twice
    [recorded] = appointment_charges(server, booking["id"])
    assert (recorded.status.name, recorded.idempotency_key, recorded.gateway_reference) == (
        "SUCCEEDED", key, taken.reference)
    assert [c.reference for c in gateway_charges(server, booking["id"])] == [taken.reference]
    assert look(client, scene, booking)["charge"]["status"] == "SUCCEEDED"
