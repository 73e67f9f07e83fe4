"""`caseload demo`'s cancellation fee tiers and waitlist: the tiers set, a late cancellation
that kept half the fee and gave the rest back, and a freed time offered to Maya; added once."""

from __future__ import annotations

import asyncio
from decimal import Decimal
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
        p, a, c = tables.practices, tables.appointments, tables.charges
        w, o = tables.waitlist_entries, tables.waitlist_offers
        tiers = (await tx.execute(select(p.c.cancellation_fee_tiers,
                                         p.c.cancellation_notice_hours)
                                  .where(p.c.cancellation_fee_tiers.is_not(None)))).one()
        late = list(await tx.execute(
            select(a.c.cancellation_fee, a.c.cancellation_fee_percent, c.c.amount,
                   c.c.refund_amount, c.c.refunded_at.is_not(None), c.c.status)
            .join(c, c.c.id == a.c.charge_id).where(a.c.status == "LATE_CANCELLED")))
        entries = list(await tx.execute(select(w.c.status, w.c.kind)))
        offers = list(await tx.execute(select(o.c.status, o.c.appointment_id.is_not(None))))
        return {"tiers": [(t.within_hours, t.percent) for t in tiers[0].tiers],
                "notice": tiers[1], "late": [(*row[:5], row[5].name) for row in late],
                "entries": [(s.name, k.name) for s, k in entries],
                "offers": [(s.name, held) for s, held in offers]}

    return read_demo(settings, read)


def test_the_demo_shows_fee_tiers_and_a_waitlist_offer_once(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    assert asyncio.run(demo.load_demo(settings)) == 0
    out = capsys.readouterr().out
    assert "Cancellation fee tiers set" in out
    assert "/waitlist/claim?token=" in out
    found = facts(settings)
    assert found["tiers"] == [(48, Decimal("50")), (24, Decimal("100"))]
    assert found["notice"] == 48
    assert found["late"] == [(Decimal("42.50"), Decimal("50"), Decimal("85.00"),
                              Decimal("42.50"), True, "SUCCEEDED")]
    assert found["entries"] == [("OFFERED", "SESSION")]
    assert found["offers"] == [("OPEN", True)]

    assert asyncio.run(demo.load_demo(settings)) == 0
    assert "Cancellation fee tiers set" not in capsys.readouterr().out
    assert facts(settings) == found
