"""Sweep step. SEAM: Charges each SCHEDULED session inside the notice window whose payment has
not succeeded (sessions issue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.sweep import SweepContext


async def charge_due_sessions(ctx: SweepContext) -> int:
    return 0
