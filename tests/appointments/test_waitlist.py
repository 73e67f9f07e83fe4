"""The waitlist: a freed time (or group place) is offered to the first in line by email with a
claim link that holds it; unclaimed, the sweep passes it to the next; claiming books under the
usual rules, and two claims of one offer never both book."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from tests.support.appointments import (
    ERRORS,
    Scene,
    add_card,
    book,
    booked,
    cancel,
    iso,
    paying_client_scene,
    read_appointment,
    relationship_of,
    remove_card,
    reschedule,
)
from tests.support.clients import create_relationship, signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import GraphQLClient
from tests.support.group_sessions import (
    create_service,
    enroll,
    enrolled,
    new_group_session,
    transfer,
)
from tests.support.jobs import sweep
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

H = timedelta(hours=1)
ENTRY = """id kind status from to firstDate client { id } practitioner { id }
  offer { startsAt endsAt expiresAt session { id status awaitingConfirmationUntil } }"""

JOIN = f"""
mutation Join($input: JoinWaitlistInput!) {{
  joinWaitlist(input: $input) {{ entry {{ {ENTRY} }} {ERRORS} }}
}}
"""
JOIN_GROUP = f"""
mutation JoinGroup($input: JoinGroupWaitlistInput!) {{
  joinGroupWaitlist(input: $input) {{ entry {{ {ENTRY} }} {ERRORS} }}
}}
"""
LEAVE = f"""
mutation Leave($input: LeaveWaitlistInput!) {{
  leaveWaitlist(input: $input) {{ entry {{ id status }} {ERRORS} }}
}}
"""
CLAIM = f"""
mutation Claim($input: ClaimWaitlistOfferInput!) {{
  claimWaitlistOffer(input: $input) {{
    session {{ id status startsAt awaitingConfirmationUntil relationship {{ id }}
      cancellationPolicy {{ tiers {{ withinHours percent }} }} }}
    subscription {{ id startDate status invoices {{ status }} }}
    {ERRORS}
  }}
}}
"""
MINE = f"{{ myWaitlistEntries {{ {ENTRY} }} }}"
ENTRY_NODE = f"query E($id: ID!) {{ node(id: $id) {{ ... on WaitlistEntry {{ {ENTRY} }} }} }}"
CLAIM_LINK = "http://127.0.0.1:8000/waitlist/claim?token="


@dataclass
class Waiting:
    """A client with a card and a relationship with the scene's practitioner."""

    client_id: str
    email: str
    token: str
    relationship_id: str


@pytest.fixture
def scene(monday: datetime, client: GraphQLClient, mailbox: Mailbox) -> Scene:
    return paying_client_scene(client, mailbox)


@pytest.fixture
def ten(monday: datetime) -> datetime:
    return monday + timedelta(hours=4)


@pytest.fixture
def taken(client: GraphQLClient, scene: Scene, ten: datetime) -> dict[str, Any]:
    """The scene's client's session at ten: the time the others wait for."""
    return booked(client, scene.owner.token, relationshipId=relationship_of(client, scene),
                  startsAt=ten)


def waiting_client(client: GraphQLClient, scene: Scene, mailbox: Mailbox) -> Waiting:
    client_id, email, token = signed_in_client(client, scene.owner, mailbox)
    add_card(client, token)
    relationship = create_relationship(client, scene.owner, [client_id])["id"]
    return Waiting(client_id, email, token, str(relationship))


def join(client: GraphQLClient, token: str, relationship_id: str, start: datetime,
         end: datetime) -> Any:
    values = {"relationshipId": relationship_id, "from": iso(start), "to": iso(end)}
    return client.data(JOIN, {"input": values}, token=token)["joinWaitlist"]


def joined(client: GraphQLClient, who: Waiting, ten: datetime) -> dict[str, Any]:
    payload = join(client, who.token, who.relationship_id, ten - 2 * H, ten + 3 * H)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["entry"]  # type: ignore[no-any-return]


def claim(client: GraphQLClient, token: str, key: str | None = None) -> Any:
    values = {"token": token, **({"idempotencyKey": key} if key else {})}
    return client.data(CLAIM, {"input": values})["claimWaitlistOffer"]


def offers_to(mailbox: Mailbox, email: str) -> list[str]:
    """The claim tokens of the waitlist offers an address received."""
    return [unquote(line.split("token=", 1)[1]) for received in mailbox.to(email)
            for line in received.text.splitlines() if line.startswith(CLAIM_LINK)]


