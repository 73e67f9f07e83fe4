"""A signed-in client's card, through the sandbox payment gateway."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.accounts.payments import ChargeOutcome
from domain.shared.errors import DomainError, ErrorCode
from persistence.database import Database
from persistence.sandbox_gateway import SandboxGateway
from tests.support.clients import create_client, error_pairs, signed_in_client
from tests.support.graphql import GraphQLClient, Staff
from tests.support.jobs import with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

ADD = """
mutation Add($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    client { id paymentMethod { brand last4 expMonth expYear } }
    userErrors { field code message }
  }
}
"""

REMOVE = """
mutation { removePaymentMethod { client { id paymentMethod { last4 } }
                                 userErrors { field code message } } }
"""

CARD_OF = """
query Node($id: ID!) { node(id: $id) { ... on Client { paymentMethod { brand last4 } } } }
"""


def add(client: GraphQLClient, token: str, card: str) -> dict:  # type: ignore[type-arg]
    return client.data(ADD, {"input": {"token": card}}, token=token)["addPaymentMethod"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("card", "brand", "last4"), [
    ("tok_visa", "visa", "4242"), ("tok_mastercard", "mastercard", "4444"),
    ("tok_amex", "amex", "8431"), ("tok_chargeDeclined", "visa", "0002"),
])
def test_a_client_adds_a_card_and_only_brand_last4_and_expiry_are_kept(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock,  # type: ignore[no-untyped-def]
    card: str, brand: str, last4: str,
) -> None:
    # given a signed-in client
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    client_id, _, token = signed_in_client(client, owner, mailbox)

    # when they add a card by its provider token
    payload = add(client, token, card)

    # then its brand, last four digits and expiry are on file, also for the practice to see
    assert payload == {"userErrors": [], "client": {"id": client_id, "paymentMethod": {
        "brand": brand, "last4": last4, "expMonth": 12, "expYear": 2030}}}
    practice_view = client.data(CARD_OF, {"id": client_id}, token=owner.token)["node"]
    assert practice_view["paymentMethod"] == {"brand": brand, "last4": last4}


def test_a_new_card_replaces_the_old_one(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, _, token = signed_in_client(client, owner, mailbox)
    add(client, token, "tok_visa")
    replaced = add(client, token, "tok_amex")
    assert replaced["client"]["paymentMethod"]["brand"] == "amex"


def test_an_unknown_token_is_invalid_and_keeps_the_card_on_file(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    client_id, _, token = signed_in_client(client, owner, mailbox)
    add(client, token, "tok_visa")
    for bad in ("tok_unknown", "4242424242424242", ""):
        assert add(client, token, bad) == {"client": None, "userErrors": [{
            "field": ["input", "token"], "code": "INVALID",
            "message": "The card could not be added: the payment token is not valid."}]}
    kept = client.data(CARD_OF, {"id": client_id}, token=token)["node"]["paymentMethod"]
    assert kept == {"brand": "visa", "last4": "4242"}


def test_a_client_removes_their_card(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    client_id, _, token = signed_in_client(client, owner, mailbox)
    add(client, token, "tok_visa")
    removed = client.data(REMOVE, token=token)["removePaymentMethod"]
    assert removed == {"userErrors": [], "client": {"id": client_id, "paymentMethod": None}}
    again = client.data(REMOVE, token=token)["removePaymentMethod"]
    assert again == {"client": None, "userErrors": [{
        "field": None, "code": "INVALID_STATE", "message": "There is no card on file to remove."}]}


def test_only_a_signed_in_client_manages_a_card(client: GraphQLClient, owner: Staff) -> None:
    client_id = create_client(client, owner)["id"]
    expected = [(None, "NOT_PERMITTED")]
    assert error_pairs(add(client, owner.token, "tok_visa")) == expected
    assert error_pairs(client.data(REMOVE, token=owner.token)["removePaymentMethod"]) == expected
    assert client.data(CARD_OF, {"id": client_id}, token=owner.token)["node"][
        "paymentMethod"] is None


# ------------------------------------------------------------------ the sandbox gateway itself


def sandbox(server: RunningServer, work):  # type: ignore[no-untyped-def]
    return with_database(server, lambda db: work(SandboxGateway(db, server.clock)))


def test_the_sandbox_charges_once_per_idempotency_key(server: RunningServer) -> None:
    async def work(gateway: SandboxGateway):  # type: ignore[no-untyped-def]
        card = await gateway.attach_card("tok_visa")
        first = await gateway.charge(card.reference, Decimal("60.00"), "GBP", "session-1")
        repeat = await gateway.charge(card.reference, Decimal("60.00"), "GBP", "session-1")
        other = await gateway.charge(card.reference, Decimal("60.00"), "GBP", "session-2")
        return first, repeat, other

    first, repeat, other = sandbox(server, work)
    assert first.succeeded and first.amount == Decimal("60.00") and first.currency == "GBP"
    assert repeat == first
    assert other.reference != first.reference


def test_the_sandbox_declines_the_declining_card_and_detached_ones(server: RunningServer) -> None:
    async def work(gateway: SandboxGateway):  # type: ignore[no-untyped-def]
        declining = await gateway.attach_card("tok_chargeDeclined")
        detached = await gateway.attach_card("tok_visa")
        await gateway.detach_card(detached.reference)
        return (await gateway.charge(declining.reference, Decimal("10"), "GBP", "d-1"),
                await gateway.charge(detached.reference, Decimal("10"), "GBP", "d-2"))

    declined, gone = sandbox(server, work)
    assert declined.outcome is ChargeOutcome.DECLINED
    assert declined.decline_reason == "card_declined"
    assert gone.outcome is ChargeOutcome.DECLINED


def test_the_sandbox_refunds_a_charge_once(server: RunningServer) -> None:
    async def work(gateway: SandboxGateway):  # type: ignore[no-untyped-def]
        card = await gateway.attach_card("tok_mastercard")
        charge = await gateway.charge(card.reference, Decimal("45.50"), "EUR", "r-1")
        return (charge, await gateway.refund(charge.reference, "refund-1"),
                await gateway.refund(charge.reference, "refund-1"))

    charge, refund, repeat = sandbox(server, work)
    assert refund.charge_reference == charge.reference
    assert repeat == refund


def test_the_sandbox_refuses_unknown_tokens(server: RunningServer) -> None:
    async def work(gateway: SandboxGateway) -> None:
        await gateway.attach_card("tok_visa_but_not_really")

    with pytest.raises(DomainError) as refused:
        with_database(server, lambda db: work(SandboxGateway(db, server.clock)))
    assert refused.value.problems[0].code is ErrorCode.INVALID


def test_a_database_gives_the_gateway_its_state(server: RunningServer) -> None:
    """The sandbox keeps state in the database: a second gateway sees the first one's charge."""

    async def work(db: Database):  # type: ignore[no-untyped-def]
        card = await SandboxGateway(db, server.clock).attach_card("tok_visa")
        first = await SandboxGateway(db, server.clock).charge(
            card.reference, Decimal("5"), "GBP", "shared-key")
        second = await SandboxGateway(db, server.clock).charge(
            card.reference, Decimal("5"), "GBP", "shared-key")
        return first, second

    first, second = with_database(server, work)
    assert first == second
