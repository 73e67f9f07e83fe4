"""`caseload demo`'s linked clients: a parent who books for her son and completes his forms,
and partners sharing a package; added once, after the sessions."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseload import demo
from caseload.cli import where_to_open
from caseload.demo_widget import demo_widget_url
from caseload.settings import Settings
from persistence import tables
from tests.support.demo import demo_settings, read_demo


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(tmp_path)


def facts(settings: Settings) -> dict[str, Any]:
    async def read(tx: Any) -> dict[str, Any]:
        c, link, a = tables.clients, tables.client_links, tables.appointments
        pkg, form = tables.packages, tables.intake_forms
        names = {row.id: row.first_name for row in await tx.execute(
            select(c.c.id, c.c.first_name))}
        links = [(names[row.client_id], row.type.name, names[row.linked_client_id])
                 for row in await tx.execute(select(link))]
        booked_by_clients = [(names[row.booked_by_id], names[row.payer_id])
                             for row in await tx.execute(
                                 select(a).where(a.c.booked_by_id.is_not(None)))]
        packages = [(names[row.owner_id], row.total_credits, row.remaining_credits)
                    for row in await tx.execute(select(pkg))]
        paid_by_package = list((await tx.execute(
            select(a.c.id).where(a.c.package_id.is_not(None)))).scalars())
        forms = [(names[row.client_id], row.status.name)
                 for row in await tx.execute(select(form))]
        return {"links": sorted(links), "booked_by_clients": booked_by_clients,
                "packages": packages, "paid_by_package": len(paid_by_package), "forms": forms}

    return read_demo(settings, read)


def test_the_demo_has_a_family_and_a_couple_sharing_a_package(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    assert asyncio.run(demo.load_demo(settings)) == 0
    out = capsys.readouterr().out
    assert "Demo linked clients added" in out and "left out" not in out
    found = facts(settings)
    assert found == {
        "links": [("Leo", "PARTNER", "Sofia"), ("Noah", "PARENT", "Claire")],
        "booked_by_clients": [("Claire", "Claire")],   # for Noah, whose sessions she pays
        "packages": [("Leo", 6, 5)],
        "paid_by_package": 1,
        "forms": [("Noah", "PENDING")],
    }

    assert asyncio.run(demo.load_demo(settings)) == 0
    assert "Demo linked clients added" not in capsys.readouterr().out
    assert facts(settings) == found


def test_a_demo_practice_from_before_appointments_gets_its_links_with_them(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def as_before(_: object) -> None:
        return None

    with monkeypatch.context() as patched:
        patched.setattr(demo, "_ensure_appointments", as_before)
        asyncio.run(demo.load_demo(settings))
    assert facts(settings)["links"] == []
    capsys.readouterr()
    asyncio.run(demo.load_demo(settings))
    assert "left out" not in capsys.readouterr().out
    assert len(facts(settings)["links"]) == 2


def test_the_demo_makes_one_widget_key_and_shows_it_once(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    async def prefixes(tx: Any) -> list[Any]:
        found = await tx.execute(select(tables.publishable_keys.c.prefix))
        return list(found.scalars())

    def keys() -> list[Any]:
        return read_demo(settings, prefixes)

    asyncio.run(demo.load_demo(settings))
    out = capsys.readouterr().out
    [prefix] = keys()
    assert f"http://127.0.0.1:8000/widget/book?key={prefix}" in out
    # and `caseload serve` finds the page's address where the demo kept it
    kept = demo_widget_url(settings.var_dir)
    assert kept is not None and kept.startswith(f"http://127.0.0.1:8000/widget/book?key={prefix}")
    assert kept in out
    assert where_to_open(settings, "127.0.0.1", 8000)[3] == (
        f"  demo widget:  {kept}  (book as a guest, card tok_visa)")

    asyncio.run(demo.load_demo(settings))
    assert "/widget/book?key=" not in capsys.readouterr().out
    assert keys() == [prefix]
