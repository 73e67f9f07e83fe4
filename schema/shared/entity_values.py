"""An entity's attribute values read in one step, for the types built from rows by the page.

A mapped entity's attributes read through the ORM's instrumentation, about half a
microsecond each; a page builds thousands of fields from them. A row loaded whole keeps
every value in the instance's own __dict__, so that is read directly; an entity missing any
of the names (expired, or not yet loaded) is read attribute by attribute, as before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def values_of(entity: object, names: frozenset[str]) -> Mapping[str, Any]:
    own = vars(entity)
    if names <= own.keys():
        return own
    return {name: getattr(entity, name) for name in names}
