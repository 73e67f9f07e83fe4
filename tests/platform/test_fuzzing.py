"""No request the schema allows can crash, stall or half-change anything: documents generated
from the served schema for every root field, sent as an owner, a signed-in client and a
publishable key, and hand-written hostile values beside them. Each answer must be no 5xx,
no INTERNAL_SERVER_ERROR, within the time budget, and a request answered with errors must
leave the practice's rows exactly as they were.

The seed is printed (and named in any failure); CASELOAD_FUZZ_SEED=<seed> replays a run,
CASELOAD_FUZZ=long runs many more examples (README, Tests)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis_graphql import from_schema

from caseload.settings import Settings
from schema.build import create_schema
from schema.widgets.fields import WIDGET_ROOT_FIELDS
from tests.support.appointments import booked, next_monday
from tests.support.clients import create_relationship
from tests.support.clock import TestClock
from tests.support.fuzzing import (
    EXAMPLES_PER_FIELD,
    SEED,
    Caller,
    Checker,
    Fingerprints,
    id_names,
    id_pool,
    scalar_strategies,
)
from tests.support.graphql import GraphQLClient, Staff, add_practitioner
from tests.support.group_sessions import enrolled, payer, studio
from tests.support.mailbox import Mailbox
from tests.support.packages import sold
from tests.support.server import RunningServer, start_server
from tests.support.widgets import ORIGIN, create_key

SCHEMA = create_schema()
QUERY_FIELDS = tuple(sorted(SCHEMA._schema.query_type.fields))  # type: ignore[union-attr]
MUTATION_FIELDS = tuple(sorted(SCHEMA._schema.mutation_type.fields))  # type: ignore[union-attr]
# signOutEverywhere takes no input, so it always succeeds, and ends the very tokens the
# callers fuzz with (tests/accounts/test_recovery.py covers it).
ROOT_FIELDS = tuple(f for f in QUERY_FIELDS + MUTATION_FIELDS if f != "signOutEverywhere")


@dataclass
class World:
    owner: Staff
    callers: dict[str, Caller]
    ids: list[str]
    checker: Checker
    fuzz_server: RunningServer


@pytest.fixture(scope="module")
def world(
    server: RunningServer, test_env: dict[str, str], mailbox_server: tuple[str, Mailbox]
) -> Iterator[World]:
    """One practice with something of each kind, and a server of its own (same database)
    whose budgets let a fuzzer through."""
    main = GraphQLClient(server.base_url, mailbox_server[1])
    place = studio(main, sessionPrice="80.00")
    owner = place.owner
    practitioner = add_practitioner(main, owner)
    maya = payer(main, owner, mailbox_server[1])
    relationship = create_relationship(main, owner, [maya.client_id])["id"]
    appointment = booked(main, owner.token, relationshipId=relationship,
                         startsAt=next_monday(server.clock()).replace(hour=10))["id"]
    subscription = enrolled(main, owner, clientId=maya.client_id, sessionId=place.tuesday,
                            firstDate="2027-06-01")["subscription"]["id"]
    package = sold(main, owner, maya.client_id)["id"]
    key = create_key(main, owner)
    ids = [owner.practice_id, owner.practitioner_id, practitioner.practitioner_id,
           maya.client_id, relationship, appointment, subscription, package, key.id,
           place.yoga_service, place.pilates_service, place.tuesday, place.thursday]
    env = {**test_env, "RATE_LIMIT_SIGNED_IN": "1000000/60",
           "RATE_LIMIT_PUBLISHABLE_KEY": "1000000/60",
           "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-fuzz"}
    fuzz_server = start_server(Settings.from_env(env), TestClock(), jobs=False)
    fingerprints = Fingerprints(test_env["DATABASE_URL"], owner.practice_id)
    checker = Checker(GraphQLClient(fuzz_server.base_url), fingerprints,
                      fuzz_server.runtime.settings.request_timeout_seconds)
    callers = {
        "owner": Caller("owner", owner.token, fields=ROOT_FIELDS),
        "client": Caller("client", maya.token, fields=ROOT_FIELDS),
        "publishable key": Caller("publishable key", headers={
            "X-Caseload-Key": key.text, "Origin": ORIGIN},
            fields=tuple(sorted(WIDGET_ROOT_FIELDS))),
    }
    print(f"\nfuzz seed {SEED}: replay with CASELOAD_FUZZ_SEED={SEED}")
    yield World(owner, callers, ids, checker, fuzz_server)
    print(f"\nfuzz seed {SEED}: {checker.summary()}")
    fingerprints.close()
    fuzz_server.stop()
    main.http.close()


def _fuzz_field(world: World, caller: Caller, root_field: str) -> None:
    schema = SCHEMA._schema
    root = (schema.query_type.fields.get(root_field)  # type: ignore[union-attr]
            or schema.mutation_type.fields[root_field])  # type: ignore[union-attr]
    ids = id_pool(id_names(schema, root), world.ids)
    strategy = from_schema(
        schema, fields=[root_field],
        custom_scalars=scalar_strategies(ids, world.fuzz_server.clock()),
    )

    @seed(SEED)
    @settings(max_examples=EXAMPLES_PER_FIELD, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(document=strategy)
    def run(document: str) -> None:
        world.checker.send(caller, root_field, document)

    run()


# The server runs in this process, and its threads use `random` while Hypothesis generates.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module")
@pytest.mark.parametrize("caller_name", ["publishable key", "client", "owner"])
def test_generated_documents_never_crash_stall_or_half_change(
    world: World, caller_name: str
) -> None:
    # given a caller and every root field it may reach
    caller = world.callers[caller_name]
    before = len(world.checker.findings)
    # when documents generated from the served schema are sent for each of them
    for root_field in caller.fields:
        _fuzz_field(world, caller, root_field)
    # then none crashed, stalled, or changed anything while answering with errors
    findings = world.checker.findings[before:]
    assert not findings, (
        f"seed {SEED} (CASELOAD_FUZZ_SEED={SEED} replays it): {len(findings)} findings\n\n"
        + "\n\n".join(str(f) for f in findings[:8])
    )


# ------------------------------------------------------------------ hand-written hostile values

ERRORS = "userErrors { field code message }"
CREATE_GROUP_SESSION = f"""
mutation Create($input: CreateGroupSessionInput!) {{
  createGroupSession(input: $input) {{ session {{ id }} {ERRORS} }}
}}
"""
SET_PRICE = f"""
mutation Price($input: SetSessionPriceInput!) {{
  setSessionPrice(input: $input) {{ practitioner {{ id sessionPrice {{ amount }} }} {ERRORS} }}
}}
"""
CREATE_PACKAGE = f"""
mutation Sell($input: CreatePackageInput!) {{
  createPackage(input: $input) {{ package {{ id }} {ERRORS} }}
}}
"""
CREATE_CLIENT = f"""
mutation Create($input: CreateClientInput!) {{
  createClient(input: $input) {{ client {{ id firstName }} {ERRORS} }}
}}
"""
UPDATE_CLIENT = f"""
mutation Update($input: UpdateClientInput!) {{
  updateClient(input: $input) {{ client {{ id }} {ERRORS} }}
}}
"""
REGISTER = f"""
mutation Register($input: RegisterPracticeInput!) {{
  registerPractice(input: $input) {{ accessToken {ERRORS} }}
}}
"""
RESCHEDULE = f"""
mutation Move($input: RescheduleSessionInput!) {{
  rescheduleSession(input: $input) {{ session {{ id startsAt }} {ERRORS} }}
}}
"""
BOOK = f"""
mutation Book($input: BookSessionInput!) {{
  bookSession(input: $input) {{ session {{ id }} {ERRORS} }}
}}
"""
AVAILABILITY = """
query Free($id: ID!, $from: DateTime!, $to: DateTime!, $minutes: Int!) {
  availability(practitionerId: $id, from: $from, to: $to, durationMinutes: $minutes) {
    startsAt
  }
}
"""
CLIENTS_PAGE = "query Page($first: Int) { clients(first: $first) { totalCount } }"
UPCOMING = """
query Dates($id: ID!, $first: Int!) {
  node(id: $id) { ... on GroupSession { upcomingDates(first: $first) } }
}
"""

LITERAL_MINUTES = """
query Free($id: ID!) {
  availability(practitionerId: $id, from: "2027-01-04T00:00:00Z", to: "2027-01-05T00:00:00Z",
               durationMinutes: 99999999999) { startsAt }
}
"""

BAD_DECIMALS = ["1e999999999", "1e309", "NaN", "Infinity", "-0", "0.001", "1" * 60]
BAD_INSTANTS = ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "2026-03-01T10:00:00"]
BAD_DATES = ["0001-01-01", "9999-12-31"]
HUGE_TEXT = "x" * 100_000


def _refusal(answer: dict[str, Any], root_field: str) -> list[Any]:
    """The refusal an answer carries: top-level codes, else the payload's (field, code)s."""
    if answer.get("errors"):
        return [e["extensions"]["code"] for e in answer["errors"]]
    return [(e["field"], e["code"]) for e in answer["data"][root_field]["userErrors"]]


