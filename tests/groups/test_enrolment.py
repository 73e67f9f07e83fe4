"""enrollInSession: the first month's invoice, discounts, checkout, refusals that change
nothing, idempotency, and capacity under concurrent enrolments."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.graphql import GraphQLClient
from tests.support.group_sessions import (
    JUNE_1,
    Studio,
    client_state,
    codes,
    enroll,
    enrolled,
    gbp,
    line,
    new_group_session,
    payer,
    plain_client,
    studio,
)
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

YOGA_JUNE_FROM_15 = line("Tuesday Yoga, June 2027 (3 of 5 sessions)", "60.00")


@pytest.fixture
def place(client: GraphQLClient, clock) -> Studio:  # type: ignore[no-untyped-def]
    clock.set(JUNE_1)
    return studio(client)


# ------------------------------------------------------------------ checkout


def test_pay_later_enrols_from_the_first_date_with_an_open_invoice_for_the_rest_of_the_month(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a client without a card
    noa = plain_client(client, place.owner)

    # when the practice enrols them from the third Tuesday of June, paying later
    payload = enrolled(client, place.owner, clientId=noa, sessionId=place.tuesday,
                       firstDate="2027-06-15", checkout="PAY_LATER")

    # then an ACTIVE, open-ended subscription starts that day, paid for by the client
    subscription = payload["subscription"]
    assert subscription | {"id": None, "invoices": None} == {
        "id": None, "status": "ACTIVE", "startDate": "2027-06-15", "endDate": None,
        "client": {"id": noa}, "payer": {"id": noa}, "session": {
            "id": place.tuesday, "name": "Tuesday Yoga"},
        "transferredFrom": None, "transferredTo": None, "invoices": None}
    # and its first invoice bills June's remaining three of five Tuesdays, OPEN
    invoice = payload["invoice"]
    assert subscription["invoices"] == [{"id": invoice["id"]}]
    assert invoice["number"] == "INV-000001"
    assert (invoice["status"], invoice["paidAt"]) == ("OPEN", None)
    assert invoice["lines"] == [YOGA_JUNE_FROM_15]
    assert (invoice["subtotal"], invoice["discount"], invoice["total"]) == (
        gbp("60.00"), gbp("0.00"), gbp("60.00"))
    assert invoice["payer"] == {"id": noa}
    # and nobody is emailed: an enrolment's invoice goes out when someone sends it
    server.drain()


def test_pay_now_charges_the_payers_card_and_the_invoice_is_paid(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    payload = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-01", checkout="PAY_NOW")
    invoice = payload["invoice"]
    assert invoice["status"] == "PAID"
    assert invoice["paidAt"] == "2027-06-01T08:00:00Z"
    assert invoice["lines"] == [line("Tuesday Yoga, June 2027 (5 sessions)", "100.00")]
    assert invoice["total"] == gbp("100.00")


def test_close_now_closes_the_invoice_without_payment(
    client: GraphQLClient, place: Studio
) -> None:
    noa = plain_client(client, place.owner)
    payload = enrolled(client, place.owner, clientId=noa, sessionId=place.tuesday,
                       firstDate="2027-06-29", checkout="CLOSE_NOW")
    assert (payload["invoice"]["status"], payload["invoice"]["paidAt"]) == ("CLOSED", None)
    assert payload["invoice"]["total"] == gbp("20.00")   # one of June's five Tuesdays


def test_another_client_may_pay(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    parent = payer(client, place.owner, mailbox)
    child = plain_client(client, place.owner, "Kit")
    payload = enrolled(client, place.owner, clientId=child, payerId=parent.client_id,
                       sessionId=place.tuesday, firstDate="2027-06-15", checkout="PAY_NOW")
    assert payload["subscription"]["client"] == {"id": child}
    assert payload["subscription"]["payer"] == {"id": parent.client_id}
    assert payload["invoice"]["payer"] == {"id": parent.client_id}
    assert payload["invoice"]["status"] == "PAID"


# ------------------------------------------------------------------ discounts and rounding


@pytest.mark.parametrize(("discount", "off", "total"), [
    ({"percent": "15"}, "9.00", "51.00"),
    ({"percent": "33.333"}, "20.00", "40.00"),     # 19.9998 half-up
    ({"percent": "12.5"}, "7.50", "52.50"),
    ({"amount": "59.99", "reason": "Welcome back"}, "59.99", "0.01"),
    ({"amount": "60"}, "60.00", "0.00"),           # may equal the subtotal
])
def test_a_discount_comes_off_the_subtotal_rounded_half_up(
    client: GraphQLClient, place: Studio, discount: dict[str, str], off: str, total: str
) -> None:
    noa = plain_client(client, place.owner)
    invoice = enrolled(client, place.owner, clientId=noa, sessionId=place.tuesday,
                       firstDate="2027-06-15", discount=discount)["invoice"]
    assert (invoice["subtotal"], invoice["discount"], invoice["total"]) == (
        gbp("60.00"), gbp(off), gbp(total))
    assert invoice["discountReason"] == discount.get("reason")


def test_percent_discounts_on_odd_amounts_round_half_up_to_the_cent(
    client: GraphQLClient, place: Studio
) -> None:
    # 33.33 a month; July 2027 has four Tuesdays, so one date is 8.3325 -> 8.33
    odd = new_group_session(client, place.owner, place.yoga_service, name="Odd Yoga",
                            monthlyPrice="33.33")
    noa = plain_client(client, place.owner)
    invoice = enrolled(client, place.owner, clientId=noa, sessionId=odd,
                       firstDate="2027-06-08", discount={"percent": "15"})["invoice"]
    # June from the 8th: 4 of 5 Tuesdays of 33.33 is 26.664 -> 26.66; 15% is 3.999 -> 4.00
    assert invoice["lines"] == [line("Odd Yoga, June 2027 (4 of 5 sessions)", "26.66")]
    assert (invoice["discount"], invoice["total"]) == (gbp("4.00"), gbp("22.66"))


@pytest.mark.parametrize(("discount", "expected"), [
    ({}, [(["input", "discount"], "INVALID")]),
    ({"percent": "10", "amount": "5"}, [(["input", "discount"], "INVALID")]),
    ({"percent": "0"}, [(["input", "discount", "percent"], "INVALID")]),
    ({"percent": "100.5"}, [(["input", "discount", "percent"], "INVALID")]),
    ({"amount": "-1"}, [(["input", "discount", "amount"], "INVALID")]),
    ({"amount": "1.005"}, [(["input", "discount", "amount"], "INVALID")]),
    ({"amount": "60.01"}, [(["input", "discount", "amount"], "INVALID")]),
])
def test_a_bad_discount_refuses_the_enrolment(
    client: GraphQLClient, place: Studio, discount: dict[str, str],
    expected: list[tuple[list[str], str]],
) -> None:
    noa = plain_client(client, place.owner)
    payload = enroll(client, place.owner, clientId=noa, sessionId=place.tuesday,
                     firstDate="2027-06-15", discount=discount)
    assert codes(payload) == expected
    assert (payload["subscription"], payload["invoice"]) == (None, None)
    assert client_state(client, place.owner, noa) == {"subscriptions": [], "invoices": []}


def test_a_discount_over_the_subtotal_says_both_amounts(
    client: GraphQLClient, place: Studio
) -> None:
    noa = plain_client(client, place.owner)
    payload = enroll(client, place.owner, clientId=noa, sessionId=place.tuesday,
                     firstDate="2027-06-15", discount={"amount": "75"})
    assert payload["userErrors"] == [{
        "field": ["input", "discount", "amount"], "code": "INVALID",
        "message": "The discount (GBP 75.00) must not be more than the subtotal (GBP 60.00)."}]


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(("first_date", "message"), [
    ("2027-06-16", "2027-06-16 is not a date of this session."),      # a Wednesday
    ("2027-10-05", "2027-10-05 is not a date of this session."),      # after it ends
    ("2027-05-25", "2027-05-25 is not a date of this session."),      # before it starts
])
def test_the_first_date_must_be_a_date_of_the_group_session(
    client: GraphQLClient, place: Studio, first_date: str, message: str
) -> None:
    noa = plain_client(client, place.owner)
    payload = enroll(client, place.owner, clientId=noa, sessionId=place.tuesday,
                     firstDate=first_date)
    assert payload["userErrors"] == [
        {"field": ["input", "firstDate"], "code": "INVALID", "message": message}]


def test_the_first_date_must_not_be_past(
    client: GraphQLClient, place: Studio, clock  # type: ignore[no-untyped-def]
) -> None:
    clock.set(JUNE_1.replace(day=9))
    noa = plain_client(client, place.owner)
    payload = enroll(client, place.owner, clientId=noa, sessionId=place.tuesday,
                     firstDate="2027-06-08")
    assert payload["userErrors"] == [{"field": ["input", "firstDate"], "code": "INVALID",
                                      "message": "firstDate must not be in the past."}]
    # today's date is not past, even after the session's time
    assert enroll(client, place.owner, clientId=noa, sessionId=place.tuesday,
                  firstDate="2027-06-15")["userErrors"] == []


def test_pay_now_without_a_card_refuses_everything(
    client: GraphQLClient, place: Studio
) -> None:
    noa = plain_client(client, place.owner)
    payload = enroll(client, place.owner, clientId=noa, sessionId=place.tuesday,
                     firstDate="2027-06-15", checkout="PAY_NOW")
    assert payload == {"subscription": None, "invoice": None, "userErrors": [{
        "field": None, "code": "NO_PAYMENT_METHOD",
        "message": "The payer has no card on file; they need to add one to pay now."}]}
    assert client_state(client, place.owner, noa) == {"subscriptions": [], "invoices": []}


def test_pay_now_with_a_declined_card_refuses_everything(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer
) -> None:
    declines = payer(client, place.owner, mailbox, card="tok_chargeDeclined")
    payload = enroll(client, place.owner, clientId=declines.client_id, sessionId=place.tuesday,
                     firstDate="2027-06-15", checkout="PAY_NOW")
    assert codes(payload) == [(None, "PAYMENT_DECLINED")]
    assert client_state(client, place.owner, declines.client_id) == {
        "subscriptions": [], "invoices": []}
    # and the refused enrolment took no invoice number: the next one is INV-000001
    noa = plain_client(client, place.owner)
    assert enrolled(client, place.owner, clientId=noa, sessionId=place.tuesday,
                    firstDate="2027-06-15")["invoice"]["number"] == "INV-000001"
    server.drain()
    assert len(mailbox.to(declines.email)) == 1   # the sign-in invitation only


def test_pay_now_with_nothing_owed_needs_no_card(client: GraphQLClient, place: Studio) -> None:
    noa = plain_client(client, place.owner)
    invoice = enrolled(client, place.owner, clientId=noa, sessionId=place.tuesday,
                       firstDate="2027-06-15", checkout="PAY_NOW",
                       discount={"percent": "100", "reason": "Scholarship"})["invoice"]
    assert (invoice["status"], invoice["total"]) == ("PAID", gbp("0.00"))


def test_ids_the_viewer_may_not_see_are_not_found(
    client: GraphQLClient, place: Studio
) -> None:
    other = studio(client)
    stranger = plain_client(client, other.owner)
    noa = plain_client(client, place.owner)
    payload = enroll(client, place.owner, clientId=stranger, sessionId=other.tuesday,
                     firstDate="2027-06-15")
    assert codes(payload) == [(["input", "sessionId"], "NOT_FOUND")]
    payload = enroll(client, place.owner, clientId=stranger, sessionId=place.tuesday,
                     firstDate="2027-06-15")
    assert codes(payload) == [(["input", "clientId"], "NOT_FOUND")]
    payload = enroll(client, place.owner, clientId=noa, payerId=stranger,
                     sessionId=place.tuesday, firstDate="2027-06-15")
    assert codes(payload) == [(["input", "payerId"], "NOT_FOUND")]


def test_a_client_may_not_enrol(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    payload = client.data(
        "mutation E($input: EnrollInSessionInput!) { enrollInSession(input: $input) "
        "{ subscription { id } userErrors { field code } } }",
        {"input": {"clientId": maya.client_id, "sessionId": place.tuesday,
                   "firstDate": "2027-06-15", "checkout": "PAY_NOW"}}, token=maya.token)
    assert payload["enrollInSession"] == {"subscription": None, "userErrors": [
        {"field": None, "code": "NOT_PERMITTED"}]}


# ------------------------------------------------------------------ idempotency


def test_a_retry_with_the_same_key_answers_the_first_enrolment_and_charges_once(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    values: dict[str, Any] = {"clientId": maya.client_id, "sessionId": place.tuesday,
                              "firstDate": "2027-06-15", "checkout": "PAY_NOW",
                              "idempotencyKey": "enrol-maya-1"}
    first = enrolled(client, place.owner, **values)
    again = enrolled(client, place.owner, **values)
    assert again["subscription"]["id"] == first["subscription"]["id"]
    assert again["invoice"] == first["invoice"]
    state = client_state(client, place.owner, maya.client_id)
    assert len(state["subscriptions"]) == 1 and len(state["invoices"]) == 1
    other = enroll(client, place.owner, **{**values, "firstDate": "2027-06-22"})
    assert codes(other) == [(["input", "idempotencyKey"], "IDEMPOTENCY_CONFLICT")]


def test_concurrent_retries_with_one_key_make_one_enrolment(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    values: dict[str, Any] = {"clientId": maya.client_id, "sessionId": place.tuesday,
                              "firstDate": "2027-06-15", "checkout": "PAY_NOW",
                              "idempotencyKey": "enrol-maya-twins"}

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: enroll(client, place.owner, **values), range(6)))
    assert all(a["userErrors"] == [] for a in answers), answers
    assert len({a["subscription"]["id"] for a in answers}) == 1
    state = client_state(client, place.owner, maya.client_id)
    assert [i["status"] for i in state["invoices"]] == ["PAID"]


# ------------------------------------------------------------------ capacity


def test_a_full_group_session_refuses_with_group_session_full_and_an_ended_place_frees_up(
    client: GraphQLClient, place: Studio
) -> None:
    small = new_group_session(client, place.owner, place.yoga_service, name="Small Yoga",
                              capacity=1)
    first = plain_client(client, place.owner, "Ana")
    enrolled(client, place.owner, clientId=first, sessionId=small, firstDate="2027-06-08")
    second = plain_client(client, place.owner, "Ben")
    payload = enroll(client, place.owner, clientId=second, sessionId=small,
                     firstDate="2027-06-15")
    assert payload["userErrors"] == [{"field": ["input", "sessionId"], "code": "SESSION_FULL",
                                      "message": "This session is full."}]
    assert client_state(client, place.owner, second) == {"subscriptions": [], "invoices": []}


def test_twenty_concurrent_enrolments_never_overfill_a_group_session(
    client: GraphQLClient, place: Studio
) -> None:
    three = new_group_session(client, place.owner, place.yoga_service, name="Three Places",
                              capacity=3)
    people = [plain_client(client, place.owner, f"P{n}") for n in range(20)]

    def attempt(client_id: str) -> list[tuple[list[str] | None, str]]:
        return codes(enroll(client, place.owner, clientId=client_id, sessionId=three,
                            firstDate="2027-06-15"))

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, people))
    assert outcomes.count([]) == 3
    assert outcomes.count([(["input", "sessionId"], "SESSION_FULL")]) == 17
    count = client.data("query N($id: ID!) { node(id: $id) { ... on GroupSession { "
                        "enrolledCount capacity } } }", {"id": three},
                        token=place.owner.token)["node"]
    assert count == {"enrolledCount": 3, "capacity": 3}


def test_three_place_currencies_are_kept_exactly(client: GraphQLClient, clock) -> None:  # type: ignore[no-untyped-def]
    # given a practice in Kuwaiti dinars (1,000 fils to the dinar)
    clock.set(JUNE_1)
    place = studio(client, currency="KWD")
    odd = new_group_session(client, place.owner, place.yoga_service, name="Fils Yoga",
                            monthlyPrice="10.125")
    noa = plain_client(client, place.owner)

    # when a client starts on the third of June's five Tuesdays, a third off
    invoice = enrolled(client, place.owner, clientId=noa, sessionId=odd,
                       firstDate="2027-06-15", discount={"percent": "33.333"})["invoice"]

    # then 3/5 of 10.125 is 6.075 exactly, and 33.333% of it 2.02497... is 2.025 (half-up)
    kwd = lambda amount: {"amount": amount, "currency": "KWD"}  # noqa: E731
    assert invoice["lines"][0]["amount"] == kwd("6.075")
    assert (invoice["subtotal"], invoice["discount"], invoice["total"]) == (
        kwd("6.075"), kwd("2.025"), kwd("4.050"))