def offer_token(mailbox: Mailbox, email: str, count: int = 1) -> str:
    mailbox.wait_for(email, count=count)
    deadline = datetime.now() + timedelta(seconds=15)
    while datetime.now() < deadline:
        found = offers_to(mailbox, email)
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no waitlist offer reached {email}: "
                         f"{[r.subject for r in mailbox.to(email)]}")


def entry_of(client: GraphQLClient, token: str, entry_id: str) -> Any:
    return client.data(ENTRY_NODE, {"id": entry_id}, token=token)["node"]


@pytest.fixture
def line_up(client: GraphQLClient, scene: Scene, mailbox: Mailbox, ten: datetime,
            taken: dict[str, Any], clock: TestClock) -> tuple[Waiting, Waiting, str, str]:
    """Two clients in line for the taken time: first, then a second later the second (their
    entry ids too)."""
    first, second = waiting_client(client, scene, mailbox), waiting_client(client, scene,
                                                                            mailbox)
    first_entry = joined(client, first, ten)["id"]
    clock.advance(timedelta(seconds=1))
    return first, second, first_entry, joined(client, second, ten)["id"]


# ------------------------------------------------------------------ offered


def test_a_cancelled_time_is_offered_to_the_first_in_line_and_held(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, clock: TestClock, taken: dict[str, Any],
    line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, second, first_entry, second_entry = line_up

    # when the session's client cancels it
    assert cancel(client, scene.client_token, taken["id"])["userErrors"] == []
    server.drain()

    # then the first in line is emailed a claim link, and the time is held for them
    token = offer_token(mailbox, first.email)
    assert token.split(".")[0]
    email = next(r for r in mailbox.to(first.email) if "free" in r.subject)
    assert email.subject.startswith("A time with Ada Owner is free")
    assert "It is held for you until" in email.text
    found = entry_of(client, first.token, first_entry)
    assert found["status"] == "OFFERED"
    assert found["offer"]["startsAt"] == iso(ten)
    assert found["offer"]["expiresAt"] == iso(clock() + 2 * H)
    assert found["offer"]["session"]["status"] == "SCHEDULED"
    assert found["offer"]["session"]["awaitingConfirmationUntil"] == iso(clock() + 2 * H)
    # and nobody else is told or can book it
    assert offers_to(mailbox, second.email) == []
    assert entry_of(client, second.token, second_entry)["status"] == "WAITING"
    again = book(client, scene.owner.token, relationshipId=second.relationship_id,
                 startsAt=ten)
    assert [e["code"] for e in again["userErrors"]] == ["SLOT_UNAVAILABLE"]


def test_claiming_books_the_time_under_the_usual_rules(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, taken: dict[str, Any], line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, _, first_entry, _ = line_up
    cancel(client, scene.client_token, taken["id"])
    token = offer_token(mailbox, first.email)

    # when the first in line claims it through the link (no sign-in)
    payload = claim(client, token, key="claim-1")

    # then it is booked in their relationship, announced, and they are off the waitlist
    assert payload["userErrors"] == []
    session = payload["session"]
    assert (session["status"], session["startsAt"], session["awaitingConfirmationUntil"]) == (
        "SCHEDULED", iso(ten), None)
    assert session["relationship"]["id"] == first.relationship_id
    assert session["cancellationPolicy"]["tiers"] == [{"withinHours": 48, "percent": "100"}]
    assert entry_of(client, first.token, first_entry)["status"] == "BOOKED"
    assert client.data(MINE, token=first.token)["myWaitlistEntries"] == []
    booked_emails = [r for r in mailbox.wait_for(first.email, count=3)
                     if "booked" in r.subject.lower()]
    assert len(booked_emails) == 1
    # and a retry with the same key answers the same session, booking nothing more
    assert claim(client, token, key="claim-1")["session"]["id"] == session["id"]
    assert claim(client, token, key="another")["userErrors"] == [{
        "field": ["input", "token"], "code": "INVALID_TOKEN",
        "message": "This waitlist offer has expired or was claimed."}]


def test_an_unclaimed_offer_passes_to_the_next_in_line_at_its_deadline(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, clock: TestClock, taken: dict[str, Any],
    line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, second, first_entry, second_entry = line_up
    cancel(client, scene.client_token, taken["id"])
    first_token = offer_token(mailbox, first.email)
    held = entry_of(client, first.token, first_entry)["offer"]["session"]["id"]

    # given the sweep runs a second before the deadline: nothing changes
    clock.advance(2 * H - timedelta(seconds=1))
    sweep(server)
    assert entry_of(client, first.token, first_entry)["status"] == "OFFERED"
    assert offers_to(mailbox, second.email) == []

    # when the sweep runs at the deadline
    clock.advance(timedelta(seconds=1))
    sweep(server)
    server.drain()

    # then the first's offer is gone (their hold released) and the second is offered it
    assert claim(client, first_token)["userErrors"][0]["code"] == "INVALID_TOKEN"
    assert entry_of(client, first.token, first_entry)["status"] == "WAITING"
    released = read_appointment(client, scene.owner.token, held)
    assert released is not None and released["status"] == "CANCELLED"
    second_token = offer_token(mailbox, second.email)
    assert entry_of(client, second.token, second_entry)["offer"]["startsAt"] == iso(ten)
    assert claim(client, second_token)["session"]["relationship"]["id"] == (
        second.relationship_id)
    # and a later sweep offers the first nothing again for that time
    sweep(server)
    assert len(offers_to(mailbox, first.email)) == 1


def test_two_claims_of_one_offer_never_both_book(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, taken: dict[str, Any], line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, _, _, _ = line_up
    cancel(client, scene.client_token, taken["id"])
    token = offer_token(mailbox, first.email)

    # when eight claims of the offer race (each with its own key)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: claim(client, token, key=f"race-{n}"), range(8)))

    # then exactly one booked it, and every other was refused
    won = [a for a in answers if a["userErrors"] == []]
    assert len(won) == 1
    assert sorted({e["code"] for a in answers for e in a["userErrors"]}) == ["INVALID_TOKEN"]
    sessions = client.data("""query($id: ID!) { node(id: $id) { ... on Relationship {
        sessions { totalCount } } } }""", {"id": first.relationship_id},
                           token=scene.owner.token)
    assert sessions["node"]["sessions"]["totalCount"] == 1


def test_a_claim_without_a_card_is_refused_and_keeps_the_offer(
    client: GraphQLClient, scene: Scene, mailbox: Mailbox, taken: dict[str, Any],
    line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, _, first_entry, _ = line_up
    cancel(client, scene.client_token, taken["id"])
    token = offer_token(mailbox, first.email)
    remove_card(client, first.token)

    refused = claim(client, token)

    assert refused["session"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["NO_PAYMENT_METHOD"]
    assert entry_of(client, first.token, first_entry)["status"] == "OFFERED"
    add_card(client, first.token)
    assert claim(client, token)["userErrors"] == []


def test_a_made_up_token_is_refused(client: GraphQLClient) -> None:
    for token in ("nonsense", "0" * 32 + ".abc", "", "0" * 32 + ".é☃"):
        assert claim(client, token)["userErrors"] == [{
            "field": ["input", "token"], "code": "INVALID_TOKEN",
            "message": "This waitlist offer has expired or was claimed."}]


def test_leaving_with_an_open_offer_passes_it_on(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    taken: dict[str, Any], line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, second, first_entry, _ = line_up
    cancel(client, scene.client_token, taken["id"])
    token = offer_token(mailbox, first.email)

    left = client.data(LEAVE, {"input": {"entryId": first_entry}}, token=first.token)

    assert left["leaveWaitlist"] == {"entry": {"id": first_entry, "status": "LEFT"},
                                     "userErrors": []}
    assert claim(client, token)["userErrors"][0]["code"] == "INVALID_TOKEN"
    assert offer_token(mailbox, second.email)


def test_a_session_moved_away_frees_its_time_for_the_first_in_line(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, taken: dict[str, Any], line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, _, first_entry, _ = line_up

    moved = reschedule(client, scene.owner.token, taken["id"], ten + timedelta(days=1))

    assert moved["userErrors"] == []
    assert offer_token(mailbox, first.email)
    assert entry_of(client, first.token, first_entry)["offer"]["startsAt"] == iso(ten)


def test_a_session_moved_by_less_than_its_length_offers_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, taken: dict[str, Any], line_up: tuple[Waiting, Waiting, str, str],
) -> None:
    first, _, first_entry, _ = line_up

    moved = reschedule(client, scene.owner.token, taken["id"], ten + timedelta(minutes=15))
    server.drain()

    assert moved["userErrors"] == []
    assert offers_to(mailbox, first.email) == []
    assert entry_of(client, first.token, first_entry)["status"] == "WAITING"


def test_a_time_outside_every_range_offers_nothing(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    ten: datetime, taken: dict[str, Any],
) -> None:
    other = waiting_client(client, scene, mailbox)
    assert join(client, other.token, other.relationship_id, ten + H, ten + 5 * H)[
        "userErrors"] == []

    cancel(client, scene.client_token, taken["id"])
    server.drain()

    assert offers_to(mailbox, other.email) == []


# ------------------------------------------------------------------ joining


def test_joining_is_refused_with_a_named_field_and_changes_nothing(
    client: GraphQLClient, scene: Scene, mailbox: Mailbox, ten: datetime,
) -> None:
    me = waiting_client(client, scene, mailbox)
    stranger = waiting_client(client, scene, mailbox)

    backwards = join(client, me.token, me.relationship_id, ten, ten - H)
    too_long = join(client, me.token, me.relationship_id, ten, ten + timedelta(days=93))
    not_mine = join(client, stranger.token, me.relationship_id, ten, ten + H)

    assert backwards == {"entry": None, "userErrors": [{
        "field": ["input", "to"], "code": "INVALID", "message": "to must be after from."}]}
    assert [e["code"] for e in too_long["userErrors"]] == ["INVALID"]
    assert not_mine == {"entry": None, "userErrors": [{
        "field": ["input", "relationshipId"], "code": "NOT_FOUND",
        "message": "Relationship not found."}]}
    assert client.data(MINE, token=me.token)["myWaitlistEntries"] == []


def test_the_practice_joins_for_a_client_and_the_client_sees_it(
    client: GraphQLClient, scene: Scene, mailbox: Mailbox, ten: datetime,
) -> None:
    me = waiting_client(client, scene, mailbox)

    payload = join(client, scene.owner.token, me.relationship_id, ten, ten + H)

    assert payload["userErrors"] == []
    assert payload["entry"]["client"]["id"] == me.client_id
    [mine] = client.data(MINE, token=me.token)["myWaitlistEntries"]
    assert (mine["id"], mine["kind"], mine["status"]) == (payload["entry"]["id"], "SESSION",
                                                          "WAITING")
    assert entry_of(client, scene.client_token, mine["id"]) is None  # another client


# ------------------------------------------------------------------ group places


def test_a_freed_group_place_is_offered_and_claimed_by_enrolling(
    client: GraphQLClient, server: RunningServer, scene: Scene, mailbox: Mailbox,
    clock: TestClock,
) -> None:
    # given a one-place group session, taken from 1 June, and a client waiting for 8 June
    yoga = create_service(client, scene.owner, "Yoga")
    small = new_group_session(client, scene.owner, yoga, name="Small Yoga", capacity=1)
    big = new_group_session(client, scene.owner, yoga, name="Big Yoga")
    place = enrolled(client, scene.owner, clientId=scene.client_id, sessionId=small,
                     firstDate="2027-06-01")["subscription"]["id"]
    me = waiting_client(client, scene, mailbox)
    with_room = client.data(JOIN_GROUP, {"input": {"sessionId": big, "firstDate": "2027-06-08"}},
                            token=me.token)["joinGroupWaitlist"]
    assert [e["code"] for e in with_room["userErrors"]] == ["INVALID_STATE"]
    payload = client.data(JOIN_GROUP, {"input": {"sessionId": small,
                                                 "firstDate": "2027-06-08"}},
                          token=me.token)["joinGroupWaitlist"]
    assert payload["userErrors"] == []
    assert payload["entry"]["kind"] == "GROUP_SESSION"
    sweep(server)
    assert offers_to(mailbox, me.email) == []  # still full

    # when the place frees (its client moves to the other group) and the sweep runs
    assert transfer(client, scene.owner, subscriptionId=place, transferDate="2027-06-08",
                    toSessionId=big, firstDate="2027-06-08")["userErrors"] == []
    sweep(server)
    server.drain()

    # then the place is offered, held (nobody else can enrol), and claiming enrols
    token = offer_token(mailbox, me.email)
    other = waiting_client(client, scene, mailbox)
    blocked = enroll(client, scene.owner, clientId=other.client_id, sessionId=small,
                     firstDate="2027-06-08")
    assert [e["code"] for e in blocked["userErrors"]] == ["SESSION_FULL"]
    claimed = claim(client, token)
    assert claimed["userErrors"] == []
    assert claimed["subscription"]["startDate"] == "2027-06-08"
    assert claimed["subscription"]["invoices"] == [{"status": "OPEN"}]
