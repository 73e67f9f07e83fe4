"""`caseload demo`'s sessions: prices, sessions awaiting updates, upcoming ones and reserved
slots; added once, and also to a demo practice made before sessions existed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from caseload import demo
from caseload.settings import Settings
from persistence import tables
from persistence.repositories import Appointments
from tests.support.demo import demo_settings, read_demo


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(tmp_path)


def facts(settings: Settings) -> dict[str, Any]:
    """What the demo practice holds, per practitioner email."""

    async def read(tx: Any) -> dict[str, Any]:
        now = datetime.now(UTC)
        p, a, r = tables.practitioners, tables.appointments, tables.reserved_slots
        riverside = select(tables.practices.c.id).where(
            tables.practices.c.name == "Riverside Therapy (demo)").scalar_subquery()
        staff = {row.email: row for row in await tx.execute(  # not the second practice's
            select(p.c.email, p.c.id, p.c.appointment_price)
            .where(p.c.practice_id == riverside))}
        awaiting = {email: await Appointments(tx).count_awaiting_update(row.id, now)
                    for email, row in staff.items()}
        upcoming = await tx.scalar(select(func.count()).select_from(a).where(
            a.c.starts_at > now, a.c.status == "SCHEDULED"))
        total = await tx.scalar(select(func.count()).select_from(a))
        follow_ups = await tx.scalar(select(func.count()).select_from(a).where(
            a.c.follow_up_of_id.is_not(None)))
        slots = list(await tx.execute(
            select(p.c.email, r.c.weekday, r.c.start_time).join(
                p, p.c.id == r.c.practitioner_id).order_by(p.c.email)))
        return {"prices": {email: row.appointment_price for email, row in staff.items()},
                "awaiting": awaiting, "upcoming": upcoming, "total": total,
                "follow_ups": follow_ups,
                "slots": [(e, w.name, t.strftime("%H:%M")) for e, w, t in slots]}

    return read_demo(settings, read)


EXPECTED_PRICES = {
    "owner@demo-practice.example.com": Decimal("90.00"),
    "amara@demo-practice.example.com": Decimal("85.00"),
    "jonas@demo-practice.example.com": Decimal("75.00"),
}


def test_the_demo_has_appointments_awaiting_updates_upcoming_ones_and_reserved_slots(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    assert asyncio.run(demo.load_demo(settings)) == 0
    out = capsys.readouterr().out
    assert "Demo sessions added" in out and "left out" not in out
    found = facts(settings)
    assert found["prices"] == EXPECTED_PRICES
    assert found["awaiting"] == {"owner@demo-practice.example.com": 1,
                                 "amara@demo-practice.example.com": 2,
                                 "jonas@demo-practice.example.com": 1}
    assert found["upcoming"] == 6   # three here, two for linked clients, one held (waitlist)
    assert found["follow_ups"] == 3
    assert found["slots"] == [("amara@demo-practice.example.com", "MONDAY", "11:00"),
                              ("owner@demo-practice.example.com", "THURSDAY", "14:00")]

    assert asyncio.run(demo.load_demo(settings)) == 0
    again = capsys.readouterr().out
    assert "Demo sessions added" not in again and "Session price" not in again
    assert facts(settings) == found


def test_a_demo_practice_from_before_appointments_gets_them_once(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def as_before(_: object) -> None:
        return None

    with monkeypatch.context() as patched:
        patched.setattr(demo, "_ensure_appointments", as_before)
        asyncio.run(demo.load_demo(settings))
    assert facts(settings)["total"] == 0
    capsys.readouterr()

    asyncio.run(demo.load_demo(settings))
    out = capsys.readouterr().out
    assert "nothing changed" in out and "Demo sessions added" in out
    found = facts(settings)
    assert found["prices"] == EXPECTED_PRICES
    assert sum(found["awaiting"].values()) == 4
    asyncio.run(demo.load_demo(settings))
    assert facts(settings) == found