def _send(world: World, root_field: str, document: str, variables: dict[str, Any],
          caller: str = "owner") -> dict[str, Any]:
    answer = world.checker.send(world.callers[caller], root_field, document, variables)
    assert isinstance(answer, dict), answer
    return answer


def _group_session(world: World, **values: Any) -> dict[str, Any]:
    service = world.ids[9]
    return {"input": {"serviceId": service, "name": "Evening", "weekday": "MONDAY",
                      "startTime": "19:00", "durationMinutes": 60, "capacity": 8,
                      "monthlyPrice": "60.00", "startsOn": "2027-06-07", **values}}


def _assert_clean(world: World, before: int) -> None:
    findings = world.checker.findings[before:]
    assert not findings, "\n\n".join(str(f) for f in findings)


@pytest.mark.parametrize("decimal", BAD_DECIMALS)
def test_hostile_decimals_are_refused_where_they_are_parsed(world: World, decimal: str) -> None:
    # given the attack and its kin, as a price wherever money is typed
    before = len(world.checker.findings)
    # when each is sent as a group session's monthly price, a session price and a package's
    answers = [
        ("createGroupSession", _send(world, "createGroupSession", CREATE_GROUP_SESSION,
                                     _group_session(world, monthlyPrice=decimal))),
        ("setSessionPrice", _send(world, "setSessionPrice", SET_PRICE,
                                  {"input": {"price": decimal}})),
        ("createPackage", _send(world, "createPackage", CREATE_PACKAGE, {"input": {
            "clientId": world.ids[3], "name": "Five", "sessions": 5, "price": decimal,
            "checkout": "PAY_LATER"}})),
    ]
    # then each is refused as the caller's error, fast, and nothing was written
    for root_field, answer in answers:
        refusal = _refusal(answer, root_field)
        assert refusal in (["BAD_USER_INPUT"], [(["input", "price"], "INVALID")],
                           [(["input", "monthlyPrice"], "INVALID")]), (root_field, answer)
    _assert_clean(world, before)
    assert world.checker.slowest < 1.0


