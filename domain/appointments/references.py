"""Short booking references people can read out and type: 8 characters from an alphabet
without the look-alikes 0/O and 1/I, e.g. "K7QXM2PA".

32 symbols over 8 places are 2^40 references, so two bookings of one practice drawing the
same one is vanishingly rare; the database's per-practice unique constraint still refuses it.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(text: str) -> str | None:
    """What a person typed, as stored (case, spaces and dashes ignored); None when it
    cannot be a reference at all."""
    cleaned = _SEPARATORS.sub("", text).upper()
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned
