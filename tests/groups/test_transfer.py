"""transferSession and sessionTransferPreview: the seed's flow end to end with each checkout,
and refusals that leave both subscriptions and every invoice as they were."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.graphql import GraphQLClient
from tests.support.group_sessions import (
    JUNE_1,
    PREVIEW,
    Payer,
    Studio,
    client_state,
    codes,
    enrolled,
    gbp,
    line,
    new_group_session,
    payer,
    plain_client,
    studio,
    transfer,
)
from tests.support.jobs import sweep
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

PILATES_JULY_FROM_15 = line("Thursday Pilates, July 2027 (3 of 5 sessions)", "48.00")


@pytest.fixture
def place(client: GraphQLClient, clock) -> Studio:  # type: ignore[no-untyped-def]
    clock.set(JUNE_1)
    return studio(client)


@pytest.fixture
def maya(client: GraphQLClient, place: Studio, mailbox: Mailbox) -> Payer:
    return payer(client, place.owner, mailbox)


def subscribe(client: GraphQLClient, place: Studio, client_id: str,
              first_date: str = "2027-06-01", checkout: str = "PAY_LATER") -> str:
    payload = enrolled(client, place.owner, clientId=client_id, sessionId=place.tuesday,
                       firstDate=first_date, checkout=checkout)
    return str(payload["subscription"]["id"])


def preview(client: GraphQLClient, place: Studio, **values: Any) -> Any:
    return client.execute(PREVIEW, values, token=place.owner.token)


# ------------------------------------------------------------------ the seed's flow


@pytest.mark.parametrize(("checkout", "status", "paid"), [
    ("PAY_NOW", "PAID", True), ("PAY_LATER", "OPEN", False), ("CLOSE_NOW", "CLOSED", False),
])
def test_the_seeds_transfer_from_tuesday_yoga_to_thursday_pilates(
    client: GraphQLClient, place: Studio, maya: Payer, server: RunningServer, clock,  # type: ignore[no-untyped-def]
    checkout: str, status: str, paid: bool,
) -> None:
    # given Maya has gone to Tuesday Yoga since 1 June, and June and July are invoiced, paid
    current = subscribe(client, place, maya.client_id, checkout="PAY_NOW")
    clock.set(JUNE_1.replace(month=7))
    sweep(server)
    before = client_state(client, place.owner, maya.client_id)
    (yoga,) = before["subscriptions"]
    assert [(i["number"], i["status"], i["total"]) for i in yoga["invoices"]] == [
        ("INV-000001", "PAID", gbp("100.00")), ("INV-000002", "PAID", gbp("100.00"))]

    # when, on Monday 12 July, the practice previews moving her to Thursday Pilates from the
    # 13th (her first Tuesday not attended) to Thursday the 15th
    clock.set(JUNE_1.replace(month=7, day=12))
    values = {"subscriptionId": current, "transferDate": "2027-07-13",
              "toSessionId": place.thursday, "firstDate": "2027-07-15"}
    shown = preview(client, place, **values).data["sessionTransferPreview"]

    # then the new subscription would start with July's three of five Thursdays, and the
    # three invoiced Tuesdays she will not attend (13, 20, 27 of 4) are worth 75.00
    assert shown == {
        "lines": [PILATES_JULY_FROM_15],
        "suggestedCredit": gbp("75.00"),
        "newSessionFirstDates": ["2027-07-15", "2027-07-22", "2027-07-29", "2027-08-05",
                                 "2027-08-12", "2027-08-19", "2027-08-26", "2027-09-02"],
    }

    # when the transfer is made with half off, checked out as chosen
    payload = transfer(client, place.owner, **values, checkout=checkout,
                       discount={"percent": "50", "reason": "Part of July already paid"})

    # then the Tuesday subscription has ENDED on the 13th, and the new one starts on the 15th,
    # the two linked both ways
    assert payload["userErrors"] == []
    ended, new = payload["endedSubscription"], payload["subscription"]
    assert ended == {k: v for k, v in yoga.items() if k != "invoices"} | {
        "status": "ENDED", "endDate": "2027-07-13", "transferredTo": {"id": new["id"]}}
    assert new | {"id": None} == {
        "id": None, "status": "ACTIVE", "startDate": "2027-07-15", "endDate": None,
        "client": {"id": maya.client_id}, "payer": {"id": maya.client_id},
        "session": {"id": place.thursday, "name": "Thursday Pilates"},
        "transferredFrom": {"id": current}, "transferredTo": None}
    # and the new subscription's invoice takes the discount and is checked out
    invoice = payload["invoice"]
    assert invoice["number"] == "INV-000003"
    assert invoice["lines"] == [PILATES_JULY_FROM_15]
    assert (invoice["subtotal"], invoice["discount"], invoice["total"]) == (
        gbp("48.00"), gbp("24.00"), gbp("24.00"))
    assert invoice["discountReason"] == "Part of July already paid"
    assert (invoice["status"], invoice["paidAt"] is not None) == (status, paid)

    # and the Tuesday invoices are as they were: the seed leaves billing to the practice
    after = client_state(client, place.owner, maya.client_id)
    assert [s["id"] for s in after["subscriptions"]] == [current, new["id"]]
    assert after["subscriptions"][0]["invoices"] == yoga["invoices"]
    assert [i["number"] for i in after["subscriptions"][1]["invoices"]] == ["INV-000003"]


def test_a_transfer_to_another_group_session_of_the_same_service(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    late = new_group_session(client, place.owner, place.yoga_service, name="Late Yoga",
                             startTime="20:00")
    current = subscribe(client, place, maya.client_id)
    payload = transfer(client, place.owner, subscriptionId=current, transferDate="2027-06-15",
                       toSessionId=late, firstDate="2027-06-15", checkout="PAY_NOW")
    assert payload["userErrors"] == []
    assert payload["subscription"]["session"] == {"id": late, "name": "Late Yoga"}
    assert payload["invoice"]["lines"] == [line("Late Yoga, June 2027 (3 of 5 sessions)",
                                                "60.00")]
    assert payload["invoice"]["status"] == "PAID"


def test_the_ended_subscription_frees_its_place_from_the_transfer_date(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    one = new_group_session(client, place.owner, place.yoga_service, name="One Place",
                            capacity=1)
    moving = enrolled(client, place.owner, clientId=maya.client_id, sessionId=one,
                      firstDate="2027-06-01")["subscription"]["id"]
    transfer(client, place.owner, subscriptionId=moving, transferDate="2027-06-15",
             toSessionId=place.tuesday, firstDate="2027-06-15")
    noa = plain_client(client, place.owner)
    assert codes(enrolled(client, place.owner, clientId=noa, sessionId=one,
                          firstDate="2027-06-15")) == []


# ------------------------------------------------------------------ refusals change nothing


def refused(client: GraphQLClient, place: Studio, who: str, values: dict[str, Any],
            expected: list[tuple[list[str] | None, str]]) -> None:
    before = client_state(client, place.owner, who)
    payload = transfer(client, place.owner, **values)
    assert codes(payload) == expected
    assert (payload["endedSubscription"], payload["subscription"], payload["invoice"]) == (
        None, None, None)
    assert client_state(client, place.owner, who) == before


def test_transferring_into_the_same_group_session_is_refused(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    current = subscribe(client, place, maya.client_id)
    refused(client, place, maya.client_id,
            {"subscriptionId": current, "transferDate": "2027-06-15",
             "toSessionId": place.tuesday, "firstDate": "2027-06-22"},
            [(["input", "toSessionId"], "INVALID")])


def test_transferring_into_a_full_group_session_is_refused(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    full = new_group_session(client, place.owner, place.pilates_service, name="Full Pilates",
                             weekday="THURSDAY", startsOn="2027-06-03", capacity=1)
    enrolled(client, place.owner, clientId=plain_client(client, place.owner), sessionId=full,
             firstDate="2027-06-03")
    current = subscribe(client, place, maya.client_id)
    full_before = client.data("query N($id: ID!) { node(id: $id) { ... on GroupSession { "
                              "enrolledCount } } }", {"id": full}, token=place.owner.token)
    refused(client, place, maya.client_id,
            {"subscriptionId": current, "transferDate": "2027-06-15", "toSessionId": full,
             "firstDate": "2027-06-17"},
            [(["input", "toSessionId"], "SESSION_FULL")])
    assert client.data("query N($id: ID!) { node(id: $id) { ... on GroupSession { "
                       "enrolledCount } } }", {"id": full}, token=place.owner.token) == full_before


@pytest.mark.parametrize(("transfer_date", "first_date", "expected"), [
    ("2027-06-16", "2027-06-17", [(["input", "transferDate"], "INVALID")]),  # a Wednesday
    ("2027-05-25", "2027-06-17", [(["input", "transferDate"], "INVALID")]),  # before it started
    ("2027-06-15", "2027-06-15", [(["input", "firstDate"], "INVALID")]),     # not a Thursday
    ("2027-06-15", "2027-10-07", [(["input", "firstDate"], "INVALID")]),     # after it ends
    ("2027-06-16", "2027-06-16", [(["input", "transferDate"], "INVALID"),
                                  (["input", "firstDate"], "INVALID")]),
])
def test_a_date_that_is_not_a_group_session_date_is_refused(
    client: GraphQLClient, place: Studio, maya: Payer, transfer_date: str, first_date: str,
    expected: list[tuple[list[str], str]],
) -> None:
    current = subscribe(client, place, maya.client_id)
    refused(client, place, maya.client_id,
            {"subscriptionId": current, "transferDate": transfer_date,
             "toSessionId": place.thursday, "firstDate": first_date}, expected)


def test_a_transfer_on_a_declined_card_is_refused_whole(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    declines = payer(client, place.owner, mailbox, card="tok_chargeDeclined")
    current = subscribe(client, place, declines.client_id)
    refused(client, place, declines.client_id,
            {"subscriptionId": current, "transferDate": "2027-06-15",
             "toSessionId": place.thursday, "firstDate": "2027-06-17", "checkout": "PAY_NOW"},
            [(None, "PAYMENT_DECLINED")])


def test_a_transfer_paid_now_without_a_card_is_refused_whole(
    client: GraphQLClient, place: Studio
) -> None:
    noa = plain_client(client, place.owner)
    current = subscribe(client, place, noa)
    refused(client, place, noa,
            {"subscriptionId": current, "transferDate": "2027-06-15",
             "toSessionId": place.thursday, "firstDate": "2027-06-17", "checkout": "PAY_NOW"},
            [(None, "NO_PAYMENT_METHOD")])


def test_a_discount_over_the_new_invoice_is_refused(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    current = subscribe(client, place, maya.client_id)
    # from 17 June: two of June's four Thursdays of 80.00 is 40.00
    refused(client, place, maya.client_id,
            {"subscriptionId": current, "transferDate": "2027-06-15",
             "toSessionId": place.thursday, "firstDate": "2027-06-17",
             "discount": {"amount": "40.01"}},
            [(["input", "discount", "amount"], "INVALID")])


def test_an_ended_subscription_cannot_be_transferred_again(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    current = subscribe(client, place, maya.client_id)
    values = {"subscriptionId": current, "transferDate": "2027-06-15",
              "toSessionId": place.thursday, "firstDate": "2027-06-17"}
    assert transfer(client, place.owner, **values)["userErrors"] == []
    refused(client, place, maya.client_id, values,
            [(["input", "subscriptionId"], "INVALID_STATE")])


def test_another_practices_ids_are_not_found(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    other = studio(client)
    current = subscribe(client, place, maya.client_id)
    refused(client, place, maya.client_id,
            {"subscriptionId": current, "transferDate": "2027-06-15",
             "toSessionId": other.thursday, "firstDate": "2027-06-17"},
            [(["input", "toSessionId"], "NOT_FOUND")])
    payload = transfer(client, other.owner, subscriptionId=current, transferDate="2027-06-15",
                       toSessionId=other.thursday, firstDate="2027-06-17")
    assert codes(payload) == [(["input", "subscriptionId"], "NOT_FOUND")]


def test_concurrent_transfers_into_the_last_place_move_one_client(
    client: GraphQLClient, place: Studio
) -> None:
    last = new_group_session(client, place.owner, place.pilates_service, name="Last Place",
                             weekday="THURSDAY", startsOn="2027-06-03", capacity=1)
    people = [plain_client(client, place.owner, f"P{n}") for n in range(8)]
    subscriptions = [subscribe(client, place, who) for who in people]

    def attempt(subscription_id: str) -> list[tuple[list[str] | None, str]]:
        return codes(transfer(client, place.owner, subscriptionId=subscription_id,
                              transferDate="2027-06-15", toSessionId=last,
                              firstDate="2027-06-17"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, subscriptions))
    assert outcomes.count([]) == 1
    assert outcomes.count([(["input", "toSessionId"], "SESSION_FULL")]) == 7
    states = [client_state(client, place.owner, who)["subscriptions"] for who in people]
    assert sorted(len(s) for s in states) == [1] * 7 + [2]


def test_a_retry_with_the_same_key_answers_the_first_transfer(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    current = subscribe(client, place, maya.client_id)
    values = {"subscriptionId": current, "transferDate": "2027-06-15",
              "toSessionId": place.thursday, "firstDate": "2027-06-17", "checkout": "PAY_NOW",
              "idempotencyKey": "move-maya"}
    first = transfer(client, place.owner, **values)
    again = transfer(client, place.owner, **values)
    assert again == first and first["userErrors"] == []
    assert len(client_state(client, place.owner, maya.client_id)["invoices"]) == 2


# ------------------------------------------------------------------ the preview


def test_the_preview_credits_only_invoiced_dates_at_the_rate_they_were_billed(
    client: GraphQLClient, place: Studio
) -> None:
    odd = new_group_session(client, place.owner, place.yoga_service, name="Odd Yoga",
                            monthlyPrice="99.99")
    noa = plain_client(client, place.owner)
    current = enrolled(client, place.owner, clientId=noa, sessionId=odd,
                       firstDate="2027-06-15")["subscription"]["id"]  # June: 3 of 5, 59.99

    def credit(transfer_date: str) -> Any:
        return preview(client, place, subscriptionId=current, transferDate=transfer_date,
                       toSessionId=place.thursday, firstDate="2027-07-01"
                       ).data["sessionTransferPreview"]["suggestedCredit"]

    assert credit("2027-06-15") == gbp("59.99")   # every invoiced date
    assert credit("2027-06-22") == gbp("40.00")   # 2 of 5 of 99.99 = 39.996
    assert credit("2027-06-29") == gbp("20.00")   # 1 of 5 = 19.998
    assert credit("2027-07-06") == gbp("0.00")    # July is not invoiced yet


def test_the_preview_changes_nothing_and_refuses_like_the_transfer(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    current = subscribe(client, place, maya.client_id)
    before = client_state(client, place.owner, maya.client_id)
    same = preview(client, place, subscriptionId=current, transferDate="2027-06-15",
                   toSessionId=place.tuesday, firstDate="2027-06-22")
    assert same.error_codes == ["INVALID"]
    assert same.errors[0]["extensions"]["argument"] == ["toSessionId"]
    assert same.body["data"] == {"sessionTransferPreview": None}
    missing = preview(client, place, subscriptionId=current, transferDate="2027-06-15",
                      toSessionId="R3JvdXBTZXNzaW9uOm5vbmU", firstDate="2027-06-17")
    assert missing.error_codes == ["NOT_FOUND"]
    assert client_state(client, place.owner, maya.client_id) == before


def test_the_preview_does_not_check_capacity(
    client: GraphQLClient, place: Studio, maya: Payer
) -> None:
    full = new_group_session(client, place.owner, place.pilates_service, name="Full",
                             weekday="THURSDAY", startsOn="2027-06-03", capacity=1)
    enrolled(client, place.owner, clientId=plain_client(client, place.owner), sessionId=full,
             firstDate="2027-06-03")
    current = subscribe(client, place, maya.client_id)
    shown = preview(client, place, subscriptionId=current, transferDate="2027-06-15",
                    toSessionId=full, firstDate="2027-06-17").data["sessionTransferPreview"]
    assert shown["lines"] == [line("Full, June 2027 (2 of 4 sessions)", "50.00")]
    assert shown["newSessionFirstDates"][:2] == ["2027-06-03", "2027-06-10"]
