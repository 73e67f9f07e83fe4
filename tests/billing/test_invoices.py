"""payInvoice, sendInvoice, a client's invoices and subscriptions, who sees what, and invoice
numbers under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from persistence.database import Database
from persistence.tables import sandbox_charges
from schema.shared.ids import decode_id
from tests.support.appointments import ADD_CARD
from tests.support.graphql import GraphQLClient
from tests.support.group_sessions import (
    CLIENT_INVOICES,
    INVOICE_FIELDS,
    JUNE_1,
    NODE,
    PAY,
    SEND,
    SUBSCRIPTION_FIELDS,
    Payer,
    Studio,
    client_state,
    codes,
    enroll,
    enrolled,
    gbp,
    new_group_session,
    payer,
    plain_client,
    studio,
)
from tests.support.jobs import with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

MY_INVOICES = f"""
query Mine($status: InvoiceStatus) {{
  viewer {{ client {{
    invoices(status: $status) {{ {INVOICE_FIELDS} }}
    subscriptions {{ {SUBSCRIPTION_FIELDS} invoices {{ id }} }}
  }} }}
}}
"""


@pytest.fixture
def place(client: GraphQLClient, clock) -> Studio:  # type: ignore[no-untyped-def]
    clock.set(JUNE_1)
    return studio(client)


def pay(client: GraphQLClient, token: str, **values: Any) -> dict[str, Any]:
    return client.data(PAY, {"input": values}, token=token)["payInvoice"]  # type: ignore[no-any-return]


def send(client: GraphQLClient, token: str, **values: Any) -> dict[str, Any]:
    return client.data(SEND, {"input": values}, token=token)["sendInvoice"]  # type: ignore[no-any-return]


def open_invoice(client: GraphQLClient, place: Studio, client_id: str,
                 **values: Any) -> dict[str, Any]:
    payload = enrolled(client, place.owner, clientId=client_id, sessionId=place.tuesday,
                       firstDate="2027-06-15", checkout="PAY_LATER", **values)
    return payload["invoice"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------ payInvoice


def test_the_payer_pays_an_open_invoice_with_their_card(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    invoice = open_invoice(client, place, maya.client_id)
    payload = pay(client, maya.token, invoiceId=invoice["id"])
    assert payload["userErrors"] == []
    assert (payload["invoice"]["status"], payload["invoice"]["paidAt"]) == (
        "PAID", "2027-06-01T08:00:00Z")
    again = pay(client, maya.token, invoiceId=invoice["id"])
    assert again["userErrors"] == [{
        "field": None, "code": "INVALID_STATE",
        "message": "This invoice is PAID; only an OPEN invoice can be paid."}]


def test_a_declined_card_leaves_the_invoice_open_and_a_new_card_pays_it(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    declines = payer(client, place.owner, mailbox, card="tok_chargeDeclined")
    invoice = open_invoice(client, place, declines.client_id)
    assert codes(pay(client, place.owner.token, invoiceId=invoice["id"])) == [
        (None, "PAYMENT_DECLINED")]
    assert client_state(client, place.owner, declines.client_id)["invoices"][0]["status"] == (
        "OPEN")
    client.data(ADD_CARD, {"input": {"token": "tok_mastercard"}}, token=declines.token)
    assert pay(client, place.owner.token, invoiceId=invoice["id"])["invoice"]["status"] == "PAID"


def test_paying_needs_a_card_unless_nothing_is_owed(
    client: GraphQLClient, place: Studio
) -> None:
    noa = plain_client(client, place.owner)
    invoice = open_invoice(client, place, noa)
    assert pay(client, place.owner.token, invoiceId=invoice["id"]) == {
        "invoice": None, "userErrors": [{
            "field": None, "code": "NO_PAYMENT_METHOD",
            "message": "The payer has no card on file; they need to add one to pay now."}]}
    free = plain_client(client, place.owner, "Free")
    nothing = open_invoice(client, place, free, discount={"percent": "100"})
    assert pay(client, place.owner.token, invoiceId=nothing["id"])["invoice"]["status"] == "PAID"


def test_a_closed_invoice_cannot_be_paid(client: GraphQLClient, place: Studio,
                                         mailbox: Mailbox) -> None:
    maya = payer(client, place.owner, mailbox)
    closed = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
                      firstDate="2027-06-15", checkout="CLOSE_NOW")["invoice"]
    assert codes(pay(client, maya.token, invoiceId=closed["id"])) == [(None, "INVALID_STATE")]


def test_a_retry_with_the_same_key_answers_the_first_payment(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    invoice = open_invoice(client, place, maya.client_id)
    first = pay(client, maya.token, invoiceId=invoice["id"], idempotencyKey="pay-1")
    again = pay(client, maya.token, invoiceId=invoice["id"], idempotencyKey="pay-1")
    assert first == again and first["invoice"]["status"] == "PAID"


def test_the_payer_and_the_practice_paying_at_once_charge_the_card_once(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer
) -> None:
    maya = payer(client, place.owner, mailbox)
    invoice = open_invoice(client, place, maya.client_id)

    def attempt(token: str) -> list[tuple[list[str] | None, str]]:
        return codes(pay(client, token, invoiceId=invoice["id"]))

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, [maya.token, place.owner.token] * 3))
    assert [] in outcomes
    assert all(o in ([], [(None, "INVALID_STATE")]) for o in outcomes), outcomes
    assert charges_for(server, invoice["id"]) == 1


def charges_for(server: RunningServer, invoice_id: str) -> int:
    """How many charges the sandbox gateway took for the invoice."""
    raw = decode_id(invoice_id, "Invoice")

    async def count(db: Database) -> int:
        async with db.reading() as tx:
            found = await tx.scalar(
                select(func.count()).select_from(sandbox_charges).where(
                    sandbox_charges.c.idempotency_key.startswith(f"invoice:{raw}:"),
                    sandbox_charges.c.status == "SUCCEEDED"))
        return int(found or 0)

    return with_database(server, count)


def test_only_the_payer_or_the_practice_may_pay(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    parent = payer(client, place.owner, mailbox)
    child = payer(client, place.owner, mailbox, card=None)
    invoice = enrolled(client, place.owner, clientId=child.client_id,
                       payerId=parent.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-15")["invoice"]
    assert codes(pay(client, child.token, invoiceId=invoice["id"])) == [
        (["input", "invoiceId"], "NOT_PERMITTED")]
    stranger = payer(client, place.owner, mailbox)
    assert codes(pay(client, stranger.token, invoiceId=invoice["id"])) == [
        (["input", "invoiceId"], "NOT_FOUND")]


# ------------------------------------------------------------------ sendInvoice


def test_send_goes_to_the_suggested_recipients_by_default(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer
) -> None:
    maya = payer(client, place.owner, mailbox)
    invoice = open_invoice(client, place, maya.client_id)
    assert invoice["suggestedRecipients"] == [maya.email]
    before = len(mailbox.to(maya.email))
    payload = send(client, place.owner.token, invoiceId=invoice["id"])
    assert payload == {"invoice": {"id": invoice["id"], "number": "INV-000001"},
                       "userErrors": []}
    (sent,) = mailbox.wait_for(maya.email, count=before + 1)[before:]
    assert sent.subject == "Invoice INV-000001 from Calm Waters Therapy"
    assert "Tuesday Yoga, June 2027 (3 of 5 sessions): 60.00 GBP" in sent.text
    assert "Total: 60.00 GBP" in sent.text
    assert "Tuesday Yoga, June 2027 (3 of 5 sessions)" in sent.html


def test_send_to_the_recipients_given(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer
) -> None:
    noa = plain_client(client, place.owner)   # no email of their own
    invoice = open_invoice(client, place, noa, discount={"amount": "10",
                                                          "reason": "Sibling discount"})
    assert invoice["suggestedRecipients"] == []
    assert codes(send(client, place.owner.token, invoiceId=invoice["id"])) == [
        (["input", "recipients"], "INVALID")]
    assert codes(send(client, place.owner.token, invoiceId=invoice["id"],
                      recipients=["accounts@example.com", "not an address"])) == [
        (["input", "recipients", "1"], "INVALID")]
    server.drain()
    assert mailbox.to("accounts@example.com") == []
    assert send(client, place.owner.token, invoiceId=invoice["id"],
                recipients=["Accounts@Example.com", "gran@example.com"])["userErrors"] == []
    (first,) = mailbox.wait_for("accounts@example.com")
    mailbox.wait_for("gran@example.com")
    assert "Discount: -10.00 GBP" in first.text and "Total: 50.00 GBP" in first.text


def test_clients_may_not_send_invoices(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    invoice = open_invoice(client, place, maya.client_id)
    assert codes(send(client, maya.token, invoiceId=invoice["id"])) == [(None, "NOT_PERMITTED")]


# ------------------------------------------------------------------ lists and visibility


def test_a_client_sees_their_own_invoices_and_subscriptions_newest_invoice_first(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    later = open_invoice(client, place, maya.client_id)
    paid = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.thursday,
                    firstDate="2027-06-03", checkout="PAY_NOW")
    mine = client.data(MY_INVOICES, token=maya.token)["viewer"]["client"]
    assert [i["number"] for i in mine["invoices"]] == ["INV-000002", "INV-000001"]
    assert [s["session"]["name"] for s in mine["subscriptions"]] == [
        "Thursday Pilates", "Tuesday Yoga"]   # by start date
    assert mine["subscriptions"][1]["invoices"] == [{"id": later["id"]}]
    only_open = client.data(MY_INVOICES, {"status": "OPEN"}, token=maya.token)
    assert [i["id"] for i in only_open["viewer"]["client"]["invoices"]] == [later["id"]]
    only_paid = client.data(CLIENT_INVOICES, {"id": maya.client_id, "status": "PAID"},
                            token=place.owner.token)["node"]["invoices"]
    assert [i["id"] for i in only_paid] == [paid["invoice"]["id"]]


def test_an_attending_client_sees_the_subscription_and_its_invoices_but_not_the_payers(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    parent = payer(client, place.owner, mailbox)
    child = payer(client, place.owner, mailbox, card=None)
    payload = enrolled(client, place.owner, clientId=child.client_id,
                       payerId=parent.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-15")
    invoice, subscription = payload["invoice"]["id"], payload["subscription"]["id"]
    for who in (parent, child):
        assert client.data(NODE, {"id": invoice}, token=who.token)["node"]["id"] == invoice
        assert client.data(NODE, {"id": subscription}, token=who.token)["node"]["id"] == (
            subscription)
    # the child pays nothing: no invoices of their own, and no view of the parent's address
    mine = client.data(MY_INVOICES, token=child.token)["viewer"]["client"]
    assert mine["invoices"] == [] and [s["id"] for s in mine["subscriptions"]] == [subscription]
    seen = client.data("query I($id: ID!) { node(id: $id) { ... on Invoice { "
                       "suggestedRecipients payer { email } } } }", {"id": invoice},
                       token=child.token)["node"]
    assert seen == {"suggestedRecipients": [], "payer": {"email": None}}
    # and another client of the practice sees neither
    stranger = payer(client, place.owner, mailbox, card=None)
    for item in (invoice, subscription):
        assert client.data(NODE, {"id": item}, token=stranger.token) == {"node": None}


def test_another_practice_sees_none_of_it(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    maya = payer(client, place.owner, mailbox)
    payload = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-15")
    other = studio(client)
    for item in (payload["invoice"]["id"], payload["subscription"]["id"], place.tuesday,
                 place.yoga_service):
        assert client.data(NODE, {"id": item}, token=other.owner.token) == {"node": None}
    assert codes(pay(client, other.owner.token, invoiceId=payload["invoice"]["id"])) == [
        (["input", "invoiceId"], "NOT_FOUND")]


# ------------------------------------------------------------------ numbering


def test_invoice_numbers_run_without_gaps_or_repeats_under_concurrency(
    client: GraphQLClient, place: Studio
) -> None:
    # given twelve sessions and twelve clients, so enrolments contend only for the numbers
    group_sessions = [new_group_session(client, place.owner, place.yoga_service, name=f"Yoga {n}")
                for n in range(12)]
    people = [plain_client(client, place.owner, f"P{n}") for n in range(12)]

    # when all of them enrol at once, with three refused along the way (a bad discount)
    def attempt(n: int) -> dict[str, Any]:
        discount = {"amount": "999"} if n % 4 == 3 else None
        values: dict[str, Any] = {"clientId": people[n], "sessionId": group_sessions[n],
                                  "firstDate": "2027-06-15"}
        if discount:
            values["discount"] = discount
        return enroll(client, place.owner, **values)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(12)))

    # then the nine invoices are numbered 1 to 9, each once
    numbers = sorted(a["invoice"]["number"] for a in answers if a["invoice"])
    assert numbers == [f"INV-{n:06d}" for n in range(1, 10)]
    assert sum(1 for a in answers if a["userErrors"]) == 3


def test_numbers_are_per_practice(client: GraphQLClient, place: Studio) -> None:
    other = studio(client)
    mine = open_invoice(client, place, plain_client(client, place.owner))
    theirs = enrolled(client, other.owner, clientId=plain_client(client, other.owner),
                      sessionId=other.tuesday, firstDate="2027-06-15")["invoice"]
    assert mine["number"] == theirs["number"] == "INV-000001"
    assert gbp("60.00") == mine["total"]


def test_a_child_whose_parent_pays_has_no_invoices_of_their_own(
    client: GraphQLClient, place: Studio, mailbox: Mailbox
) -> None:
    parent: Payer = payer(client, place.owner, mailbox)
    child = plain_client(client, place.owner, "Kit")
    payload = enroll(client, place.owner, clientId=child, payerId=parent.client_id,
                     sessionId=place.tuesday, firstDate="2027-06-15", checkout="PAY_NOW")
    assert payload["invoice"]["status"] == "PAID"
    assert client_state(client, place.owner, child)["invoices"] == []
