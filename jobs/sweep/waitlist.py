"""Sweep steps of the waitlist: offers unclaimed by their deadline (`expires_at`) pass to the
next in line, and free places in group sessions go to those waiting for them.

Expiring runs first of all steps: a lapsed offer's held session is released here (not as an
unconfirmed guest booking), and its time offered on in the same transaction. Each batch is
one unit of work with its offers locked in id order, and an offer is acted on only while it
is still OPEN, so two sweeps at once (or a sweep racing a claim) act once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from domain.appointments.waitlist import OfferStatus
from persistence import tables
from persistence.repositories import count_rows
from persistence.uow import UnitOfWork
from resolvers.appointments.waitlist import pass_on
from resolvers.groups.waitlist import offer_free_places

if TYPE_CHECKING:
    from jobs.sweep.run import SweepContext

BATCH = 200


async def expire_offers(ctx: SweepContext) -> int:
    """Offers expired by this sweep (each passed to the next in line, if anyone)."""
    expired = 0
    while True:
        async with UnitOfWork(ctx.db, ctx.now) as uow:
            batch = await uow.waitlist_offers.due_to_expire(ctx.now, BATCH)
            for offer in batch:
                entry = await uow.waitlist.get(offer.entry_id, for_update=True)
                assert entry is not None
                await pass_on(uow, offer, entry)
            await uow.commit()
        expired += len(batch)
        if len(batch) < BATCH:
            return expired


async def count_expiring(ctx: SweepContext) -> int:
    o = tables.waitlist_offers.c
    return await count_rows(ctx.db, tables.waitlist_offers, o.status == OfferStatus.OPEN,
                            o.expires_at <= ctx.now)


async def offer_group_places(ctx: SweepContext) -> int:
    """Group places offered by this sweep: each group session someone waits for, its row
    locked while its free places are offered in line."""
    async with UnitOfWork(ctx.db, ctx.now, read_only=True) as uow:
        waited_for = await uow.waitlist.groups_waited_for(_yesterday(ctx))
    offered = 0
    for group_session_id in waited_for:
        async with UnitOfWork(ctx.db, ctx.now) as uow:
            offered += len(await offer_free_places(uow, group_session_id))
            await uow.commit()
    return offered


async def count_group_waits(ctx: SweepContext) -> int:
    """Group sessions whose waitlist the next sweep checks for free places (dry run)."""
    async with UnitOfWork(ctx.db, ctx.now, read_only=True) as uow:
        return len(await uow.waitlist.groups_waited_for(_yesterday(ctx)))


def _yesterday(ctx: SweepContext) -> date:
    """A day back from UTC's date: no practitioner's local today is earlier."""
    return (ctx.now - timedelta(days=1)).date()
