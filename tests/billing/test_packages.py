"""createPackage: the package and its invoice with each checkout, refusals that change nothing
and charge nothing, idempotency, and who sees a package."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from tests.support.graphql import GraphQLClient, Staff, register_practice
from tests.support.group_sessions import PAY, gbp, payer, plain_client
from tests.support.links import can, linked, unlink
from tests.support.mailbox import Mailbox
from tests.support.packages import (
    card_charges,
    package,
    packages_of,
    sell,
    sold,
)
from tests.support.server import RunningServer

NOTHING_SOLD = {"packages": [], "usablePackages": [], "invoices": []}


def test_pay_later_sells_every_credit_with_an_open_invoice(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a client without a card
    noa = plain_client(client, owner)

    # when the practice sells them ten sessions, to be paid later
    payload = sell(client, owner, noa, name="Autumn block", sessions=10, price="450.00",
                   checkout="PAY_LATER")

    # then the client owns a package with all ten credits
    assert payload["userErrors"] == []
    sold_package = payload["package"]
    invoice = payload["invoice"]
    assert sold_package == {
        "id": sold_package["id"], "name": "Autumn block", "totalSessions": 10,
        "remainingSessions": 10, "price": gbp("450.00"), "owner": {"id": noa},
        "invoice": {"id": invoice["id"]}}
    # and an OPEN invoice bills the owner for it in one line
    assert (invoice["number"], invoice["status"], invoice["paidAt"]) == (
        "INV-000001", "OPEN", None)
    assert invoice["payer"] == {"id": noa}
    assert invoice["lines"] == [{"description": "Autumn block (10 sessions)", "quantity": 1,
                                 "unitPrice": gbp("450.00"), "amount": gbp("450.00")}]
    assert invoice["total"] == gbp("450.00")
    # and the client's profile lists both
    state = packages_of(client, owner.token, noa)
    assert state is not None
    assert [p["id"] for p in state["packages"]] == [sold_package["id"]]
    assert state["usablePackages"] == [{"id": sold_package["id"]}]
    assert state["invoices"] == [{"id": invoice["id"], "number": "INV-000001",
                                  "status": "OPEN"}]


def test_pay_now_charges_the_owners_card_once_and_the_invoice_is_paid(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    maya = payer(client, owner, mailbox)
    payload = sell(client, owner, maya.client_id, price="500.00", checkout="PAY_NOW")
    assert payload["userErrors"] == []
    assert payload["invoice"]["status"] == "PAID"
    assert payload["invoice"]["paidAt"] is not None
    charges = card_charges(server, maya.client_id)
    assert [(c.amount, c.status, c.refunded_at) for c in charges] == [
        (Decimal("500.00"), "SUCCEEDED", None)]


def test_close_now_closes_the_invoice_without_payment(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    maya = payer(client, owner, mailbox)
    payload = sell(client, owner, maya.client_id, checkout="CLOSE_NOW")
    assert payload["userErrors"] == []
    assert (payload["invoice"]["status"], payload["invoice"]["paidAt"]) == ("CLOSED", None)
    assert payload["package"]["remainingSessions"] == 10
    assert card_charges(server, maya.client_id) == []


def test_pay_now_without_a_card_refuses_everything(
    client: GraphQLClient, owner: Staff
) -> None:
    noa = plain_client(client, owner)
    payload = sell(client, owner, noa, checkout="PAY_NOW")
    assert payload == {"package": None, "invoice": None, "userErrors": [{
        "field": None, "code": "NO_PAYMENT_METHOD",
        "message": "The payer has no card on file; they need to add one to pay now."}]}
    assert packages_of(client, owner.token, noa) == NOTHING_SOLD


def test_pay_now_with_a_declined_card_refuses_everything_and_takes_no_invoice_number(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    declines = payer(client, owner, mailbox, card="tok_chargeDeclined")
    payload = sell(client, owner, declines.client_id, checkout="PAY_NOW")
    assert payload == {"package": None, "invoice": None, "userErrors": [{
        "field": None, "code": "PAYMENT_DECLINED",
        "message": "The payer's card was declined; nothing was changed."}]}
    assert packages_of(client, owner.token, declines.client_id) == NOTHING_SOLD
    assert [c.status for c in card_charges(server, declines.client_id)] == ["DECLINED"]
    # the next invoice is still the practice's first
    noa = plain_client(client, owner)
    assert sell(client, owner, noa)["invoice"]["number"] == "INV-000001"


def test_bad_input_is_refused_field_by_field_and_sells_nothing(
    client: GraphQLClient, owner: Staff
) -> None:
    noa = plain_client(client, owner)
    payload = sell(client, owner, noa, name="  ", sessions=0, price="12.345")
    assert payload["userErrors"] == [
        {"field": ["input", "name"], "code": "INVALID",
         "message": "A name of 1 to 200 characters is needed."},
        {"field": ["input", "sessions"], "code": "INVALID",
         "message": "A package holds 1 to 500 sessions."},
        {"field": ["input", "price"], "code": "INVALID",
         "message": "GBP amounts have at most 2 decimal places."},
    ]
    negative = sell(client, owner, noa, price="-1")
    assert negative["userErrors"] == [{"field": ["input", "price"], "code": "INVALID",
                                       "message": "Amount must not be negative."}]
    assert packages_of(client, owner.token, noa) == NOTHING_SOLD


def test_only_the_practice_sells_and_only_to_its_own_clients(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    maya = payer(client, owner, mailbox)
    stranger = plain_client(client, register_practice(client))
    assert sell(client, owner, stranger)["userErrors"] == [
        {"field": ["input", "clientId"], "code": "NOT_FOUND", "message": "Client not found."}]
    as_client = Staff(maya.token, maya.email, owner.practice_id, "")
    assert sell(client, as_client, maya.client_id)["userErrors"] == [
        {"field": None, "code": "NOT_PERMITTED",
         "message": "Only the practice's staff may do this."}]
    assert packages_of(client, owner.token, maya.client_id) == {
        "packages": [], "usablePackages": [], "invoices": []}


def test_a_retry_with_the_same_key_answers_the_first_sale_and_charges_once(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    maya = payer(client, owner, mailbox)
    values: dict[str, Any] = {"checkout": "PAY_NOW", "idempotencyKey": "sell-maya-1"}

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: sell(client, owner, maya.client_id, **values),
                                range(4)))

    assert all(a["userErrors"] == [] for a in answers), answers
    assert len({a["package"]["id"] for a in answers}) == 1
    assert len({a["invoice"]["number"] for a in answers}) == 1
    state = packages_of(client, owner.token, maya.client_id)
    assert state is not None and len(state["packages"]) == 1 and len(state["invoices"]) == 1
    assert [c.status for c in card_charges(server, maya.client_id)
            if c.refunded_at is None] == ["SUCCEEDED"]
    other = sell(client, owner, maya.client_id, **values, sessions=5)
    assert other["userErrors"] == [{
        "field": ["input", "idempotencyKey"], "code": "IDEMPOTENCY_CONFLICT",
        "message": "This idempotencyKey was used for a different request."}]


def test_the_owner_and_clients_they_share_with_see_a_package_and_nobody_else(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given partners, one owning a package, and an unrelated client
    alex = payer(client, owner, mailbox, card=None)
    sam = payer(client, owner, mailbox, card=None)
    other = payer(client, owner, mailbox, card=None)
    bought = sold(client, owner, alex.client_id)["id"]
    link = linked(client, owner, alex.client_id, sam.client_id, "PARTNER")

    # then without the permission only the owner (and the practice) see it
    assert package(client, alex.token, bought) is not None
    assert package(client, owner.token, bought) is not None
    assert package(client, sam.token, bought) is None
    assert package(client, other.token, bought) is None
    assert packages_of(client, sam.token, sam.client_id)["usablePackages"] == []  # type: ignore[index]
    # and a client's view of another client shows none of their packages
    assert packages_of(client, sam.token, alex.client_id) is None

    # when Alex lets Sam use package sessions
    unlink(client, owner, link["id"])
    linked(client, owner, alex.client_id, sam.client_id, "PARTNER",
           linked_client_can=can("usePackageSessions"))

    # then Sam sees it among the packages usable for them
    assert package(client, sam.token, bought) is not None
    assert packages_of(client, sam.token, sam.client_id)["usablePackages"] == [  # type: ignore[index]
        {"id": bought}]
    assert package(client, other.token, bought) is None


def test_a_package_invoice_left_open_is_paid_later_with_pay_invoice(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a package sold to pay later, to a client with a card
    maya = payer(client, owner, mailbox)
    invoice = sell(client, owner, maya.client_id, checkout="PAY_LATER")["invoice"]
    assert card_charges(server, maya.client_id) == []

    # when the client pays the invoice
    paid = client.data(PAY, {"input": {"invoiceId": invoice["id"]}}, token=maya.token)

    # then it is PAID and the card charged once for it
    assert paid["payInvoice"]["userErrors"] == []
    assert paid["payInvoice"]["invoice"]["status"] == "PAID"
    assert [(c.amount, c.status) for c in card_charges(server, maya.client_id)] == [
        (Decimal("500.00"), "SUCCEEDED")]
