"""Sweep step. SEAM: Queues the reminder 24 hours before each SCHEDULED session, once (sessions
issue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.sweep import SweepContext


async def send_reminders(ctx: SweepContext) -> int:
    return 0
