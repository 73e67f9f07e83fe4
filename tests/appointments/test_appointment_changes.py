"""cancelSession and rescheduleSession under the 48-hour policy (seeds 000, 004), and the money
that follows: refunds (straight away, or by the sweep after a failure) and late fees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from persistence import tables
from persistence.database import Database
from schema.shared.ids import decode_id
from tests.support.appointments import (
    Scene,
    booked,
    cancel,
    charge_rows,
    iso,
    paying_client_scene,
    read_appointment,
    relationship_of,
    reschedule,
    take_payment,
)
from tests.support.clients import create_client, create_relationship, signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, add_practitioner, register_practice
from tests.support.jobs import sweep, with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

NOTICE = timedelta(hours=48)


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


@pytest.fixture
def ten(monday: datetime) -> datetime:
    """Monday 10:00 UTC: inside working hours in London, winter or summer."""
    return monday + timedelta(hours=4)


@pytest.fixture
def booking(client: GraphQLClient, scene: Scene, ten: datetime) -> dict[str, Any]:
    """A session the practice booked for the scene's client on Monday at ten."""
    return booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=ten)


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


@pytest.fixture
def failing_gateway(server: RunningServer) -> Iterator[dict[str, bool]]:
    """Break the server's refunds (never made) or charges (made, the answer lost), to play a
    failure right after a commit."""
    gateway = server.runtime.services.payments
    failing = {"refund": False, "charge": False}
    real_refund, real_charge = gateway.refund, gateway.charge  # type: ignore[union-attr]

    async def refund(*args: Any) -> Any:
        if failing["refund"]:
            raise ConnectionError("gateway unreachable")
        return await real_refund(*args)

    async def charge(*args: Any) -> Any:
        answer = await real_charge(*args)
        if failing["charge"]:  # the money moved, and then the answer was lost
            raise ConnectionError("connection reset")
        return answer

    gateway.refund, gateway.charge = refund, charge  # type: ignore[method-assign, union-attr]
    yield failing
    gateway.refund, gateway.charge = real_refund, real_charge  # type: ignore[method-assign, union-attr]


# ------------------------------------------------------------------ a client cancels


def test_a_client_cancelling_with_more_notice_than_the_window_owes_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock,
) -> None:
    # given the session starts in 48 hours and one second
    clock.set(ten - NOTICE - timedelta(seconds=1))

    # when the client cancels it
    payload = cancel(client, scene.client_token, booking["id"], reason="  Away that week ")

    # then it is CANCELLED, nothing is owed and nothing was charged
    assert payload["userErrors"] == []
    assert payload["lateCancellation"] is False
    assert payload["session"]["status"] == "CANCELLED"
    assert payload["session"]["cancelledAt"] == iso(clock())
    assert payload["session"]["charge"] is None
    assert charge_rows(server, booking["id"]) == []


def test_a_client_cancelling_with_exactly_the_window_left_cancels_late_and_pays_the_fee(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock,
) -> None:
    # given the session starts in exactly 48 hours and is not paid yet
    clock.set(ten - NOTICE)

    # when the client cancels it
    payload = cancel(client, scene.client_token, booking["id"])

    # then it is LATE_CANCELLED and its fee is taken from the payer's card at once
    assert payload["userErrors"] == []
    assert payload["lateCancellation"] is True
    assert payload["session"]["status"] == "LATE_CANCELLED"
    charge = payload["session"]["charge"]
    assert charge["status"] == "SUCCEEDED"
    assert charge["amount"] == {"amount": "80.00", "currency": "GBP"}
    [row] = charge_rows(server, booking["id"])
    assert row.idempotency_key.startswith(f"appointment:{_uuid(booking['id'])}:card:")


def test_a_late_cancellation_keeps_a_fee_already_taken_and_takes_no_other(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock
) -> None:
    # given the session was charged once inside the window
    clock.set(ten - timedelta(hours=30))
    take_payment(server, booking["id"])

    # when the client cancels a day before
    clock.set(ten - timedelta(hours=24))
    payload = cancel(client, scene.client_token, booking["id"])

    # then the fee stands: the one charge, not refunded
    assert payload["lateCancellation"] is True
    assert payload["session"]["status"] == "LATE_CANCELLED"
    assert payload["session"]["charge"]["status"] == "SUCCEEDED"
    [row] = charge_rows(server, booking["id"])
    assert (row.refund_requested_at, row.refund_reference) == (None, None)


