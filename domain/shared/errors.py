"""Domain errors: what went wrong, where in the input, and a code the API shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum


class ErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    NOT_PERMITTED = "NOT_PERMITTED"
    INVALID_STATE = "INVALID_STATE"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"
    NOT_THIRD_PARTY = "NOT_THIRD_PARTY"
    PROFILE_INCOMPLETE = "PROFILE_INCOMPLETE"
    HAS_UPCOMING_SESSIONS = "HAS_UPCOMING_SESSIONS"
    SLOT_UNAVAILABLE = "SLOT_UNAVAILABLE"
    NO_PAYMENT_METHOD = "NO_PAYMENT_METHOD"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    LATE_CHANGE = "LATE_CHANGE"
    SESSION_FULL = "SESSION_FULL"
    ALREADY_LINKED = "ALREADY_LINKED"
    NO_PACKAGE_SESSIONS = "NO_PACKAGE_SESSIONS"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    TIME_OFF = "TIME_OFF"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request; `field` is a path relative to the operation's input."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None

    def under(self, *prefix: str) -> Problem:
        """The same problem with its field path nested under `prefix`."""
        return Problem(self.code, self.message, (*prefix, *(self.field or ())))


class DomainError(Exception):
    """A rule refused the operation; nothing it would have changed may be kept."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("a DomainError needs at least one problem")
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def one(
        cls, code: ErrorCode, message: str, field: Sequence[str] | None = None
    ) -> DomainError:
        return cls([Problem(code, message, tuple(field) if field is not None else None)])


def not_found(what: str, field: Sequence[str] | None = None) -> DomainError:
    """The same answer for an id that does not exist and one the viewer may not see."""
    return DomainError.one(ErrorCode.NOT_FOUND, f"{what} not found.", field)


class Problems:
    """Collects validation problems so a request can report all of them at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: ErrorCode, message: str, *field: str) -> None:
        self.items.append(Problem(code, message, field or None))

    def check(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Run a validator; keep its problems instead of raising them."""
        try:
            return fn(*args, **kwargs)
        except DomainError as error:
            self.items.extend(error.problems)
            return None

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(self.items)
