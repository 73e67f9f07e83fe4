"""Sweep step. SEAM: Refunds owed by cancellations whose gateway call did not complete
(sessions issue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.sweep import SweepContext


async def retry_refunds(ctx: SweepContext) -> int:
    return 0