def test_a_declined_late_fee_is_recorded_once(
    client: GraphQLClient, server: RunningServer, monday: datetime, ten: datetime,
    mailbox: Mailbox, clock: TestClock
) -> None:
    # given a client whose card declines, and their session a day away
    scene = paying_client_scene(client, mailbox, card="tok_chargeDeclined")
    booking = booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                     startsAt=ten)
    clock.set(ten - timedelta(hours=24))

    # when they cancel it
    payload = cancel(client, scene.client_token, booking["id"])

    # then it is LATE_CANCELLED, the refusal is recorded, and the sweep does not repeat it
    assert payload["session"]["status"] == "LATE_CANCELLED"
    [row] = charge_rows(server, booking["id"])
    assert row.status.name == "FAILED"
    sweep(server)
    assert len(charge_rows(server, booking["id"])) == 1


def test_a_late_fee_the_gateway_did_not_take_is_taken_by_the_sweep_once(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, failing_gateway: dict[str, bool], clock: TestClock
) -> None:
    # given the gateway charges the late fee but its answer is lost
    clock.set(ten - timedelta(hours=10))
    failing_gateway["charge"] = True
    payload = cancel(client, scene.client_token, booking["id"])
    failing_gateway["charge"] = False
    assert payload["session"]["status"] == "LATE_CANCELLED"
    assert payload["session"]["charge"] is None

    # when the sweep runs (twice)
    sweep(server)
    sweep(server)

    # then the fee was taken exactly once, under the key the cancellation used
    [row] = charge_rows(server, booking["id"])
    assert row.status.name == "SUCCEEDED"
    assert row.idempotency_key.startswith(f"appointment:{_uuid(booking['id'])}:card:")
    found = read_appointment(client, scene.client_token, booking["id"])
    assert found is not None and found["charge"]["status"] == "SUCCEEDED"


def test_a_client_may_not_cancel_twice_nor_anything_not_scheduled(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any]
) -> None:
    assert cancel(client, scene.client_token, booking["id"])["userErrors"] == []

    again = cancel(client, scene.client_token, booking["id"])

    assert again == {"session": None, "lateCancellation": False, "userErrors": [{
        "field": ["input", "sessionId"], "code": "INVALID_STATE",
        "message": "The session is CANCELLED, not SCHEDULED."}]}


# ------------------------------------------------------------------ the practice cancels


def test_the_practice_cancelling_inside_the_window_never_charges(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock,
) -> None:
    clock.set(ten - timedelta(hours=2))

    payload = cancel(client, scene.owner.token, booking["id"], reason="Practitioner unwell")

    assert payload["userErrors"] == []
    assert payload["lateCancellation"] is False
    assert payload["session"]["status"] == "CANCELLED"
    assert payload["session"]["charge"] is None
    assert charge_rows(server, booking["id"]) == []


def test_the_practice_cancelling_a_paid_appointment_refunds_it_at_once(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock
) -> None:
    # given the session was charged inside the window
    clock.set(ten - timedelta(hours=40))
    take_payment(server, booking["id"])

    # when the practice cancels it
    clock.set(ten - timedelta(hours=20))
    payload = cancel(client, scene.owner.token, booking["id"])

    # then the charge is refunded through the gateway, with its own idempotency key
    assert payload["session"]["status"] == "CANCELLED"
    assert payload["session"]["charge"]["status"] == "REFUNDED"
    [row] = charge_rows(server, booking["id"])
    assert row.refund_requested_at == clock()
    assert row.refunded_at == clock()
    assert row.refund_reference is not None


def test_a_client_cancelling_in_time_a_appointment_already_paid_is_refunded(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock
) -> None:
    # given the session was charged, then the practice moved it a week later
    clock.set(ten - timedelta(hours=40))
    take_payment(server, booking["id"])
    later = ten + timedelta(days=7)
    assert reschedule(client, scene.owner.token, booking["id"], later)["userErrors"] == []

    # when the client cancels with more notice than the window
    payload = cancel(client, scene.client_token, booking["id"])

    # then nothing is owed and the charge is refunded
    assert payload["lateCancellation"] is False
    assert payload["session"]["status"] == "CANCELLED"
    assert payload["session"]["charge"]["status"] == "REFUNDED"


