"""Each distinct document is parsed and validated once; a cached answer is the same answer,
refusals included, and never leaks from one caller to another."""

from __future__ import annotations

from schema.shared.extensions import MAX_DEPTH
from tests.support.graphql import GraphQLClient, Staff, register_practice

VIEWER = "query { viewer { role practice { name } } }"
TOO_DEEP = "{ viewer { " + "practice { practitioners { " * 6 + "name" + " } }" * 6 + " } }"
UNKNOWN_FIELD = "query { viewer { role nickname } }"


def test_a_repeated_document_answers_each_caller_with_their_own_data(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a document already seen once
    other = register_practice(client, practiceName="Other Rooms")
    first = client.data(VIEWER, token=owner.token)
    # when it is sent again, by its first caller and by someone else
    again = client.data(VIEWER, token=owner.token)
    theirs = client.data(VIEWER, token=other.token)
    # then each caller reads their own practice, as the first time
    mine = {"viewer": {"role": "OWNER", "practice": {"name": "Calm Waters Therapy"}}}
    assert again == first == mine
    assert theirs == {"viewer": {"role": "OWNER", "practice": {"name": "Other Rooms"}}}


def test_a_refused_document_is_refused_every_time(client: GraphQLClient, owner: Staff) -> None:
    for _ in range(3):
        # when the same over-deep and invalid documents come again and again
        deep = client.execute(TOO_DEEP, token=owner.token)
        unknown = client.execute(UNKNOWN_FIELD, token=owner.token)
        # then each time they are refused with the same errors, and nothing runs
        assert deep.body.get("data") is None
        assert deep.error_codes == ["QUERY_TOO_DEEP"]
        assert str(MAX_DEPTH) in deep.errors[0]["message"]
        assert unknown.body.get("data") is None
        assert [e["message"] for e in unknown.errors] == [
            "Cannot query field 'nickname' on type 'Viewer'."]


def test_a_cached_document_still_needs_a_sign_in(client: GraphQLClient, owner: Staff) -> None:
    # given a document a signed-in caller sent
    assert client.data(VIEWER, token=owner.token)["viewer"]["role"] == "OWNER"
    # when the same text comes without a token, then it is refused as before
    assert client.execute(VIEWER).error_codes == ["UNAUTHENTICATED"]
