"""Entities read with Core (persistence.read_rows) hold what the ORM reads of the same rows,
collections included and in the same order, and cannot be written by mistake."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select

from caseload import demo
from caseload.settings import Settings
from domain.appointments.appointments import Appointment
from domain.clients.clients import Client
from domain.clients.relationships import Relationship
from persistence.read_rows import entities_of, rows_of
from tests.support.demo import demo_settings, read_demo

MODELS = (Appointment, Relationship, Client)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # given the demo practice: sessions with attendees and linked clients, couples and
    # families whose relationships have several attendees
    settings = demo_settings(tmp_path)
    assert asyncio.run(demo.load_demo(settings)) == 0
    return settings


def values(item: Any) -> dict[str, Any]:
    """Every mapped value of an entity, each collection as its children's values in order."""
    mapper = inspect(type(item))
    found: dict[str, Any] = {prop.key: getattr(item, prop.key) for prop in mapper.column_attrs}
    for prop in mapper.relationships:
        found[prop.key] = [values(child) for child in getattr(item, prop.key)]
    return found


def both_ways(settings: Settings, model: type) -> tuple[list[Any], list[Any], list[Any]]:
    table = inspect(model).local_table

    async def read(tx: Any) -> tuple[list[Any], list[Any], list[Any]]:
        by_orm = list((await tx.execute(select(model).order_by(table.c.id))).scalars())
        by_core = await rows_of(tx, model, entities_of(model).order_by(table.c.id))
        return [values(item) for item in by_orm], [values(item) for item in by_core], by_core

    return read_demo(settings, read)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_entity_read_with_core_holds_what_the_orm_reads(
    settings: Settings, model: type
) -> None:
    # when every row is read both ways
    by_orm, by_core, _ = both_ways(settings, model)
    # then each holds the same values and the same collections, in the same order
    assert by_core == by_orm
    assert len(by_core) > 3
    if model is not Client:
        assert any(len(item["attendees"]) > 1 for item in by_core)


def test_an_entity_read_with_core_refuses_to_be_changed(settings: Settings) -> None:
    # given a session read with Core
    _, _, [first, *_] = both_ways(settings, Appointment)
    # when a mapped attribute is set, then it is refused, and the value stays as read
    starts_at = first.starts_at
    with pytest.raises(AttributeError, match="_sa_instance_state"):
        first.starts_at = starts_at.replace(year=starts_at.year + 1)
    assert first.starts_at == starts_at