def test_a_billion_digit_price_answers_in_milliseconds_and_the_server_keeps_serving(
    world: World
) -> None:
    # given the request that used to hold the event loop for twenty seconds and more
    http = world.checker.http.http
    started = time.monotonic()
    # when it is sent
    answer = _send(world, "createGroupSession", CREATE_GROUP_SESSION,
                   _group_session(world, monthlyPrice="1e999999999"))
    elapsed = time.monotonic() - started
    # then it is refused at once, as the caller's error naming where, and /healthz answers
    assert _refusal(answer, "createGroupSession") == ["BAD_USER_INPUT"]
    assert "1e999999999" in answer["errors"][0]["message"]
    assert answer["errors"][0]["locations"]
    assert elapsed < 0.5
    assert http.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("instant", BAD_INSTANTS)
def test_instants_out_of_range_or_without_offset_are_the_callers_error(
    world: World, instant: str
) -> None:
    before = len(world.checker.findings)
    # when an instant of year 1, of 9999 or without an offset is where a time is asked for
    answers = [
        ("availability", _send(world, "availability", AVAILABILITY, {
            "id": world.ids[1], "from": instant, "to": "2026-01-02T00:00:00Z", "minutes": 50})),
        ("rescheduleSession", _send(world, "rescheduleSession", RESCHEDULE, {
            "input": {"sessionId": world.ids[5], "startsAt": instant}})),
        ("bookSession", _send(world, "bookSession", BOOK, {
            "input": {"relationshipId": world.ids[4], "startsAt": instant}})),
    ]
    # then each answers BAD_USER_INPUT (never an overflow deep in the domain)
    for root_field, answer in answers:
        assert _refusal(answer, root_field) == ["BAD_USER_INPUT"], (root_field, answer)
    _assert_clean(world, before)


