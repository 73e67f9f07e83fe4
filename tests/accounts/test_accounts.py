"""Sign-up, sign-in, practitioners and working hours, through the API."""

from __future__ import annotations

from datetime import timedelta

from resolvers.shared.auth import TokenRefusal
from tests.support.graphql import (
    ADD_PRACTITIONER,
    PASSWORD,
    REGISTER,
    SIGN_IN,
    GraphQLClient,
    Staff,
    add_practitioner,
    register_practice,
    unique_email,
    verified_registration,
)
from tests.support.mailbox import Mailbox

VIEWER = """
query {
  viewer {
    role
    practice { id name timezone currency cancellationNoticeHours practitioners { name } }
    practitioner { id name email timezone workingHours { weekday start end } }
  }
}
"""

SET_HOURS = """
mutation Hours($input: SetWorkingHoursInput!) {
  setWorkingHours(input: $input) {
    practitioner { workingHours { weekday start end } }
    userErrors { field code message }
  }
}
"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def registration(**overrides: str) -> dict[str, object]:
    return {"input": {"practiceName": "Harbour Counselling", "name": "Mo Owner",
                      "email": unique_email("mo"), "password": PASSWORD,
                      "timezone": "America/New_York", "currency": "USD", **overrides}}


def test_register_practice_makes_the_owner_its_first_practitioner(client: GraphQLClient) -> None:
    # given a new practice's details
    variables = registration()

    # when it registers and follows the emailed link
    payload = verified_registration(client, variables["input"])  # type: ignore[arg-type]

    # then the owner is signed in as OWNER and works 9 to 5 on weekdays in the practice timezone
    viewer = client.data(VIEWER, token=payload["accessToken"])["viewer"]
    assert viewer["role"] == "OWNER"
    assert viewer["practice"]["name"] == "Harbour Counselling"
    assert viewer["practice"]["timezone"] == "America/New_York"
    assert viewer["practice"]["currency"] == "USD"
    assert viewer["practice"]["cancellationNoticeHours"] == 48
    assert viewer["practice"]["practitioners"] == [{"name": "Mo Owner"}]
    assert viewer["practitioner"]["timezone"] == "America/New_York"
    assert viewer["practitioner"]["workingHours"] == [
        {"weekday": day, "start": "09:00", "end": "17:00"} for day in WEEKDAYS
    ]


def test_register_practice_emails_the_owner_a_welcome_once_verified(
    client: GraphQLClient, mailbox: Mailbox
) -> None:
    # given a new owner's address
    variables = registration()
    email = variables["input"]["email"]  # type: ignore[index]

    # when the practice registers and the owner follows the link
    verified_registration(client, variables["input"])  # type: ignore[arg-type]

    # then, after the link, one welcome email arrives, with a text and an HTML part
    link, welcome = mailbox.wait_for(email, count=2)
    assert link.subject == "Confirm your email to open Harbour Counselling on Caseload"
    assert welcome.subject == "Welcome to Caseload, Mo Owner"
    assert "Harbour Counselling is set up on Caseload" in welcome.text
    assert "<strong>Harbour Counselling</strong>" in welcome.html


def test_register_practice_defaults_the_currency_to_gbp(client: GraphQLClient) -> None:
    variables = registration()
    del variables["input"]["currency"]  # type: ignore[attr-defined]
    payload = verified_registration(client, variables["input"])  # type: ignore[arg-type]
    assert payload["viewer"]["practice"]["currency"] == "GBP"


def test_bad_registration_reports_every_field_and_creates_nothing(
    client: GraphQLClient, server, mailbox: Mailbox  # type: ignore[no-untyped-def]
) -> None:
    # given input wrong in four places
    email = unique_email("bad")
    variables = registration(email=f"{email}@@", password="short", timezone="Mars/Olympus",
                             currency="XYZ", practiceName="   ")

    # when it registers
    payload = client.data(REGISTER, variables)["registerPractice"]

    # then each problem is named with its path and code, and no token is issued
    assert payload["accessToken"] is None
    assert payload["viewer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "practiceName"], "INVALID"),
        (["input", "email"], "INVALID"),
        (["input", "password"], "INVALID"),
        (["input", "timezone"], "INVALID"),
        (["input", "currency"], "INVALID"),
    ]
    assert all(e["message"] for e in payload["userErrors"])
    # and nothing was created: no email was sent
    server.drain()
    assert mailbox.to(f"{email}@@") == []


def test_weak_password_is_refused_and_no_account_exists(client: GraphQLClient) -> None:
    variables = registration(password="aaaaaaaaaaaa")
    payload = client.data(REGISTER, variables)["registerPractice"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "password"], "INVALID")
    ]
    email = variables["input"]["email"]  # type: ignore[index]
    sign_in = client.data(SIGN_IN, {"input": {"email": email, "password": "aaaaaaaaaaaa"}})
    assert sign_in["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


def test_sign_in_answers_alike_for_unknown_email_and_wrong_password(
    client: GraphQLClient, owner: Staff
) -> None:
    unknown = client.data(SIGN_IN, {"input": {"email": unique_email(), "password": PASSWORD}})
    wrong = client.data(SIGN_IN, {"input": {"email": owner.email, "password": "not it at all"}})
    malformed = client.data(SIGN_IN, {"input": {"email": "nobody", "password": PASSWORD}})
    expected = {"accessToken": None, "viewer": None, "userErrors": [
        {"field": None, "code": "INVALID_CREDENTIALS", "message": "Wrong email or password."}
    ]}
    assert unknown["signIn"] == wrong["signIn"] == malformed["signIn"] == expected


def test_sign_in_gives_a_token_that_reads_the_viewer(
    client: GraphQLClient, owner: Staff
) -> None:
    signed_in = client.data(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}})
    assert signed_in["signIn"]["viewer"] == {"role": "OWNER"}
    viewer = client.data(VIEWER, token=signed_in["signIn"]["accessToken"])["viewer"]
    assert viewer["practitioner"]["id"] == owner.practitioner_id


def test_anything_but_sign_up_and_sign_in_needs_a_token(client: GraphQLClient) -> None:
    response = client.execute(VIEWER)
    assert response.body["data"] is None
    assert response.error_codes == ["UNAUTHENTICATED"]
    forged = client.execute(VIEWER, token="eyJhbGciOiJIUzI1NiJ9.e30.forged")
    assert forged.error_codes == ["UNAUTHENTICATED"]
    mixed = client.execute("mutation { signIn(input: {email: \"a@b.co\", password: \"x\"}) "
                           "{ accessToken } addPractitioner(input: {name: \"x\", email: "
                           "\"x@y.co\", password: \"xxxxxxxxxxxx\"}) { userErrors { code } } }")
    assert mixed.error_codes == ["UNAUTHENTICATED"]


def test_an_expired_token_is_refused(  # type: ignore[no-untyped-def]
    client: GraphQLClient, owner: Staff, clock, server
) -> None:
    # given a token issued now
    # when its lifetime has passed
    clock.advance(server.runtime.settings.token_ttl + timedelta(seconds=1))

    # then it no longer signs anyone in
    assert client.execute(VIEWER, token=owner.token).error_codes == ["UNAUTHENTICATED"]


VIEWER_PRACTICE_ONLY = """
query {
  viewer { role practice { id name practitioners { name } } }
}
"""


def test_the_viewers_practitioner_costs_no_statement_beside_the_practices_staff(
    client: GraphQLClient, owner: Staff
) -> None:
    # given the practice's staff, asked for alone
    alone = client.execute(VIEWER_PRACTICE_ONLY, token=owner.token)
    assert alone.errors == []
    # when the viewer's own practitioner is asked for beside them
    both = client.execute(VIEWER, token=owner.token)
    # then it is the owner, read with the staff: no statement more
    assert both.errors == []
    assert both.body["data"]["viewer"]["practitioner"]["id"] == owner.practitioner_id
    assert both.sql_statements == alone.sql_statements


def test_a_token_that_signed_in_is_refused_once_its_lifetime_passes(  # type: ignore[no-untyped-def]
    client: GraphQLClient, owner: Staff, clock, server
) -> None:
    # given a token that has just signed its owner in (so the server has verified it once)
    assert client.execute(VIEWER, token=owner.token).error_codes == []

    # when its lifetime has passed
    clock.advance(server.runtime.settings.token_ttl + timedelta(seconds=1))

    # then it no longer signs anyone in, and says why
    refused = client.execute(VIEWER, token=owner.token)
    assert refused.error_codes == ["UNAUTHENTICATED"]
    assert refused.body["errors"][0]["message"] == TokenRefusal.EXPIRED.value


def test_the_owner_adds_a_practitioner_who_can_sign_in(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # when the owner adds a practitioner without a timezone
    email = unique_email("new")
    payload = client.data(ADD_PRACTITIONER, {"input": {
        "name": "Noor Therapist", "email": email, "password": PASSWORD}}, token=owner.token)

    # then they take the practice's timezone, can sign in, and are emailed
    practitioner = payload["addPractitioner"]["practitioner"]
    assert payload["addPractitioner"]["userErrors"] == []
    assert practitioner["timezone"] == "Europe/London"
    signed_in = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    viewer = client.data(VIEWER, token=signed_in["signIn"]["accessToken"])["viewer"]
    assert viewer["role"] == "PRACTITIONER"
    assert viewer["practitioner"]["id"] == practitioner["id"]
    [email_sent] = mailbox.wait_for(email)
    assert "has added you as a practitioner" in email_sent.text


def test_only_the_owner_adds_practitioners(client: GraphQLClient, owner: Staff) -> None:
    # given a practitioner of the practice
    colleague = add_practitioner(client, owner)
    email = unique_email("sneaky")

    # when they try to add another
    payload = client.data(ADD_PRACTITIONER, {"input": {
        "name": "Sneaky", "email": email, "password": PASSWORD}}, token=colleague.token)

    # then NOT_PERMITTED and no account exists
    assert payload["addPractitioner"] == {"practitioner": None, "userErrors": [{
        "field": None, "code": "NOT_PERMITTED",
        "message": "Only the practice's owner may do this.",
    }]}
    refused = client.data(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    assert refused["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


def test_add_practitioner_refuses_bad_input_and_taken_email(
    client: GraphQLClient, owner: Staff
) -> None:
    bad = client.data(ADD_PRACTITIONER, {"input": {
        "name": "", "email": "nope", "password": "x", "timezone": "Nowhere"}}, token=owner.token)
    assert [(e["field"], e["code"]) for e in bad["addPractitioner"]["userErrors"]] == [
        (["input", "name"], "INVALID"), (["input", "email"], "INVALID"),
        (["input", "password"], "INVALID"), (["input", "timezone"], "INVALID"),
    ]
    taken = client.data(ADD_PRACTITIONER, {"input": {
        "name": "Twin", "email": owner.email, "password": PASSWORD}}, token=owner.token)
    assert [(e["field"], e["code"]) for e in taken["addPractitioner"]["userErrors"]] == [
        (["input", "email"], "EMAIL_TAKEN")
    ]


def test_set_working_hours_replaces_the_week(client: GraphQLClient, owner: Staff) -> None:
    hours = [{"weekday": "SATURDAY", "start": "10:00", "end": "14:00"},
             {"weekday": "MONDAY", "start": "13:00", "end": "18:30"},
             {"weekday": "MONDAY", "start": "08:00", "end": "12:00"}]
    payload = client.data(SET_HOURS, {"input": {"hours": hours}}, token=owner.token)
    assert payload["setWorkingHours"]["userErrors"] == []
    assert payload["setWorkingHours"]["practitioner"]["workingHours"] == [
        {"weekday": "MONDAY", "start": "08:00", "end": "12:00"},
        {"weekday": "MONDAY", "start": "13:00", "end": "18:30"},
        {"weekday": "SATURDAY", "start": "10:00", "end": "14:00"},
    ]


def test_bad_working_hours_change_nothing(client: GraphQLClient, owner: Staff) -> None:
    # given hours with a malformed time, an end before its start, and an overlap
    hours = [{"weekday": "MONDAY", "start": "9am", "end": "17:00"},
             {"weekday": "TUESDAY", "start": "17:00", "end": "09:00"},
             {"weekday": "FRIDAY", "start": "09:00", "end": "13:00"},
             {"weekday": "FRIDAY", "start": "12:00", "end": "15:00"}]

    # when they are set
    payload = client.data(SET_HOURS, {"input": {"hours": hours}}, token=owner.token)

    # then each problem is named and the week is as it was
    assert [(e["field"], e["code"]) for e in payload["setWorkingHours"]["userErrors"]] == [
        (["input", "hours", "0", "start"], "INVALID"),
        (["input", "hours", "1", "end"], "INVALID"),
        (["input", "hours"], "INVALID"),
    ]
    viewer = client.data(VIEWER, token=owner.token)["viewer"]
    assert [h["weekday"] for h in viewer["practitioner"]["workingHours"]] == WEEKDAYS


def test_concurrent_sign_ups_all_succeed(client: GraphQLClient) -> None:
    """Writers queue for the database instead of failing (SQLite: BEGIN IMMEDIATE)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=10) as pool:
        staff = list(pool.map(lambda _: register_practice(client), range(10)))
    assert len({s.practice_id for s in staff}) == 10
