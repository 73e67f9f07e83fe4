"""Clients: creating and editing them, the clients list, and who may see whom."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from schema.shared.ids import to_global_id
from tests.support.clients import (
    ADDRESS,
    CREATE_CLIENT,
    FULL_PROFILE,
    create_client,
    create_relationship,
    end_relationship,
    error_pairs,
    signed_in_client,
)
from tests.support.graphql import (
    GraphQLClient,
    Staff,
    add_practitioner,
    register_practice,
    unique_email,
)
from tests.support.mailbox import Mailbox

UPDATE = """
mutation Update($input: UpdateClientInput!) {
  updateClient(input: $input) {
    client { id firstName lastName email phone dateOfBirth
             address { line1 line2 city postalCode country } missingProfileFields }
    userErrors { field code message }
  }
}
"""

CLIENTS = """
query Clients($includeInactive: Boolean! = false, $search: String, $first: Int, $after: String) {
  clients(includeInactive: $includeInactive, search: $search, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id firstName lastName isActive } }
  }
}
"""

DASHBOARD = """
query Dashboard($first: Int) {
  clients(includeInactive: true, first: $first) {
    totalCount
    edges { node {
      id firstName lastName email isActive hasAccount missingProfileFields
      paymentMethod { brand last4 }
      relationships {
        id kind party status
        practitioner { id name }
        clients { id firstName }
        payer { id firstName paymentMethod { brand last4 } }
      }
    } }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on Client { firstName email } } }
