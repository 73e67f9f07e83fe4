"""Imperative mapping: the domain's dataclasses stay free of SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.orm import registry

from domain.practice import Account, Practice, Practitioner
from persistence import tables

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def start_mappers() -> None:
    """Map once per process; calling again is harmless."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Practice, tables.practices)
    mapper_registry.map_imperatively(Practitioner, tables.practitioners)
    mapper_registry.map_imperatively(Account, tables.accounts)
    _mapped = True
