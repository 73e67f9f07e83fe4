"""A clock tests can move; the server, the jobs and the sweep all read it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class TestClock:
    __test__ = False  # not a test class

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fixed: datetime | None = None

    def __call__(self) -> datetime:
        with self._lock:
            return self._fixed or datetime.now(UTC)

    def set(self, when: datetime) -> None:
        assert when.tzinfo is not None
        with self._lock:
            self._fixed = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self.set(self() + delta)

    def reset(self) -> None:
        with self._lock:
            self._fixed = None