def test_a_refund_the_gateway_did_not_make_is_finished_by_the_sweep(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, failing_gateway: dict[str, bool], clock: TestClock
) -> None:
    # given a paid session whose refund fails right after the cancellation commits
    clock.set(ten - timedelta(hours=40))
    take_payment(server, booking["id"])
    failing_gateway["refund"] = True
    payload = cancel(client, scene.owner.token, booking["id"])
    failing_gateway["refund"] = False

    # then the cancellation stands, and the refund is owed but not made
    assert payload["userErrors"] == []
    assert payload["session"]["status"] == "CANCELLED"
    assert payload["session"]["charge"]["status"] == "SUCCEEDED"
    [row] = charge_rows(server, booking["id"])
    assert row.refund_requested_at is not None
    assert (row.refunded_at, row.refund_reference) == (None, None)

    # when the sweep runs
    clock.advance(timedelta(minutes=1))
    report = sweep(server)

    # then the refund is made and recorded, once
    assert report is not None and report.counts["refunds retried"] >= 1
    [row] = charge_rows(server, booking["id"])
    assert row.refunded_at == clock()
    assert row.refund_reference is not None
    found = read_appointment(client, scene.owner.token, booking["id"])
    assert found is not None and found["charge"]["status"] == "REFUNDED"
    reference = row.refund_reference
    sweep(server)
    [row] = charge_rows(server, booking["id"])
    assert row.refund_reference == reference


def test_a_refund_made_but_not_recorded_is_recorded_by_the_sweep_without_a_second_refund(
    client: GraphQLClient, server: RunningServer, scene: Scene, booking: dict[str, Any],
    ten: datetime, clock: TestClock
) -> None:
    # given a refund the gateway made, whose recording was lost (a crash after the call)
    clock.set(ten - timedelta(hours=40))
    take_payment(server, booking["id"])
    cancel(client, scene.owner.token, booking["id"])
    [row] = charge_rows(server, booking["id"])
    reference = row.refund_reference

    async def forget(db: Database) -> None:
        async with db.new_write_tx() as s, s.begin():
            await s.execute(update(tables.charges).where(tables.charges.c.id == row.id)
                            .values(status="SUCCEEDED", refunded_at=None))

    with_database(server, forget)

    # when the sweep runs
    sweep(server)

    # then the charge is REFUNDED by the one refund the gateway made
    [row] = charge_rows(server, booking["id"])
    assert row.status.name == "REFUNDED"
    assert row.refund_reference == reference


# ------------------------------------------------------------------ who may


def test_a_appointment_the_viewer_may_not_see_is_not_found(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime,
    mailbox: Mailbox
) -> None:
    _, _, stranger = signed_in_client(client, scene.owner, mailbox)
    other_practice = register_practice(client)
    not_found = {"field": ["input", "sessionId"], "code": "NOT_FOUND",
                 "message": "Session not found."}

    for token in (stranger, other_practice.token):
        assert cancel(client, token, booking["id"])["userErrors"] == [not_found]
        assert reschedule(client, token, booking["id"], ten + timedelta(hours=1))[
            "userErrors"] == [not_found]
    assert cancel(client, scene.owner.token, "not-an-id")["userErrors"] == [not_found]
    assert read_appointment(client, scene.client_token, booking["id"])["status"] == "SCHEDULED"  # type: ignore[index]


def test_only_the_appointments_practitioner_or_the_owner_changes_it(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime
) -> None:
    pat = add_practitioner(client, scene.owner)

    payload = cancel(client, pat.token, booking["id"])

    assert codes(payload) == [(["input", "sessionId"], "NOT_PERMITTED")]
    moved = reschedule(client, pat.token, booking["id"], ten + timedelta(hours=1))
    assert codes(moved) == [(["input", "sessionId"], "NOT_PERMITTED")]


def test_a_third_party_payer_may_cancel_the_appointment_they_pay_for(
    client: GraphQLClient, scene: Scene, ten: datetime
) -> None:
    child = create_client(client, scene.owner, "Kit", "Young")
    relationship = create_relationship(client, scene.owner, [child["id"]], kind="CHILD",
                                       payerId=scene.client_id)
    booking = booked(client, scene.owner.token, relationshipId=relationship["id"], startsAt=ten)

    payload = cancel(client, scene.client_token, booking["id"])

    assert payload["userErrors"] == []
    assert payload["session"]["status"] == "CANCELLED"


# ------------------------------------------------------------------ moving


