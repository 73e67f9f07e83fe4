"""The port a process receives live updates on (caseload/live.py has its adapters)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from domain.shared.live import LiveEvent


class LiveFeed(Protocol):
    def listen(self) -> AbstractAsyncContextManager[AsyncIterator[LiveEvent]]:
        """Every live update this process receives from the moment it is entered."""
        ...
