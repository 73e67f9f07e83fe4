"""Sweep step. SEAM: AUTO_CANCELs, in the hour before the start, each SCHEDULED session still
unpaid (sessions issue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.sweep import SweepContext


async def auto_cancel_unpaid(ctx: SweepContext) -> int:
    return 0
