"""`caseload demo`'s people with more than one place: Maya Patel, a client of two practices
under one account, Jonas Lindqvist, a practitioner of both, and Claire Brennan, assigned to
one of her son's two upcoming sessions."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseload import demo
from caseload.demo_clients import CLIENT_EMAIL
from caseload.demo_memberships import SHARED_PRACTITIONER_EMAIL
from caseload.settings import Settings
from persistence import tables
from tests.support.demo import demo_settings, read_demo


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(tmp_path)


async def _memberships(tx: Any, email: str = CLIENT_EMAIL) -> list[tuple[str, str]]:
    m, a, p = tables.memberships, tables.accounts, tables.practices
    rows = await tx.execute(
        select(p.c.name, m.c.role).join(m, m.c.practice_id == p.c.id)
        .join(a, a.c.id == m.c.account_id).where(a.c.email == email)
        .order_by(m.c.created_at))
    return [(name, role.name) for name, role in rows]


async def _jonas(tx: Any) -> list[tuple[str, str]]:
    return await _memberships(tx, SHARED_PRACTITIONER_EMAIL)


async def _noahs_sessions(tx: Any) -> list[tuple[str | None, list[str]]]:
    """Noah's sessions from now on: who booked each (a client's name, or None for the
    practice) and who is assigned to it."""
    c, a = tables.clients, tables.appointments
    att, assigned = tables.appointment_attendees, tables.appointment_linked_clients
    names = {row.id: row.first_name for row in await tx.execute(select(c.c.id, c.c.first_name))}
    noah = next(cid for cid, name in names.items() if name == "Noah")
    upcoming = await tx.execute(
        select(a.c.id, a.c.booked_by_id).join(att, att.c.appointment_id == a.c.id)
        .where(att.c.client_id == noah, a.c.update_submitted_at.is_(None),
               a.c.status == "SCHEDULED").order_by(a.c.starts_at))
    found = []
    for appointment_id, booked_by in upcoming:
        who = (await tx.execute(select(assigned.c.client_id).where(
            assigned.c.appointment_id == appointment_id))).scalars()
        found.append((names.get(booked_by), sorted(names[w] for w in who)))
    return found


def test_the_demo_has_a_client_of_two_practices_and_a_parent_assigned_to_one_session(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    # when the demo is loaded (twice: the second run changes nothing)
    assert asyncio.run(demo.load_demo(settings)) == 0
    out = capsys.readouterr().out
    memberships = read_demo(settings, _memberships)
    sessions = read_demo(settings, _noahs_sessions)
    assert asyncio.run(demo.load_demo(settings)) == 0
    again = capsys.readouterr().out

    # then Maya is a client of both practices under one account
    assert "Second demo practice Northside Physio (demo) added" in out
    assert memberships == [("Riverside Therapy (demo)", "CLIENT"),
                           ("Northside Physio (demo)", "CLIENT")]
    # and Jonas is a practitioner of both, one sign-in, by the invitation he accepted
    assert read_demo(settings, _jonas) == [("Riverside Therapy (demo)", "PRACTITIONER"),
                                           ("Northside Physio (demo)", "PRACTITIONER")]
    # and Claire is assigned to the session she booked for Noah, not to the one the
    # practice booked (beside the one of last week, awaiting its update)
    assert (None, []) in sessions and ("Claire", ["Claire"]) in sessions
    assert [who for _, who in sessions].count(["Claire"]) == 1
    assert "Second demo practice" not in again
    assert read_demo(settings, _memberships) == memberships
