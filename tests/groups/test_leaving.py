"""leaveGroupSession and groupSessionLeavePreview: a subscription ended from a date without a
transfer (the seed's "unenrolled from this date"), with and without a credit note on the
payer's next monthly invoices; nothing billed for the group after the date; refusals that
change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.graphql import PASSWORD, SIGN_IN, GraphQLClient, register_practice
from tests.support.group_sessions import (
    ERRORS,
    JUNE_1,
    MONEY,
    SUBSCRIPTION_FIELDS,
    Payer,
    Studio,
    client_state,
    enrolled,
    gbp,
    line,
    payer,
    studio,
)
from tests.support.jobs import sweep
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

LEAVE = f"""
mutation Leave($input: LeaveGroupSessionInput!) {{
  leaveGroupSession(input: $input) {{
    subscription {{ {SUBSCRIPTION_FIELDS} }}
    suggestedCredit {MONEY}
    creditNote {{ amount {MONEY} remaining {MONEY} reason }}
    {ERRORS}
  }}
}}
"""
LEAVE_PREVIEW = f"""
query Preview($subscriptionId: ID!, $leaveDate: Date!) {{
  groupSessionLeavePreview(subscriptionId: $subscriptionId, leaveDate: $leaveDate) {{
    suggestedCredit {MONEY}
  }}
}}
"""
CREDIT_NOTES = f"""
query Notes($id: ID!) {{ node(id: $id) {{ ... on SessionSubscription {{
  creditNotes {{ amount {MONEY} remaining {MONEY} reason }} }} }} }}
