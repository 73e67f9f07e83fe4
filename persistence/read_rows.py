"""Entities read with Core for the read paths, without the ORM's bookkeeping.

A page of sessions loaded through the ORM spends most of its time on instance state, the
identity map and the selectin loaders building their statements anew; none of it serves a
read that nothing writes back. Here a row becomes an instance of the domain's own class with
its values set in one step, and each eager collection (lazy="selectin" in
persistence.mapping) comes in one more statement per batch, built once, as the ORM reads it:
the same objects to every reader, in the same number of statements.

They are read-only: such an instance has no ORM state, so setting a mapped attribute of one
raises AttributeError rather than changing something no unit of work would save.
Writes load their aggregates through a unit of work's repositories, as before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, inspect, select
from sqlalchemy.orm import Mapper

T = TypeVar("T")

# A batch's keys, bound when a prebuilt statement runs: {"ids": keys}.
IDS: BindParameter[Any] = bindparam("ids", expanding=True)


@dataclass(frozen=True)
class _Collection:
    """An eager one-to-many: the parent's attribute, the child shape, which of the child's
    attributes holds the parent's key, and the statement that reads a batch's children."""

    key: str
    shape: _Shape
    parent_key: str
    child_key: str
    statement: Select[Any]


@dataclass(frozen=True)
class _Shape:
    model: Any
    keys: tuple[str, ...]
    columns: tuple[ColumnElement[Any], ...]
    collections: tuple[_Collection, ...]

    def build(self, values: Sequence[Any]) -> Any:
        item = self.model.__new__(self.model)
        item.__dict__.update(zip(self.keys, values, strict=True))
        return item


_SHAPES: dict[type, _Shape] = {}


def _shape(model: type) -> _Shape:
    found = _SHAPES.get(model)
    if found is None:
        found = _SHAPES[model] = _read_shape(model)
    return found


def _read_shape(model: type) -> _Shape:
    mapper: Mapper[Any] = inspect(model)
    attributes = [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]
    collections = []
    for prop in mapper.relationships:
        if prop.lazy != "selectin" or not prop.uselist or len(prop.local_remote_pairs) != 1:
            raise TypeError(f"{model.__name__}.{prop.key}: only one-column selectin "
                            "collections are read with Core")
        ((local, remote),) = prop.local_remote_pairs
        child = _shape(prop.mapper.class_)
        order = list(prop.order_by) if prop.order_by else []
        collections.append(_Collection(
            key=prop.key, shape=child, parent_key=mapper.get_property_by_column(local).key,
            child_key=prop.mapper.get_property_by_column(remote).key,
            statement=select(*child.columns).where(remote.in_(IDS)).order_by(*order),
        ))
    return _Shape(model=model, keys=tuple(key for key, _ in attributes),
                  columns=tuple(column for _, column in attributes),
                  collections=tuple(collections))


def columns_of(model: type) -> tuple[ColumnElement[Any], ...]:
    """What to select for `rows_of(model, ...)`, in its order: every mapped column."""
    return _shape(model).columns


@cache
def entities_of(model: type) -> Select[Any]:
    """`select(*columns_of(model))`, built once; add where and order by to it."""
    return select(*columns_of(model))


async def rows_of(tx: Any, model: type[T], statement: Any,
                  params: Mapping[str, Any] | None = None) -> list[T]:
    """The entities `statement` (a select of `columns_of(model)`) finds, in its order, with
    their eager collections."""
    shape = _shape(model)
    result = await tx.execute(statement, params or {})
    items = [shape.build(row) for row in result]
    await _fill(tx, shape, items)
    return items


async def _fill(tx: Any, shape: _Shape, items: list[Any]) -> None:
    if not items:
        return
    for collection in shape.collections:
        grouped: dict[Any, list[Any]] = {vars(item)[collection.parent_key]: [] for item in items}
        children: list[Any] = await rows_of(
            tx, collection.shape.model, collection.statement, {"ids": list(grouped)})
        for child in children:
            grouped[vars(child)[collection.child_key]].append(child)
        for item in items:
            vars(item)[collection.key] = grouped[vars(item)[collection.parent_key]]
