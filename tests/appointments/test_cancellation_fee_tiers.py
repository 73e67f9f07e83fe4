"""Cancellation fee tiers through the API: the owner sets them, each session keeps the tiers it
was booked under, a cancellation in a tier takes (or keeps) that share of the price and gives
the rest back, and the emails say what was charged and why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from persistence import tables
from persistence.database import Database
from schema.shared.ids import decode_id
from tests.support.appointments import (
    ERRORS,
    Scene,
    booked,
    cancel,
    charge_rows,
    paying_client_scene,
    relationship_of,
    take_payment,
)
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient, add_practitioner
from tests.support.jobs import sweep, with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

H = timedelta(hours=1)

SET_POLICY = f"""
mutation Policy($input: SetCancellationPolicyInput!) {{
  setCancellationPolicy(input: $input) {{
    practice {{ cancellationNoticeHours cancellationPolicy {{ noticeHours
      tiers {{ withinHours percent }} }} }}
    {ERRORS}
  }}
}}
"""

PRACTICE_POLICY = """
{ viewer { practice { cancellationNoticeHours
  cancellationPolicy { noticeHours tiers { withinHours percent } } } } }
"""

FEE = "percent amount { amount currency } withinHours packageCreditKept"
SESSION_FEES = f"""
query Fees($id: ID!) {{ node(id: $id) {{ ... on Session {{
  status cancellationPolicy {{ tiers {{ withinHours percent }} }}
  feeIfCancelledNow {{ {FEE} }} cancellationFee {{ {FEE} }}
  charge {{ status amount {{ amount currency }} refundedAmount {{ amount currency }} }}
}} }} }}
"""

HALF_THEN_ALL = [{"withinHours": 48, "percent": "50"}, {"withinHours": 24, "percent": "100"}]


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


@pytest.fixture
def ten(monday: datetime) -> datetime:
    return monday + timedelta(hours=4)


def set_policy(client: GraphQLClient, token: str, tiers: list[dict[str, Any]]) -> Any:
    return client.data(SET_POLICY, {"input": {"tiers": tiers}}, token=token)[
        "setCancellationPolicy"]


def fees(client: GraphQLClient, token: str, session_id: str) -> Any:
    return client.data(SESSION_FEES, {"id": session_id}, token=token)["node"]


def book_at(client: GraphQLClient, scene: Scene, when: datetime) -> str:
    return str(booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                      startsAt=when)["id"])


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "GBP"}


def sandbox_refund(server: RunningServer, session_id: str) -> Decimal | None:
    appointment_id = decode_id(session_id, "Session")

    async def read(db: Database) -> Decimal | None:
        c, s = tables.charges, tables.sandbox_charges
        async with db.reading() as tx:
            return await tx.scalar(  # type: ignore[no-any-return]
                select(s.c.refund_amount).join(c, c.c.gateway_reference == s.c.reference)
                .where(c.c.appointment_id == appointment_id))

    return with_database(server, read)


# ------------------------------------------------------------------ setting the policy


def test_a_new_practice_has_the_default_48_hours_at_100_percent(
    client: GraphQLClient, scene: Scene
) -> None:
    practice = client.data(PRACTICE_POLICY, token=scene.owner.token)["viewer"]["practice"]
    assert practice == {"cancellationNoticeHours": 48, "cancellationPolicy": {
        "noticeHours": 48, "tiers": [{"withinHours": 48, "percent": "100"}]}}


def test_the_owner_sets_tiers_and_the_outermost_becomes_the_notice_window(
    client: GraphQLClient, scene: Scene
) -> None:
    # when the owner sets three tiers, in no particular order
    payload = set_policy(client, scene.owner.token, [
        {"withinHours": 24, "percent": "100"}, {"withinHours": 72, "percent": "25"},
        {"withinHours": 48, "percent": "50.5"}])

    # then they are kept most notice first, and the window is the outermost
    assert payload == {"userErrors": [], "practice": {
        "cancellationNoticeHours": 72, "cancellationPolicy": {"noticeHours": 72, "tiers": [
            {"withinHours": 72, "percent": "25"}, {"withinHours": 48, "percent": "50.5"},
            {"withinHours": 24, "percent": "100"}]}}}
    assert client.data(PRACTICE_POLICY, token=scene.owner.token)["viewer"]["practice"] == (
        payload["practice"])


def test_bad_tiers_are_named_and_change_nothing(client: GraphQLClient, scene: Scene) -> None:
    payload = set_policy(client, scene.owner.token, [
        {"withinHours": 48, "percent": "100"}, {"withinHours": 24, "percent": "50"},
        {"withinHours": 0, "percent": "0"}])

    assert payload == {"practice": None, "userErrors": [
        {"field": ["input", "tiers", "2", "withinHours"], "code": "INVALID",
         "message": "Hours must be 1 to 720."},
        {"field": ["input", "tiers", "2", "percent"], "code": "INVALID",
         "message": "A percent is above 0, at most 100, with at most 2 decimal places."}]}
    again = set_policy(client, scene.owner.token, [
        {"withinHours": 24, "percent": "100"}, {"withinHours": 48, "percent": "100"}])
    assert [e["code"] for e in again["userErrors"]] == ["INVALID"]
    practice = client.data(PRACTICE_POLICY, token=scene.owner.token)["viewer"]["practice"]
    assert practice["cancellationPolicy"]["tiers"] == [{"withinHours": 48, "percent": "100"}]


def test_only_the_owner_sets_the_policy(client: GraphQLClient, scene: Scene) -> None:
    practitioner = add_practitioner(client, scene.owner)

    refused = set_policy(client, practitioner.token, HALF_THEN_ALL)
    by_client = set_policy(client, scene.client_token, HALF_THEN_ALL)

    assert refused == {"practice": None, "userErrors": [{
        "field": None, "code": "NOT_PERMITTED",
        "message": "Only the practice's owner may do this."}]}
    assert by_client["userErrors"][0]["code"] == "NOT_PERMITTED"
    practice = client.data(PRACTICE_POLICY, token=scene.owner.token)["viewer"]["practice"]
    assert practice["cancellationNoticeHours"] == 48


# ------------------------------------------------------------------ what cancelling costs


def test_a_session_answers_what_cancelling_it_now_would_cost_at_each_tier(
    client: GraphQLClient, scene: Scene, ten: datetime, clock: TestClock
) -> None:
    # given tiers 48 h: 50 %, 24 h: 100 %, and a session booked under them
    assert set_policy(client, scene.owner.token, HALF_THEN_ALL)["userErrors"] == []
    session_id = book_at(client, scene, ten)
    answers = []
    # when the client asks at 48 h and a second, exactly 48 h, 24 h and a second, exactly 24 h
    for notice in (48 * H + timedelta(seconds=1), 48 * H, 24 * H + timedelta(seconds=1),
                   24 * H):
        clock.set(ten - notice)
        answers.append(fees(client, scene.client_token, session_id)["feeIfCancelledNow"])

    # then each boundary belongs to the tier with less notice
    assert answers == [
        {"percent": "0", "amount": money("0.00"), "withinHours": None,
         "packageCreditKept": False},
        {"percent": "50", "amount": money("40.00"), "withinHours": 48,
         "packageCreditKept": False},
        {"percent": "50", "amount": money("40.00"), "withinHours": 48,
         "packageCreditKept": False},
        {"percent": "100", "amount": money("80.00"), "withinHours": 24,
         "packageCreditKept": False},
    ]


def test_a_session_keeps_the_policy_it_was_booked_under(
    client: GraphQLClient, scene: Scene, ten: datetime, clock: TestClock
) -> None:
    # given one session booked under the default, then tiers set, then another booked
    before = book_at(client, scene, ten)
    assert set_policy(client, scene.owner.token, HALF_THEN_ALL)["userErrors"] == []
    after = book_at(client, scene, ten + 2 * H)
    clock.set(ten - 36 * H)

    # when the client cancels both with 36 hours' notice
    first = cancel(client, scene.client_token, before)
    second = cancel(client, scene.client_token, after)

    # then the first costs the whole price (its policy), the second half
    assert first["lateCancellation"] is second["lateCancellation"] is True
    assert fees(client, scene.client_token, before)["cancellationFee"]["amount"] == (
        money("80.00"))
    assert fees(client, scene.client_token, after)["cancellationFee"] == {
        "percent": "50", "amount": money("40.00"), "withinHours": 48,
        "packageCreditKept": False}
    assert fees(client, scene.client_token, before)["cancellationPolicy"]["tiers"] == [
        {"withinHours": 48, "percent": "100"}]


def test_cancelling_in_the_half_tier_before_payment_takes_half(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    clock: TestClock, mailbox: Mailbox,
) -> None:
    # given tiers, and a session 36 hours away whose payment is not taken yet
    set_policy(client, scene.owner.token, HALF_THEN_ALL)
    session_id = book_at(client, scene, ten)
    clock.set(ten - 36 * H)

    # when the client cancels it
    payload = cancel(client, scene.client_token, session_id)

    # then half the price is taken, once, and the session says why
    assert payload["userErrors"] == []
    assert payload["session"]["status"] == "LATE_CANCELLED"
    assert payload["session"]["charge"]["amount"] == money("40.00")
    sweep(server)
    [row] = charge_rows(server, session_id)
    assert (row.status.name, row.amount, row.refund_requested_at) == (
        "SUCCEEDED", Decimal("40.00"), None)
    found = fees(client, scene.client_token, session_id)
    assert found["feeIfCancelledNow"] is None
    assert found["charge"]["refundedAmount"] is None
    # and the email says what was charged and why (charged, or about to be: the email may
    # go out before the gateway answers)
    [email] = [m for m in mailbox.wait_for(scene.client_email, count=2)
               if "cancel" in m.subject.lower()]
    assert ("It was cancelled 36 hours before the start, inside the 48-hour tier of the "
            "cancellation policy it was booked under, so a fee of 40.00 GBP (50 % of "
            "80.00 GBP) stands") in email.text
    assert "<strong>a fee of 40.00 GBP</strong> (50 % of 80.00 GBP) stands" in email.html


def test_cancelling_in_the_half_tier_after_payment_gives_the_other_half_back(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    clock: TestClock, mailbox: Mailbox,
) -> None:
    # given tiers, and the whole price taken once the window opened
    set_policy(client, scene.owner.token, HALF_THEN_ALL)
    session_id = book_at(client, scene, ten)
    clock.set(ten - 47 * H)
    take_payment(server, session_id)
    clock.set(ten - 30 * H)

    # when the client cancels with 30 hours' notice
    payload = cancel(client, scene.client_token, session_id)

    # then the charge stays, and the half above the fee went back to the card, once
    assert payload["session"]["status"] == "LATE_CANCELLED"
    sweep(server)
    [row] = charge_rows(server, session_id)
    assert (row.status.name, row.amount) == ("SUCCEEDED", Decimal("80.00"))
    assert row.refunded_at == clock() and row.refund_reference is not None
    assert sandbox_refund(server, session_id) == Decimal("40.00")
    assert fees(client, scene.client_token, session_id)["charge"] == {
        "status": "SUCCEEDED", "amount": money("80.00"), "refundedAmount": money("40.00")}
    [email] = [m for m in mailbox.wait_for(scene.client_email, count=2)
               if "cancel" in m.subject.lower()]
    assert ("so a fee of 40.00 GBP (50 % of 80.00 GBP) stands: of the 80.00 GBP already "
            "paid, 40.00 GBP is being refunded to the card it came from.") in email.text


def test_rounding_is_half_up_to_the_penny(
    client: GraphQLClient, mailbox: Mailbox, ten: datetime, clock: TestClock
) -> None:
    # given a session priced 75.25 GBP and a 50 % tier
    scene = paying_client_scene(client, mailbox)
    set_price = """mutation($input: SetSessionPriceInput!) { setSessionPrice(input: $input)
      { userErrors { code } } }"""
    assert client.data(set_price, {"input": {"price": "75.25"}}, token=scene.owner.token)[
        "setSessionPrice"]["userErrors"] == []
    set_policy(client, scene.owner.token, HALF_THEN_ALL)
    session_id = book_at(client, scene, ten)
    clock.set(ten - 36 * H)

    # when the client cancels, 37.625 is owed
    payload = cancel(client, scene.client_token, session_id)

    # then 37.63 is charged
    assert payload["session"]["charge"]["amount"] == money("37.63")


def test_the_practice_cancelling_inside_a_tier_still_charges_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    clock: TestClock,
) -> None:
    set_policy(client, scene.owner.token, HALF_THEN_ALL)
    session_id = book_at(client, scene, ten)
    clock.set(ten - 30 * H)

    payload = cancel(client, scene.owner.token, session_id)

    assert (payload["session"]["status"], payload["lateCancellation"]) == ("CANCELLED", False)
    assert fees(client, scene.owner.token, session_id)["cancellationFee"] is None
    assert charge_rows(server, session_id) == []


@pytest.fixture
def failing_gateway(server: RunningServer) -> Iterator[dict[str, bool]]:
    """Refunds that never reach the gateway, and charges whose answer is lost."""
    gateway = server.runtime.services.payments
    failing = {"refund": False, "charge": False}
    real_refund, real_charge = gateway.refund, gateway.charge  # type: ignore[union-attr]

    async def refund(*args: Any) -> Any:
        if failing["refund"]:
            raise ConnectionError("gateway unreachable")
        return await real_refund(*args)

    async def charge(*args: Any) -> Any:
        answer = await real_charge(*args)
        if failing["charge"]:
            raise ConnectionError("connection reset")
        return answer

    gateway.refund, gateway.charge = refund, charge  # type: ignore[method-assign, union-attr]
    yield failing
    gateway.refund, gateway.charge = real_refund, real_charge  # type: ignore[method-assign, union-attr]


def test_a_partial_refund_the_gateway_missed_is_given_back_by_the_sweep_once(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    clock: TestClock, failing_gateway: dict[str, bool],
) -> None:
    # given the whole price taken, and the gateway unreachable when the client cancels late
    set_policy(client, scene.owner.token, HALF_THEN_ALL)
    session_id = book_at(client, scene, ten)
    clock.set(ten - 40 * H)
    take_payment(server, session_id)
    failing_gateway["refund"] = True
    assert cancel(client, scene.client_token, session_id)["userErrors"] == []
    failing_gateway["refund"] = False
    assert sandbox_refund(server, session_id) is None

    # when the sweep runs (twice)
    sweep(server)
    sweep(server)

    # then half went back, once
    [row] = charge_rows(server, session_id)
    assert row.status.name == "SUCCEEDED" and row.refunded_at is not None
    assert sandbox_refund(server, session_id) == Decimal("40.00")


def test_a_partial_fee_the_gateway_lost_is_taken_by_the_sweep_at_the_fee(
    client: GraphQLClient, server: RunningServer, scene: Scene, ten: datetime,
    clock: TestClock, failing_gateway: dict[str, bool],
) -> None:
    # given the fee's charge went through but its answer was lost
    set_policy(client, scene.owner.token, HALF_THEN_ALL)
    session_id = book_at(client, scene, ten)
    clock.set(ten - 30 * H)
    failing_gateway["charge"] = True
    assert cancel(client, scene.client_token, session_id)["session"]["charge"] is None
    failing_gateway["charge"] = False

    # when the sweep runs
    sweep(server)

    # then the one charge is recorded at the fee, not the price
    [row] = charge_rows(server, session_id)
    assert (row.status.name, row.amount) == ("SUCCEEDED", Decimal("40.00"))