"""
PILATES_JULY = line("Thursday Pilates, July 2027 (5 sessions)", "80.00")
PILATES_AUGUST = line("Thursday Pilates, August 2027 (4 sessions)", "80.00")
YOGA_CREDIT = "Credit: Tuesday Yoga, unused from 15 June 2027"


def credit_line(description: str, amount: str) -> dict[str, Any]:
    return line(description, f"-{amount}")


@pytest.fixture
def place(client: GraphQLClient, clock) -> Studio:  # type: ignore[no-untyped-def]
    clock.set(JUNE_1)
    return studio(client)


@pytest.fixture
def maya(client: GraphQLClient, place: Studio, mailbox: Mailbox) -> Payer:
    """Maya pays by card for Tuesday Yoga and Thursday Pilates, June paid for both."""
    maya = payer(client, place.owner, mailbox)
    for session, first in ((place.tuesday, "2027-06-01"), (place.thursday, "2027-06-03")):
        enrolled(client, place.owner, clientId=maya.client_id, sessionId=session,
                 firstDate=first, checkout="PAY_NOW")
    return maya


def yoga_of(client: GraphQLClient, place: Studio, maya: Payer) -> dict[str, Any]:
    state = client_state(client, place.owner, maya.client_id)
    return next(s for s in state["subscriptions"] if s["session"]["id"] == place.tuesday)


def leave(client: GraphQLClient, place: Studio, **values: Any) -> dict[str, Any]:
    return client.data(LEAVE, {"input": values}, token=place.owner.token)["leaveGroupSession"]  # type: ignore[no-any-return]


def invoices_after_june(client: GraphQLClient, place: Studio, maya: Payer) -> list[Any]:
    """(subscription's session, lines, total, status) of each invoice issued after June."""
    state = client_state(client, place.owner, maya.client_id)
    by_number = {i["number"]: i for i in state["invoices"]}
    found = []
    for subscription in state["subscriptions"]:
        for summary in subscription["invoices"]:
            invoice = by_number[summary["number"]]
            if invoice["issuedAt"] >= "2027-07":
                found.append((subscription["session"]["name"], invoice["lines"],
                              invoice["total"], invoice["status"]))
    return sorted(found, key=lambda item: str(item[1]))


def credit_notes(client: GraphQLClient, place: Studio, subscription_id: str) -> Any:
    return client.data(CREDIT_NOTES, {"id": subscription_id},
                       token=place.owner.token)["node"]["creditNotes"]


def bill(client: GraphQLClient, place: Studio, server: RunningServer, clock,  # type: ignore[no-untyped-def]
         month: int) -> None:
    """The sweep on the 1st of `month`; the owner signs in again (a sign-in lasts 60 days)."""
    clock.set(JUNE_1.replace(month=month))
    sweep(server)
    signed_in = client.data(SIGN_IN, {"input": {"email": place.owner.email,
                                                "password": PASSWORD}})["signIn"]
    place.owner.token = signed_in["accessToken"]


def test_leaving_with_a_credit_takes_it_off_the_next_invoice(
    client: GraphQLClient, place: Studio, maya: Payer, server: RunningServer, clock,  # type: ignore[no-untyped-def]
) -> None:
    # given Maya's Tuesday Yoga, June (five Tuesdays, 100.00) paid
    yoga = yoga_of(client, place, maya)

    # when the practice unenrols her from Tuesday 15 June, with the suggested credit
    payload = leave(client, place, subscriptionId=yoga["id"], leaveDate="2027-06-15",
                    credit={})

    # then the subscription has ENDED on the 15th, with no transfer
    assert payload["userErrors"] == []
    assert payload["subscription"] == {k: v for k, v in yoga.items() if k != "invoices"} | {
        "status": "ENDED", "endDate": "2027-06-15"}
    # and the three invoiced Tuesdays she will not attend (15, 22, 29 of 5) are credited
    assert payload["suggestedCredit"] == gbp("60.00")
    assert payload["creditNote"] == {"amount": gbp("60.00"), "remaining": gbp("60.00"),
                                     "reason": "Tuesday Yoga, unused from 15 June 2027"}

    # when July and August are billed
    bill(client, place, server, clock, 7)
    bill(client, place, server, clock, 8)

    # then no Yoga month is billed after the date; July's Pilates invoice takes the credit
    # off as a line of its own (charged 20.00), and August's is whole: the credit is used up
    assert invoices_after_june(client, place, maya) == [
        ("Thursday Pilates", [PILATES_AUGUST], gbp("80.00"), "PAID"),
        ("Thursday Pilates", [PILATES_JULY, credit_line(YOGA_CREDIT, "60.00")], gbp("20.00"),
         "PAID"),
    ]
    assert credit_notes(client, place, yoga["id"]) == [
        {"amount": gbp("60.00"), "remaining": gbp("0.00"),
         "reason": "Tuesday Yoga, unused from 15 June 2027"}]


def test_leaving_without_a_credit_credits_nothing_and_bills_nothing_more(
    client: GraphQLClient, place: Studio, maya: Payer, server: RunningServer, clock,  # type: ignore[no-untyped-def]
) -> None:
    # given Maya's Tuesday Yoga
    yoga = yoga_of(client, place, maya)

    # when she is unenrolled from the 15th without a credit
    payload = leave(client, place, subscriptionId=yoga["id"], leaveDate="2027-06-15")

    # then it has ENDED, the suggestion is shown, and no credit note is issued
    assert payload["userErrors"] == []
    assert (payload["subscription"]["status"], payload["subscription"]["endDate"]) == (
        "ENDED", "2027-06-15")
    assert (payload["suggestedCredit"], payload["creditNote"]) == (gbp("60.00"), None)
    assert credit_notes(client, place, yoga["id"]) == []
    # and June's Yoga invoice is as it was
    assert [(i["status"], i["total"]) for i in yoga_of(client, place, maya)["invoices"]] == [
        ("PAID", gbp("100.00"))]

    # when July is billed, only Pilates is, in full
    bill(client, place, server, clock, 7)
    assert invoices_after_june(client, place, maya) == [
        ("Thursday Pilates", [PILATES_JULY], gbp("80.00"), "PAID")]


def test_a_credit_bigger_than_the_next_invoice_carries_over(
    client: GraphQLClient, place: Studio, maya: Payer, server: RunningServer, clock,  # type: ignore[no-untyped-def]
) -> None:
    # given Maya leaves Yoga from the 15th with 100.00 credited, more than the suggestion
    yoga = yoga_of(client, place, maya)
    payload = leave(client, place, subscriptionId=yoga["id"], leaveDate="2027-06-15",
                    credit={"amount": "100.00", "reason": "Goodwill for June"})
    assert payload["creditNote"] == {"amount": gbp("100.00"), "remaining": gbp("100.00"),
                                     "reason": "Goodwill for June"}

    # when July is billed, the credit covers it whole and 20.00 is left
    bill(client, place, server, clock, 7)
    assert [n["remaining"] for n in credit_notes(client, place, yoga["id"])] == [gbp("20.00")]
    bill(client, place, server, clock, 8)

    # then July's invoice is credited whole (nothing charged), August's the remaining 20.00
    assert invoices_after_june(client, place, maya) == [
        ("Thursday Pilates", [PILATES_AUGUST, credit_line("Credit: Goodwill for June", "20.00")],
         gbp("60.00"), "PAID"),
        ("Thursday Pilates", [PILATES_JULY, credit_line("Credit: Goodwill for June", "80.00")],
         gbp("0.00"), "PAID"),
    ]


def test_the_preview_shows_the_credit_and_changes_nothing(
    client: GraphQLClient, place: Studio, maya: Payer,
) -> None:
    yoga = yoga_of(client, place, maya)

    def credit(day: str) -> Any:
        answer = client.execute(LEAVE_PREVIEW, {"subscriptionId": yoga["id"], "leaveDate": day},
                                token=place.owner.token)
        return answer.data["groupSessionLeavePreview"]["suggestedCredit"]

    assert credit("2027-06-15") == gbp("60.00")
    assert credit("2027-06-29") == gbp("20.00")
    assert credit("2027-07-06") == gbp("0.00")  # July is not invoiced yet
    assert yoga_of(client, place, maya) == yoga


@pytest.mark.parametrize(("values", "errors"), [
    ({"leaveDate": "2027-06-16"}, [(["input", "leaveDate"], "INVALID",
                                    "2027-06-16 is not a date of the current session.")]),
    ({"leaveDate": "2027-07-06", "credit": {}}, [(["input", "credit", "amount"], "INVALID",
      "There is nothing to credit: no invoiced date is left unattended. Leave without a "
      "credit, or give an amount.")]),
    ({"leaveDate": "2027-06-15", "credit": {"amount": "12.345"}}, [
        (["input", "credit", "amount"], "INVALID", "GBP amounts have at most 2 decimal places.")]),
    ({"leaveDate": "2027-06-15", "credit": {"amount": "0"}}, [
        (["input", "credit", "amount"], "INVALID", "Amount must be more than 0.")]),
])
def test_a_refused_leave_changes_nothing(
    client: GraphQLClient, place: Studio, maya: Payer, values: dict[str, Any],
    errors: list[Any],
) -> None:
    yoga = yoga_of(client, place, maya)
    payload = leave(client, place, subscriptionId=yoga["id"], **values)
    assert [(e["field"], e["code"], e["message"]) for e in payload["userErrors"]] == errors
    assert (payload["subscription"], payload["creditNote"]) == (None, None)
    assert yoga_of(client, place, maya) == yoga


def test_an_ended_subscription_cannot_be_left_again(
    client: GraphQLClient, place: Studio, maya: Payer,
) -> None:
    yoga = yoga_of(client, place, maya)
    assert leave(client, place, subscriptionId=yoga["id"], leaveDate="2027-06-15",
                 credit={})["userErrors"] == []
    again = leave(client, place, subscriptionId=yoga["id"], leaveDate="2027-06-22", credit={})
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [
        (["input", "subscriptionId"], "INVALID_STATE")]
    assert yoga_of(client, place, maya)["endDate"] == "2027-06-15"


def test_another_practice_sees_no_such_subscription(
    client: GraphQLClient, place: Studio, maya: Payer,
) -> None:
    yoga = yoga_of(client, place, maya)
    stranger = register_practice(client)
    payload = client.data(LEAVE, {"input": {"subscriptionId": yoga["id"],
                                            "leaveDate": "2027-06-15", "credit": {}}},
                          token=stranger.token)["leaveGroupSession"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "subscriptionId"], "NOT_FOUND")]
    assert yoga_of(client, place, maya) == yoga