@pytest.mark.parametrize("day", BAD_DATES)
def test_dates_out_of_range_are_the_callers_error(world: World, day: str) -> None:
    before = len(world.checker.findings)
    answers = [
        ("createGroupSession", _send(world, "createGroupSession", CREATE_GROUP_SESSION,
                                     _group_session(world, startsOn=day))),
        ("createClient", _send(world, "createClient", CREATE_CLIENT, {
            "input": {"firstName": "Old", "lastName": "Date", "dateOfBirth": day}})),
    ]
    for root_field, answer in answers:
        assert _refusal(answer, root_field) == ["BAD_USER_INPUT"], (root_field, answer)
    _assert_clean(world, before)


@pytest.mark.parametrize(("value", "expected"), [
    (HUGE_TEXT, ["BAD_USER_INPUT"]),
    ("Ro\x00bin", ["BAD_USER_INPUT"]),
    ("x" * 201, [(["input", "firstName"], "INVALID")]),
])
def test_hostile_strings_are_refused_before_any_query(
    world: World, value: str, expected: list[Any]
) -> None:
    before = len(world.checker.findings)
    answer = _send(world, "createClient", CREATE_CLIENT,
                   {"input": {"firstName": value, "lastName": "Client"}})
    assert _refusal(answer, "createClient") == expected, answer
    _assert_clean(world, before)


def test_a_lone_surrogate_sent_as_a_json_escape_is_refused(world: World) -> None:
    before = len(world.checker.findings)
    # given a body whose JSON escapes decode to half a character
    raw = ('{"query": ' + json.dumps(CREATE_CLIENT) + ', "variables": {"input": '
           '{"firstName": "Ro\\ud800bin", "lastName": "Client"}}}').encode()
    # when it is sent
    answer = world.checker.send(world.callers["owner"], "createClient", CREATE_CLIENT, raw=raw)
    # then it is the caller's error, named by its path, and nothing was created
    assert answer["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT", "field": ["input", "firstName"]}
    _assert_clean(world, before)


@pytest.mark.parametrize("field", ["firstName", "lastName", "email", "phone"])
def test_strings_longer_than_their_columns_are_userErrors_on_their_field(
    world: World, field: str
) -> None:
    # given a value under the request's bound but longer than any such column holds
    before = len(world.checker.findings)
    value = ("a" * 400 + "@example.com") if field == "email" else "1" * 400
    profile = {"firstName": "Long", "lastName": "Values", field: value}
    # when a client is created with it and the world's client is updated with it
    created = _send(world, "createClient", CREATE_CLIENT, {"input": profile})
    updated = _send(world, "updateClient", UPDATE_CLIENT, {
        "input": {"clientId": world.ids[3], "profile": {field: value}}})
    # then both are refused on that field and change nothing
    assert [f for f, _ in _refusal(created, "createClient")] == [["input", field]]
    assert [f for f, _ in _refusal(updated, "updateClient")] == [["input", "profile", field]]
    _assert_clean(world, before)