def test_a_client_moves_a_appointment_to_another_bookable_time(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime, clock: TestClock
) -> None:
    # given more notice than the window (48 hours and a second)
    clock.set(ten - NOTICE - timedelta(seconds=1))

    # when the client moves it by half an hour, over its own old time
    payload = reschedule(client, scene.client_token, booking["id"],
                         ten + timedelta(minutes=30))

    # then it starts then, as long as it was
    assert payload["userErrors"] == []
    moved = payload["session"]
    assert (moved["startsAt"], moved["endsAt"]) == (
        iso(ten + timedelta(minutes=30)), iso(ten + timedelta(minutes=80)))
    assert moved["status"] == "SCHEDULED"
    assert moved["id"] == booking["id"]


def test_a_client_may_not_move_a_appointment_with_exactly_the_window_left(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime, clock: TestClock
) -> None:
    clock.set(ten - NOTICE)

    payload = reschedule(client, scene.client_token, booking["id"], ten + timedelta(days=1))

    assert payload == {"session": None, "userErrors": [{
        "field": ["input", "sessionId"], "code": "LATE_CHANGE",
        "message": "Sessions can't be moved with 48 hours' notice or less."}]}
    assert read_appointment(client, scene.client_token, booking["id"])["startsAt"] == iso(ten)  # type: ignore[index]


def test_a_client_moves_only_to_a_bookable_future_time(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime, clock: TestClock
) -> None:
    relationship_id = booking["relationship"]["id"]
    other = booked(client, scene.owner.token, relationshipId=relationship_id,
                   startsAt=ten + timedelta(hours=2))
    token = scene.client_token

    evening = reschedule(client, token, booking["id"], ten + timedelta(hours=10))
    off_quarter = reschedule(client, token, booking["id"], ten + timedelta(minutes=10))
    taken = reschedule(client, token, booking["id"], ten + timedelta(hours=2, minutes=30))
    past = reschedule(client, token, booking["id"], clock() - timedelta(days=7))
    too_long = reschedule(client, token, booking["id"], ten, durationMinutes=0)

    unavailable = [(["input", "startsAt"], "SLOT_UNAVAILABLE")]
    assert codes(evening) == codes(off_quarter) == codes(taken) == unavailable
    assert past["userErrors"] == [{"field": ["input", "startsAt"], "code": "INVALID",
                                   "message": "Sessions can only be moved to a future time."}]
    assert codes(too_long) == [(["input", "durationMinutes"], "INVALID")]
    assert read_appointment(client, token, booking["id"])["startsAt"] == iso(ten)  # type: ignore[index]
    assert read_appointment(client, token, other["id"])["startsAt"] == iso(ten + timedelta(hours=2))  # type: ignore[index]


def test_the_practice_moves_a_appointment_to_any_free_time_even_inside_the_window_or_past(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime, clock: TestClock
) -> None:
    clock.set(ten - timedelta(hours=3))
    owner = scene.owner.token

    evening = reschedule(client, owner, booking["id"], ten + timedelta(hours=10),
                         durationMinutes=90)
    assert evening["userErrors"] == []
    assert evening["session"]["endsAt"] == iso(ten + timedelta(hours=11, minutes=30))

    past = reschedule(client, owner, booking["id"], ten - timedelta(days=2, minutes=5))
    assert past["userErrors"] == []
    assert past["session"]["startsAt"] == iso(ten - timedelta(days=2, minutes=5))


def test_the_practice_may_not_move_a_appointment_over_another(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime
) -> None:
    booked(client, scene.owner.token, relationshipId=booking["relationship"]["id"],
           startsAt=ten + timedelta(hours=3))

    payload = reschedule(client, scene.owner.token, booking["id"],
                         ten + timedelta(hours=2, minutes=30))

    assert payload["userErrors"] == [{"field": ["input", "startsAt"],
                                      "code": "SLOT_UNAVAILABLE",
                                      "message": "That time is not available."}]


def test_only_scheduled_appointments_move(
    client: GraphQLClient, scene: Scene, booking: dict[str, Any], ten: datetime
) -> None:
    cancel(client, scene.owner.token, booking["id"])

    payload = reschedule(client, scene.owner.token, booking["id"], ten + timedelta(hours=1))

    assert codes(payload) == [(["input", "sessionId"], "INVALID_STATE")]


# ------------------------------------------------------------------ helpers


def _uuid(global_id: str) -> str:
    return str(decode_id(global_id, "Session"))