"""


def names(client: GraphQLClient, staff: Staff, **variables: object) -> list[str]:
    page = client.data(CLIENTS, variables, token=staff.token)["clients"]
    return [f"{e['node']['firstName']} {e['node']['lastName']}" for e in page["edges"]]


def active_client(client: GraphQLClient, staff: Staff, first: str, last: str) -> str:
    made = create_client(client, staff, first, last)
    create_relationship(client, staff, [made["id"]])
    return made["id"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------ create and update


def test_create_client_trims_normalises_and_lists_what_self_pay_still_needs(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a practice in Europe/London, so a phone number without + is taken as British
    # when a client is created with untidy input
    made = create_client(client, owner, "  Zoë ", " O'Neill  ", email=" Zoe.ONeill@Example.COM ",
                         phone="07911 123456")

    # then names are trimmed, the email lower-cased, the phone in international form
    assert made["firstName"] == "Zoë"
    assert made["lastName"] == "O'Neill"
    assert made["email"] == "zoe.oneill@example.com"
    assert made["phone"] == "+447911123456"
    assert made["isActive"] is False
    assert made["hasAccount"] is False
    assert made["missingProfileFields"] == ["dateOfBirth", "address"]


def test_create_client_with_a_full_profile_misses_nothing(
    client: GraphQLClient, owner: Staff
) -> None:
    made = create_client(client, owner, email=unique_email(), **FULL_PROFILE)
    assert made["missingProfileFields"] == []
    assert made["dateOfBirth"] == "1990-04-01"
    assert made["address"] == {**ADDRESS, "line2": None}


def test_bad_client_input_names_each_field_and_creates_nothing(
    client: GraphQLClient, owner: Staff, clock  # type: ignore[no-untyped-def]
) -> None:
    # given input wrong in every field
    clock.set(datetime(2026, 3, 10, 12, tzinfo=UTC))
    values = {"firstName": "  ", "lastName": "", "email": "not-an-email", "phone": "12",
              "dateOfBirth": "2026-03-11",
              "address": {"line1": " ", "city": "", "postalCode": "", "country": "XX"}}

    # when the client is created
    payload = client.data(CREATE_CLIENT, {"input": values}, token=owner.token)["createClient"]

    # then every problem is named by its path, and no client exists
    assert payload["client"] is None
    assert error_pairs(payload) == [
        (["input", "firstName"], "INVALID"),
        (["input", "lastName"], "INVALID"),
        (["input", "email"], "INVALID"),
        (["input", "phone"], "INVALID"),
        (["input", "dateOfBirth"], "INVALID"),
        (["input", "address", "line1"], "INVALID"),
        (["input", "address", "city"], "INVALID"),
        (["input", "address", "postalCode"], "INVALID"),
        (["input", "address", "country"], "INVALID"),
    ]
    assert names(client, owner, includeInactive=True) == []


def test_a_date_of_birth_of_today_is_fine(client: GraphQLClient, owner: Staff, clock) -> None:  # type: ignore[no-untyped-def]
    # 23:30 UTC on 31 May is already 1 June in London, the practice's timezone
    clock.set(datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    made = create_client(client, owner, dateOfBirth="2026-06-01")
    assert made["dateOfBirth"] == "2026-06-01"


def test_without_a_country_a_phone_number_must_be_international(client: GraphQLClient) -> None:
    # given a practice whose timezone names no country
    staff = register_practice(client, timezone="UTC")

    # when a phone number without + is given
    payload = client.data(CREATE_CLIENT, {"input": {
        "firstName": "Ola", "lastName": "Nordmann", "phone": "07911 123456"}},
        token=staff.token)["createClient"]

    # then it is refused, and the international form is accepted
    assert payload["userErrors"] == [{
        "field": ["input", "phone"], "code": "INVALID",
        "message": "Give the phone number in international form, e.g. +44 7911 123456.",
    }]
    made = create_client(client, staff, phone="+47 412 34 567")
    assert made["phone"] == "+4741234567"


def test_a_client_email_is_unique_within_the_practice_only(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a client with an email
    email = unique_email("twin")
    create_client(client, owner, email=email)

    # when another client of the practice is given the same email, in capitals
    payload = client.data(CREATE_CLIENT, {"input": {
        "firstName": "Second", "lastName": "Twin", "email": email.upper()}},
        token=owner.token)["createClient"]

    # then EMAIL_TAKEN, but another practice may use it
    assert payload == {"client": None, "userErrors": [{
        "field": ["input", "email"], "code": "EMAIL_TAKEN",
        "message": "Another client of the practice has this email.",
    }]}
    assert names(client, owner, includeInactive=True) == ["Robin Client"]
    other = register_practice(client)
    assert create_client(client, other, email=email)["email"] == email


def test_update_client_changes_only_what_is_given_and_null_clears(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a client with a full profile
    made = create_client(client, owner, email=unique_email(), **FULL_PROFILE)

    # when their first name changes and their phone is cleared
    payload = client.data(UPDATE, {"input": {"clientId": made["id"], "profile": {
        "firstName": " Robyn ", "phone": None}}}, token=owner.token)["updateClient"]

    # then only those change
    assert payload["userErrors"] == []
    updated = payload["client"]
    assert updated["firstName"] == "Robyn"
    assert updated["lastName"] == "Client"
    assert updated["phone"] is None
    assert updated["dateOfBirth"] == "1990-04-01"
    assert updated["missingProfileFields"] == ["phone"]


def test_bad_updates_are_reported_under_profile_and_change_nothing(
    client: GraphQLClient, owner: Staff
) -> None:
    # given two clients
    taken = unique_email("taken")
    create_client(client, owner, "Other", "Person", email=taken)
    made = create_client(client, owner, email=unique_email(), **FULL_PROFILE)

    # when one is given a blank name, a taken email, or a bad address
    blank = client.data(UPDATE, {"input": {"clientId": made["id"], "profile": {
        "lastName": None, "address": {**ADDRESS, "country": "Narnia"}}}},
        token=owner.token)["updateClient"]
    clash = client.data(UPDATE, {"input": {"clientId": made["id"], "profile": {
        "firstName": "Changed", "email": taken}}}, token=owner.token)["updateClient"]

    # then the problems are named under input.profile and the client is as they were
    assert error_pairs(blank) == [(["input", "profile", "lastName"], "INVALID"),
                                  (["input", "profile", "address", "country"], "INVALID")]
    assert error_pairs(clash) == [(["input", "profile", "email"], "EMAIL_TAKEN")]
    node = client.data(NODE, {"id": made["id"]}, token=owner.token)["node"]
    assert node["firstName"] == "Robin"
    assert node["email"] == made["email"]


def test_another_practices_client_reads_exactly_like_a_missing_one(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a client of another practice
    other = register_practice(client)
    theirs = create_client(client, other)

    # when this practice's owner reads or edits it, or an id that does not exist
    profile = {"firstName": "Hacked"}
    foreign = client.data(UPDATE, {"input": {"clientId": theirs["id"], "profile": profile}},
                          token=owner.token)["updateClient"]
    nobody = to_global_id("Client", uuid.uuid4())
    missing = client.data(UPDATE, {"input": {"clientId": nobody, "profile": profile}},
                          token=owner.token)["updateClient"]
    malformed = client.data(UPDATE, {"input": {"clientId": "nonsense", "profile": profile}},
                            token=owner.token)["updateClient"]

    # then all three answer the same NOT_FOUND, and node is null
    expected = {"client": None, "userErrors": [
        {"field": ["input", "clientId"], "code": "NOT_FOUND", "message": "Client not found."}]}
    assert foreign == missing == malformed == expected
    assert client.data(NODE, {"id": theirs["id"]}, token=owner.token)["node"] is None
    assert client.data(NODE, {"id": theirs["id"]}, token=other.token)["node"]["firstName"] == (
        "Robin")


# ------------------------------------------------------------------ the clients list


def test_the_owner_sees_active_clients_and_inactive_ones_on_request(
    client: GraphQLClient, owner: Staff
) -> None:
    # given an active client, a client without a relationship, and one whose relationship ended
    active_client(client, owner, "Ana", "Active")
    create_client(client, owner, "Nel", "New")
    ended = create_client(client, owner, "Eli", "Ended")
    relationship = create_relationship(client, owner, [ended["id"]])
    end_relationship(client, owner, relationship["id"])

    # then the default list shows only the active one; includeInactive adds the rest
    assert names(client, owner) == ["Ana Active"]
    assert names(client, owner, includeInactive=True) == ["Ana Active", "Eli Ended", "Nel New"]


def test_a_practitioner_sees_their_caseload_and_unassigned_clients(
    client: GraphQLClient, owner: Staff
) -> None:
    # given a practitioner with one active and one ended client, and the owner with one
    pat = add_practitioner(client, owner)
    active_client(client, pat, "Mia", "Mine")
    ended = create_client(client, pat, "Old", "Mine")
    end_relationship(client, pat, create_relationship(client, pat, [ended["id"]])["id"])
    active_client(client, owner, "Olu", "Owners")
    create_client(client, owner, "Una", "Unassigned")

    # then the practitioner's list is their caseload; inactive adds their past and unassigned
    assert names(client, pat) == ["Mia Mine"]
    assert names(client, pat, includeInactive=True) == ["Mia Mine", "Old Mine", "Una Unassigned"]
    # and the owner sees every active client of the practice
    assert names(client, owner) == ["Mia Mine", "Olu Owners"]


def test_a_payer_who_does_not_attend_is_active_too(client: GraphQLClient, owner: Staff) -> None:
    child = create_client(client, owner, "Kit", "Young")
    parent = create_client(client, owner, "Pam", "Young")
    create_relationship(client, owner, [child["id"]], kind="CHILD", payerId=parent["id"])
    assert names(client, owner) == ["Kit Young", "Pam Young"]


def test_search_ignores_case_and_accents_and_matches_email(
    client: GraphQLClient, owner: Staff
) -> None:
    # given clients with accents in their names and one found by email
    active_client(client, owner, "Zoë", "Ørsted")
    active_client(client, owner, "José", "Álvarez")
    by_email = create_client(client, owner, "Sam", "Smith", email=unique_email("quietbrook"))
    create_relationship(client, owner, [by_email["id"]])

    # then plain letters find accented names, words combine, and emails match
    assert names(client, owner, search="JOSE") == ["José Álvarez"]
    assert names(client, owner, search="alva jo") == ["José Álvarez"]
    assert names(client, owner, search="zoe") == ["Zoë Ørsted"]
    assert names(client, owner, search="QUIETBROOK") == ["Sam Smith"]
    assert names(client, owner, search="50%_") == []
    assert names(client, owner, search="  ") == ["José Álvarez", "Sam Smith", "Zoë Ørsted"]


def test_clients_are_ordered_by_last_name_then_first(client: GraphQLClient, owner: Staff) -> None:
    for first, last in [("Zed", "Smith"), ("Bob", "Smithers"), ("Amy", "smith"),
                        ("Émile", "Zola"), ("Cy", "Émery")]:
        create_client(client, owner, first, last)
    assert names(client, owner, includeInactive=True) == [
        "Cy Émery", "Amy smith", "Zed Smith", "Bob Smithers", "Émile Zola"]


def test_the_list_pages_with_cursors(client: GraphQLClient, owner: Staff) -> None:
    # given five clients
    for letter in "ABCDE":
        create_client(client, owner, "Pat", f"{letter}-person")

    # when read two at a time
    first = client.data(CLIENTS, {"includeInactive": True, "first": 2}, token=owner.token)
    cursor = first["clients"]["pageInfo"]["endCursor"]
    second = client.data(CLIENTS, {"includeInactive": True, "first": 2, "after": cursor},
                         token=owner.token)
    last = client.data(CLIENTS, {"includeInactive": True, "first": 2,
                                 "after": second["clients"]["pageInfo"]["endCursor"]},
                       token=owner.token)

    # then pages follow on, with the total and where they are
    def lasts(page: dict) -> list[str]:  # type: ignore[type-arg]
        return [e["node"]["lastName"][0] for e in page["clients"]["edges"]]

    assert (lasts(first), lasts(second), lasts(last)) == (["A", "B"], ["C", "D"], ["E"])
    assert first["clients"]["totalCount"] == 5
    assert first["clients"]["pageInfo"]["hasNextPage"] is True
    assert second["clients"]["pageInfo"]["hasPreviousPage"] is True
    assert last["clients"]["pageInfo"]["hasNextPage"] is False


def test_a_page_of_clients_costs_the_same_sql_whatever_its_size(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given clients with relationships, payers (some third-party) and a card on file
    pat = add_practitioner(client, owner)
    payer_id, _, payer_token = signed_in_client(client, owner, mailbox)
    client.data('mutation { addPaymentMethod(input: {token: "tok_visa"}) { client { id } } }',
                token=payer_token)
    for index in range(12):
        made = create_client(client, owner, f"C{index}", f"Person{index:02}")
        staff = pat if index % 2 else owner
        extra = {"payerId": payer_id} if index % 3 == 0 else {}
        create_relationship(client, staff, [made["id"]], **extra)

    # when the dashboard reads a page of 2 and a page of 12 (the payer, "Signed", on neither)
    small = client.execute(DASHBOARD, {"first": 2}, token=owner.token)
    large = client.execute(DASHBOARD, {"first": 12}, token=owner.token)

    # then both answer in the same few statements: one batch per loader, whatever the size
    assert len(large.data["clients"]["edges"]) == 12
    assert large.data["clients"]["edges"][0]["node"]["relationships"][0]["payer"][
        "paymentMethod"] == {"brand": "visa", "last4": "4242"}
    assert small.sql_statements == large.sql_statements
    # the page and five loader batches, few queries each, and the token's version check
    assert large.sql_statements <= 16


# ------------------------------------------------------------------ who sees whom


def test_a_signed_in_client_sees_only_themselves(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a signed-in client and another client of the practice
    me, _, token = signed_in_client(client, owner, mailbox)
    other = create_client(client, owner, "Someone", "Else")
    create_relationship(client, owner, [me])

    # then the list holds only them, another client's id is NOT_FOUND, their own is editable
    assert client.data(CLIENTS, {"includeInactive": True}, token=token)["clients"]["edges"] == [
        {"cursor": client.data(CLIENTS, {}, token=token)["clients"]["edges"][0]["cursor"],
         "node": {"id": me, "firstName": "Casey", "lastName": "Signed", "isActive": True}}]
    assert client.data(NODE, {"id": other["id"]}, token=token)["node"] is None
    refused = client.data(UPDATE, {"input": {"clientId": other["id"], "profile": {
        "firstName": "X"}}}, token=token)["updateClient"]
    assert error_pairs(refused) == [(["input", "clientId"], "NOT_FOUND")]
    mine = client.data(UPDATE, {"input": {"clientId": me, "profile": {"phone": "+447911123457"}}},
                       token=token)["updateClient"]
    assert mine["client"]["phone"] == "+447911123457"


def test_clients_may_not_create_clients(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    _, _, token = signed_in_client(client, owner, mailbox)
    payload = client.data(CREATE_CLIENT, {"input": {"firstName": "A", "lastName": "B"}},
                          token=token)["createClient"]
    assert payload["userErrors"] == [{"field": None, "code": "NOT_PERMITTED",
                                      "message": "Only the practice's staff may do this."}]


def test_an_expired_staff_token_cannot_list_clients(
    client: GraphQLClient, owner: Staff, clock, server  # type: ignore[no-untyped-def]
) -> None:
    clock.advance(server.runtime.settings.token_ttl + timedelta(seconds=1))
    assert client.execute(CLIENTS, {}, token=owner.token).error_codes == ["UNAUTHENTICATED"]
