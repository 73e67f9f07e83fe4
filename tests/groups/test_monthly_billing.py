"""Monthly billing in the sweep: each month's invoice issued once, charged to the payer's
card when there is one and emailed; a decline leaves it OPEN and tells the payer."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from jobs.sweep.invoices import bill_subscriptions
from jobs.sweep.run import SweepContext
from persistence.database import Database
from persistence.sandbox_gateway import SandboxGateway
from tests.support.graphql import GraphQLClient
from tests.support.group_sessions import (
    CLIENT_INVOICES,
    JUNE_1,
    Payer,
    Studio,
    client_state,
    enrolled,
    gbp,
    line,
    payer,
    plain_client,
    studio,
    transfer,
)
from tests.support.jobs import sweep, with_database
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer

JULY_1 = JUNE_1.replace(month=7)


@pytest.fixture
def place(client: GraphQLClient, clock) -> Studio:  # type: ignore[no-untyped-def]
    clock.set(JUNE_1)
    return studio(client)


def invoices(client: GraphQLClient, place: Studio, client_id: str,
             status: str | None = None) -> list[dict[str, Any]]:
    found = client.data(CLIENT_INVOICES, {"id": client_id, "status": status},
                        token=place.owner.token)["node"]["invoices"]
    return list(reversed(found))  # oldest first


def summary(found: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, str]]]:
    return [(i["lines"][0]["description"], i["status"], i["total"]) for i in found]


def test_on_the_first_of_the_month_the_sweep_invoices_charges_and_emails_once(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    # given Maya (card on file) goes to Tuesday Yoga from 15 June
    maya = payer(client, place.owner, mailbox)
    enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
             firstDate="2027-06-15", checkout="PAY_NOW")
    server.drain()
    emails_before = len(mailbox.to(maya.email))

    # when the sweep runs on the last evening of June, nothing is due yet
    clock.set(datetime.fromisoformat("2027-06-30T22:30:00+00:00"))   # 23:30 in London
    sweep(server)
    assert len(invoices(client, place, maya.client_id)) == 1

    # when it runs just after midnight on 1 July in London
    clock.set(datetime.fromisoformat("2027-06-30T23:05:00+00:00"))
    sweep(server)

    # then July's invoice is issued for its four Tuesdays, charged to her card, PAID
    found = invoices(client, place, maya.client_id)
    assert summary(found) == [
        ("Tuesday Yoga, June 2027 (3 of 5 sessions)", "PAID", gbp("60.00")),
        ("Tuesday Yoga, July 2027 (4 sessions)", "PAID", gbp("100.00")),
    ]
    july = found[1]
    assert july["number"] == "INV-000002"
    assert july["lines"] == [line("Tuesday Yoga, July 2027 (4 sessions)", "100.00")]
    assert july["paidAt"] == "2027-06-30T23:05:00Z"
    # and emailed to her, once
    received = mailbox.wait_for(maya.email, count=emails_before + 1)
    assert received[-1].subject == "Receipt for invoice INV-000002 from Calm Waters Therapy"
    assert "Tuesday Yoga, July 2027 (4 sessions): 100.00 GBP" in received[-1].text
    assert "Paid with the visa ending 4242" in received[-1].text

    # when the sweep runs again, later that day and the next
    for later in ("2027-07-01T09:00:00+00:00", "2027-07-02T09:00:00+00:00"):
        clock.set(datetime.fromisoformat(later))
        sweep(server)

    # then nothing more is issued, charged or sent
    assert len(invoices(client, place, maya.client_id)) == 2
    assert len(mailbox.to(maya.email)) == emails_before + 1


def test_a_declined_card_leaves_the_invoice_open_and_the_payer_is_told(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    declines = payer(client, place.owner, mailbox, card="tok_chargeDeclined")
    enrolled(client, place.owner, clientId=declines.client_id, sessionId=place.tuesday,
             firstDate="2027-06-15")
    server.drain()
    before = len(mailbox.to(declines.email))
    clock.set(JULY_1)
    sweep(server)
    july = invoices(client, place, declines.client_id)[-1]
    assert (july["status"], july["paidAt"]) == ("OPEN", None)
    (told,) = mailbox.wait_for(declines.email, count=before + 1)[before:]
    assert told.subject == "Card declined for invoice INV-000002 from Calm Waters Therapy"
    assert "We tried to take 100.00 GBP for invoice INV-000002" in told.text
    # a second sweep neither charges again nor writes again
    sweep(server)
    assert len(mailbox.to(declines.email)) == before + 1
    still_open = invoices(client, place, declines.client_id, "OPEN")
    assert [i["number"] for i in still_open] == ["INV-000001", "INV-000002"]


def test_without_a_card_the_invoice_is_emailed_to_pay(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    maya = payer(client, place.owner, mailbox, card=None)
    enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
             firstDate="2027-06-15")
    server.drain()
    before = len(mailbox.to(maya.email))
    clock.set(JULY_1)
    sweep(server)
    assert invoices(client, place, maya.client_id)[-1]["status"] == "OPEN"
    (sent,) = mailbox.wait_for(maya.email, count=before + 1)[before:]
    assert sent.subject == "Invoice INV-000002 from Calm Waters Therapy"
    assert "To pay. Add a card to your account to pay it" in sent.text


def test_months_missed_are_each_invoiced_once_and_billing_stops_when_the_group_session_ends(
    client: GraphQLClient, place: Studio, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    noa = plain_client(client, place.owner)   # no card, no email: invoices stay OPEN
    enrolled(client, place.owner, clientId=noa, sessionId=place.tuesday,
             firstDate="2027-06-29")
    clock.set(JUNE_1.replace(year=2028, month=1))   # the session ended on 28 September
    sweep(server)
    sweep(server)
    clock.set(JUNE_1)   # back inside the owner's sign-in, to read them
    assert summary(invoices(client, place, noa)) == [
        ("Tuesday Yoga, June 2027 (1 of 5 sessions)", "OPEN", gbp("20.00")),
        ("Tuesday Yoga, July 2027 (4 sessions)", "OPEN", gbp("100.00")),
        ("Tuesday Yoga, August 2027 (5 sessions)", "OPEN", gbp("100.00")),
        ("Tuesday Yoga, September 2027 (4 sessions)", "OPEN", gbp("100.00")),
    ]
    assert [i["number"] for i in invoices(client, place, noa)] == [
        "INV-000001", "INV-000002", "INV-000003", "INV-000004"]


def test_a_transferred_subscription_is_billed_only_for_the_dates_before_its_end(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    maya = payer(client, place.owner, mailbox, card=None)
    current = enrolled(client, place.owner, clientId=maya.client_id, sessionId=place.tuesday,
                       firstDate="2027-06-01")["subscription"]["id"]
    # ends on Tuesday 13 July, a month not invoiced yet; Pilates from 5 August
    transfer(client, place.owner, subscriptionId=current, transferDate="2027-07-13",
             toSessionId=place.thursday, firstDate="2027-08-05")
    clock.set(JUNE_1.replace(month=8))
    sweep(server)
    clock.set(JUNE_1)   # back inside the owner's sign-in, to read them
    assert summary(invoices(client, place, maya.client_id)) == [
        ("Tuesday Yoga, June 2027 (5 sessions)", "OPEN", gbp("100.00")),
        ("Thursday Pilates, August 2027 (4 sessions)", "OPEN", gbp("80.00")),
        ("Tuesday Yoga, July 2027 (1 of 4 sessions)", "OPEN", gbp("25.00")),
    ]
    state = client_state(client, place.owner, maya.client_id)
    assert [len(s["invoices"]) for s in state["subscriptions"]] == [2, 1]


def test_two_sweeps_at_once_issue_each_invoice_once(
    client: GraphQLClient, place: Studio, mailbox: Mailbox, server: RunningServer,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    # given ten subscribers, five of them with a card
    people: list[Payer | str] = [payer(client, place.owner, mailbox) for _ in range(5)]
    people += [plain_client(client, place.owner, f"N{n}") for n in range(5)]
    ids = [p.client_id if isinstance(p, Payer) else p for p in people]
    for who in ids:
        enrolled(client, place.owner, clientId=who, sessionId=place.tuesday,
                 firstDate="2027-06-15")
    clock.set(JULY_1)

    # when two sweepers run the billing step at the same moment, on engines of their own
    async def both(db: Database) -> list[int]:
        other = Database(server.runtime.settings.database_url, pool_size=2)
        try:
            contexts = [SweepContext(d, clock(), SandboxGateway(d, clock)) for d in (db, other)]
            return list(await asyncio.gather(*(bill_subscriptions(c) for c in contexts)))
        finally:
            await other.dispose()

    with_database(server, both)
    sweep(server)

    # then each subscriber has exactly one July invoice, and the practice's numbers run
    # 1 to 20 with no gap and no repeat
    numbers = []
    for who in ids:
        found = invoices(client, place, who)
        assert [i["lines"][0]["description"] for i in found] == [
            "Tuesday Yoga, June 2027 (3 of 5 sessions)", "Tuesday Yoga, July 2027 (4 sessions)"]
        numbers += [i["number"] for i in found]
    assert sorted(numbers) == [f"INV-{n:06d}" for n in range(1, 21)]
    paid = [invoices(client, place, who)[-1]["status"] for who in ids]
    assert paid == ["PAID"] * 5 + ["OPEN"] * 5
