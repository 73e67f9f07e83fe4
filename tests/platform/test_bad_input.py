"""A value the caller sent that does not parse, written in the document or sent as a
variable, is the caller's error: BAD_USER_INPUT at its location, never a masked bug."""

from __future__ import annotations

import pytest

from tests.support.graphql import GraphQLClient, Staff

AVAILABILITY_LITERAL = """
query Free($id: ID!) {
  availability(practitionerId: $id, from: %s, to: "2027-01-05T00:00:00Z") { startsAt }
}
"""
AVAILABILITY = """
query Free($id: ID!, $from: DateTime!) {
  availability(practitionerId: $id, from: $from, to: "2027-01-05T00:00:00Z") { startsAt }
}
"""
PRICE_LITERAL = """
mutation {
  setSessionPrice(input: {price: %s}) { practitioner { id } userErrors { field code } }
}
"""
PRICE = """
mutation Price($price: Decimal!) {
  setSessionPrice(input: {price: $price}) { practitioner { id } userErrors { field code } }
}
"""
PRICE_NOW = "query { viewer { practitioner { sessionPrice { amount } } } }"


@pytest.mark.parametrize("value", ['"soon"', '"2027-01-04T09:00:00"', '"0001-01-01T00:00:00Z"'])
def test_a_datetime_literal_that_does_not_parse_is_bad_user_input_at_its_place(
    client: GraphQLClient, owner: Staff, value: str
) -> None:
    # when the literal is written inline, and the same value is sent as a variable
    inline = client.execute(AVAILABILITY_LITERAL % value, {"id": owner.practitioner_id},
                            token=owner.token)
    variable = client.execute(AVAILABILITY, {"id": owner.practitioner_id,
                                             "from": value.strip('"')}, token=owner.token)
    # then both are the caller's error, located where the value stands
    assert inline.status < 500 and variable.status < 500
    assert inline.error_codes == ["BAD_USER_INPUT"]
    assert inline.errors[0]["locations"] == [{"line": 3, "column": 43}]
    assert variable.error_codes == ["BAD_USER_INPUT"]
    assert variable.errors[0]["locations"] == [{"line": 2, "column": 22}]
    assert "requestId" not in inline.errors[0]["extensions"]


@pytest.mark.parametrize("value", ['"abc"', '"1e999999999"', '"NaN"', '"-0"'])
def test_a_decimal_that_does_not_parse_is_bad_user_input_and_changes_nothing(
    client: GraphQLClient, owner: Staff, value: str
) -> None:
    # given the practitioner's price as it stands
    before = client.data(PRICE_NOW, token=owner.token)
    # when a price that is no plain decimal is sent inline and as a variable
    inline = client.execute(PRICE_LITERAL % value, token=owner.token)
    variable = client.execute(PRICE, {"price": value.strip('"')}, token=owner.token)
    # then both are refused as the caller's error and the price is unchanged
    assert inline.error_codes == ["BAD_USER_INPUT"]
    assert inline.errors[0]["locations"] == [{"line": 3, "column": 34}]
    assert variable.error_codes == ["BAD_USER_INPUT"]
    # (a request that cannot run has no data entry at all)
    assert inline.body.get("data") is None and variable.body.get("data") is None
    assert client.data(PRICE_NOW, token=owner.token) == before
