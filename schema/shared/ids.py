"""Opaque global IDs: base64url of "TypeName:uuid"."""

from __future__ import annotations

import base64
import binascii
import uuid
from functools import lru_cache


@lru_cache(maxsize=16_384)
def to_global_id(type_name: str, item_id: uuid.UUID) -> str:
    """Cached: a page names the same rows request after request, and building one (the uuid's
    text, base64) costs more than the rest of its field."""
    raw = f"{type_name}:{item_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    """The type and id a global ID names, or None for anything malformed."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_id = base64.urlsafe_b64decode(padded).decode().partition(":")
        return type_name, uuid.UUID(raw_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def decode_id(global_id: str, *type_names: str) -> uuid.UUID | None:
    """The uuid of a global ID of one of `type_names`; None if it names anything else."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in type_names:
        return None
    return decoded[1]
