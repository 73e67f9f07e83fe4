"""`caseload demo`'s group sessions: two services, subscribers, one transfer and one client
leaving with a credit note; added once, and also to a demo practice made before group
sessions existed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseload import demo
from caseload.settings import Settings
from persistence import tables
from tests.support.demo import demo_settings, read_demo


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(tmp_path)


def facts(settings: Settings) -> dict[str, Any]:
    async def read(tx: Any) -> dict[str, Any]:
        s, g, sub, i = (tables.services, tables.group_sessions, tables.group_subscriptions,
                        tables.invoices)
        services = sorted((await tx.execute(select(s.c.name))).scalars())
        group_sessions = sorted((await tx.execute(select(g.c.name))).scalars())
        subscriptions = list(await tx.execute(
            select(sub.c.id, sub.c.status, sub.c.transferred_from_id,
                   sub.c.transferred_to_id)))
        invoices = list(await tx.execute(
            select(i.c.number, i.c.status).where(i.c.subscription_id.is_not(None))
            .order_by(i.c.sequence)))
        notes = list(await tx.execute(select(tables.credit_notes.c.amount,
                                             tables.credit_notes.c.remaining)))
        return {"services": services, "sessions": group_sessions,
                "credit_notes": [(row.amount > 0, row.amount == row.remaining)
                                 for row in notes],
                "statuses": sorted(row.status.name for row in subscriptions),
                "transfers": sorted((row.transferred_from_id is not None,
                                     row.transferred_to_id is not None)
                                    for row in subscriptions),
                "invoices": [(row.number, row.status.name) for row in invoices]}

    return read_demo(settings, read)


def test_the_demo_has_two_services_subscribers_and_one_transfer(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    assert asyncio.run(demo.load_demo(settings)) == 0
    out = capsys.readouterr().out
    assert "Demo group sessions added" in out and "Maya Patel moved" in out
    assert "Leo Hartmann left Thursday Pilates" in out
    assert "subscription { dashboardEvents" in out  # how to watch live updates
    found = facts(settings)
    assert found["services"] == ["Pilates", "Yoga"]
    assert found["sessions"] == ["Saturday Morning Yoga", "Thursday Pilates", "Tuesday Yoga"]
    # Maya's transfer ended one; Leo's leaving another, with a credit note still to use
    assert found["statuses"] == ["ACTIVE"] * 3 + ["ENDED"] * 2
    assert found["credit_notes"] == [(True, True)]
    assert found["transfers"] == [(False, False)] * 3 + [(False, True), (True, False)]
    assert found["invoices"] == [("INV-000001", "PAID"), ("INV-000002", "PAID"),
                                 ("INV-000003", "OPEN"), ("INV-000004", "CLOSED"),
                                 ("INV-000005", "PAID")]

    assert asyncio.run(demo.load_demo(settings)) == 0
    assert "Demo group sessions added" not in capsys.readouterr().out
    assert facts(settings) == found


def test_a_demo_practice_from_before_group_sessions_gets_them_once(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def as_before(_: object) -> None:
        return None

    with monkeypatch.context() as patched:
        patched.setattr(demo, "_ensure_groups", as_before)
        asyncio.run(demo.load_demo(settings))
    assert facts(settings)["services"] == []
    capsys.readouterr()
    asyncio.run(demo.load_demo(settings))
    assert "Demo group sessions added" in capsys.readouterr().out
    found = facts(settings)
    assert len(found["invoices"]) == 5
    assert found["credit_notes"] == [(True, True)]
    asyncio.run(demo.load_demo(settings))
    assert facts(settings) == found
