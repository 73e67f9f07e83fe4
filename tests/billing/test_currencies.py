"""Practice currencies from ISO 4217's own table: each price has at most the currency's minor
unit of places and is kept exactly (on either database); codes that are not money (funds,
precious metals, XXX and the like) are refused as a practice's currency."""

from __future__ import annotations

import pytest

from tests.support.graphql import (
    PASSWORD,
    REGISTER,
    SIGN_IN,
    GraphQLClient,
    register_practice,
    unique_email,
    verified_registration,
)
from tests.support.group_sessions import create_group_session, create_service

PRICE = """query { viewer { practitioner { sessionPrice { amount currency } } } }"""


def _register(client: GraphQLClient, currency: str, **values: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    email = unique_email("currency")
    payload = client.data(REGISTER, {"input": {
        "practiceName": "Coins", "name": "Cy", "email": email, "password": PASSWORD,
        "timezone": "UTC", "currency": currency, **values}})["registerPractice"]
    return email, payload


@pytest.mark.parametrize("currency", ["XXX", "XAU", "XAG", "XTS", "XDR", "BOV", "CLF", "USN"])
def test_a_code_that_is_not_money_is_refused_and_registers_nothing(
    client: GraphQLClient, currency: str
) -> None:
    # when a practice registers with a fund, a precious metal or a code with no minor unit
    email, payload = _register(client, currency)
    # then currency is named INVALID, no token is issued, and nobody can sign in as it
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "currency"], "INVALID")]
    assert payload["accessToken"] is None
    signed = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})["signIn"]
    assert signed["accessToken"] is None


@pytest.mark.parametrize(("currency", "refused", "kept"), [
    ("RWF", "1500.25", "1500"),
    ("BIF", "10.5", "10"),
    ("XPF", "99.9", "99"),
    ("VUV", "0.1", "7"),
    ("KWD", "12.3456", "12.345"),
    ("GBP", "80.001", "80.25"),
])
def test_a_price_has_at_most_the_currencys_minor_unit_and_is_kept_exactly(
    client: GraphQLClient, currency: str, refused: str, kept: str
) -> None:
    # when a practice in this currency registers with too many places
    _, payload = _register(client, currency, sessionPrice=refused)
    # then the price is INVALID
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "sessionPrice"], "INVALID")]
    assert payload["accessToken"] is None
    # and with as many places as the currency has, it is kept to the last place
    accepted = verified_registration(client, {
        "practiceName": "Coins", "name": "Cy", "email": unique_email("currency"),
        "password": PASSWORD, "timezone": "UTC", "currency": currency, "sessionPrice": kept})
    price = client.data(PRICE, token=accepted["accessToken"])["viewer"]["practitioner"]
    assert price["sessionPrice"] == {"amount": kept, "currency": currency}


def test_a_group_sessions_price_follows_the_practice_currency(client: GraphQLClient) -> None:
    # given a practice in Rwandan francs (no minor unit)
    owner = register_practice(client, currency="RWF")
    service = create_service(client, owner, "Yoga")
    # when a group session is priced with centimes, then in whole francs
    refused = create_group_session(client, owner, service, monthlyPrice="1500.25")
    kept = create_group_session(client, owner, service, monthlyPrice="1500")
    # then the first is refused on its price and the second kept as given
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["input", "monthlyPrice"], "INVALID")]
    assert refused["session"] is None
    assert kept["userErrors"] == []
    assert kept["session"]["monthlyPrice"] == {"amount": "1500", "currency": "RWF"}