def test_an_rtl_override_is_kept_as_typed_and_crashes_nothing(world: World) -> None:
    before = len(world.checker.findings)
    answer = _send(world, "createClient", CREATE_CLIENT,
                   {"input": {"firstName": "\u202eevil.exe", "lastName": "Client"}})
    assert answer["data"]["createClient"]["client"]["firstName"] == "\u202eevil.exe"
    _assert_clean(world, before)


@pytest.mark.parametrize(("timezone", "currency", "refused_on"), [
    ("../../etc/passwd", "GBP", ["input", "timezone"]),
    ("Europe/London", "G\u202eBP", ["input", "currency"]),
])
def test_hostile_timezones_and_currencies_are_userErrors(
    world: World, timezone: str, currency: str, refused_on: list[str]
) -> None:
    before = len(world.checker.findings)
    answer = _send(world, "registerPractice", REGISTER, {"input": {
        "practiceName": "Hostile", "name": "Hal", "email": "hal@example.com",
        "password": "correct horse battery", "timezone": timezone, "currency": currency}})
    assert _refusal(answer, "registerPractice") == [(refused_on, "INVALID")]
    _assert_clean(world, before)


def test_currency_xxx_crashes_nothing(world: World) -> None:
    # whether "no currency" is a practice's currency is the currency rules' to say; it must
    # answer as either a practice or a userError, never a crash
    before = len(world.checker.findings)
    answer = _send(world, "registerPractice", REGISTER, {"input": {
        "practiceName": "No money", "name": "Xavier", "email": f"x-{SEED}@example.com",
        "password": "correct horse battery", "timezone": "UTC", "currency": "XXX"}})
    assert "errors" not in answer
    _assert_clean(world, before)


@pytest.mark.parametrize("minutes", [2**31 - 1, -(2**31), 0])
def test_huge_and_negative_integers_are_refused(world: World, minutes: int) -> None:
    before = len(world.checker.findings)
    answers = [
        ("availability", _send(world, "availability", AVAILABILITY, {
            "id": world.ids[1], "from": "2027-01-04T00:00:00Z", "to": "2027-01-05T00:00:00Z",
            "minutes": minutes})),
        ("bookSession", _send(world, "bookSession", BOOK, {"input": {
            "relationshipId": world.ids[4], "startsAt": "2027-01-04T10:00:00Z",
            "durationMinutes": minutes}})),
        ("createGroupSession", _send(world, "createGroupSession", CREATE_GROUP_SESSION,
                                     _group_session(world, durationMinutes=minutes,
                                                    capacity=minutes))),
    ]
    for root_field, answer in answers:
        assert _refusal(answer, root_field), (root_field, answer)
    _assert_clean(world, before)


@pytest.mark.parametrize(("first", "page_refused"), [(2**31 - 1, True), (-1, True), (0, False)])
def test_page_sizes_are_bounded(world: World, first: int, page_refused: bool) -> None:
    before = len(world.checker.findings)
    # when a page or a list of dates is asked for with a huge, a negative or no length
    page = _send(world, "clients", CLIENTS_PAGE, {"first": first})
    dates = _send(world, "node", UPCOMING, {"id": world.ids[11], "first": first})
    # then a page beyond 0 to 100 is the caller's error, and a list of dates stays bounded
    codes = [e["extensions"]["code"] for e in page.get("errors") or []]
    assert codes == (["BAD_USER_INPUT"] if page_refused else [])
    listed = dates["data"]["node"]["upcomingDates"]
    assert (0 < len(listed) <= 100) if first > 0 else listed == []
    _assert_clean(world, before)


def test_integers_beyond_32_bits_are_the_callers_error(world: World) -> None:
    answer = _send(world, "clients", CLIENTS_PAGE, {"first": 2**31})
    assert _refusal(answer, "clients") == ["BAD_USER_INPUT"]
    literal = _send(world, "availability", LITERAL_MINUTES, {"id": world.ids[1]})
    assert _refusal(literal, "availability") == ["BAD_USER_INPUT"]
    assert literal["errors"][0]["locations"] == [{"line": 4, "column": 33}]
