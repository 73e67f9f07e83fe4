"""Loading a page's children before graphql-core walks it. A field whose loader already holds
its value answers at once, so a page of fifty nodes schedules no awaitable per node and field;
a field asked for outside a prefetched page loads as before, only later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


class Selection:
    """The fields asked for below one field, by GraphQL name, fragments merged in."""

    def __init__(self) -> None:
        self.children: dict[str, Selection] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.children

    def at(self, *path: str) -> Selection | None:
        found: Selection | None = self
        for name in path:
            found = found.children.get(name) if found is not None else None
        return found

    @classmethod
    def merged(cls, *selections: Selection | None) -> Selection | None:
        """Everything any of them asks for; None when none asks."""
        present = [s for s in selections if s is not None]
        if not present:
            return None
        merged = cls()
        for item in present:
            for name, child in item.children.items():
                merged.children[name] = cls.merged(merged.children.get(name), child) or cls()
        return merged

    def _add(self, selections: Iterable[Any]) -> Selection:
        for item in selections:
            if isinstance(item, SelectedField):
                self.children.setdefault(item.name, Selection())._add(item.selections)
            elif isinstance(item, FragmentSpread | InlineFragment):
                self._add(item.selections)
        return self


def selection(info: strawberry.Info) -> Selection:
    """What the current field's answer is asked for."""
    return Selection()._add(
        s for field in info.selected_fields for s in field.selections)


def when_loaded(loader: DataLoader[K, V], key: K, then: Callable[[V], R]) -> R | Awaitable[R]:
    """`then` of the loader's value for `key`: at once when an earlier batch holds it."""
    done = _done(loader, key)
    if done is not None:
        return then(done[0])
    return _later(loader.load(key), then)


def when_all_loaded(
    loader: DataLoader[K, V], keys: Sequence[K], then: Callable[[list[V]], R]
) -> R | Awaitable[R]:
    """`then` of the loader's values for `keys`, in order: at once when all are held."""
    found: list[V] = []
    for key in keys:
        done = _done(loader, key)
        if done is None:
            return _later(loader.load_many(keys), then)
        found.append(done[0])
    return then(found)


def present(found: V | None) -> V:
    """A row a foreign key points at: it is there."""
    assert found is not None
    return found


def _done(loader: DataLoader[K, V], key: K) -> tuple[V] | None:
    future = loader.cache_map.get(key) if loader.cache else None
    if future is None or not future.done() or future.cancelled() or future.exception():
        return None
    return (future.result(),)


async def _later(pending: Awaitable[V], then: Callable[[V], R]) -> R:
    return then(await pending)
