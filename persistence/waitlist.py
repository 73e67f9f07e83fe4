"""The waitlist's entries and offers: who is next in line, and the offers the sweep expires."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select

from domain.appointments.waitlist import (
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from persistence.repositories import Repository
from persistence.tables import waitlist_entries, waitlist_offers

_e, _o = waitlist_entries.c, waitlist_offers.c


def _not_offered(starts_at: datetime) -> Any:
    """The entry was not offered this time (or, for a group, this date) before."""
    return ~exists().where(_o.entry_id == _e.id, _o.starts_at == starts_at)


class WaitlistEntries(Repository[WaitlistEntry]):
    model = WaitlistEntry

    async def next_for_time(
        self, practitioner_id: uuid.UUID, starts_at: datetime, ends_at: datetime,
        *, excluding_relationship: uuid.UUID | None,
    ) -> list[WaitlistEntry]:
        """Entries waiting for a time of the practitioner's covering [starts_at, ends_at), in
        line (first joined first), locked; none that was offered this time already."""
        query = (select(WaitlistEntry).where(
            _e.practitioner_id == practitioner_id, _e.status == WaitlistStatus.WAITING,
            _e.earliest <= starts_at, _e.latest >= ends_at, _not_offered(starts_at))
            .order_by(_e.created_at, _e.id).limit(20).with_for_update())
        if excluding_relationship is not None:
            query = query.where(_e.relationship_id != excluding_relationship)
        return list((await self.tx.execute(query)).scalars())

    async def next_for_group(
        self, group_session_id: uuid.UUID, today: date
    ) -> list[WaitlistEntry]:
        """Entries waiting for a place in the group session from a date still to come, in
        line, locked."""
        query = (select(WaitlistEntry).where(
            _e.group_session_id == group_session_id, _e.status == WaitlistStatus.WAITING,
            _e.first_date >= today)
            .order_by(_e.created_at, _e.id).limit(20).with_for_update())
        return list((await self.tx.execute(query)).scalars())

    async def of_clients(self, client_ids: list[uuid.UUID]) -> list[WaitlistEntry]:
        """Entries for these clients still on the waitlist, in line order."""
        if not client_ids:
            return []
        query = (select(WaitlistEntry).where(
            _e.client_id.in_(client_ids),
            _e.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
            .order_by(_e.created_at, _e.id).limit(100))
        return list((await self.tx.execute(query)).scalars())

    async def groups_waited_for(self, today: date) -> list[uuid.UUID]:
        """Group sessions someone is waiting for a place in."""
        query = (select(_e.group_session_id).where(
            _e.group_session_id.is_not(None), _e.status == WaitlistStatus.WAITING,
            _e.first_date >= today).distinct())
        return [row for row in (await self.tx.execute(query)).scalars() if row is not None]


class WaitlistOffers(Repository[WaitlistOffer]):
    model = WaitlistOffer

    async def due_to_expire(self, now: datetime, limit: int) -> list[WaitlistOffer]:
        """Open offers whose deadline has passed, locked in id order."""
        query = (select(WaitlistOffer).where(_o.status == OfferStatus.OPEN, _o.expires_at <= now)
                 .order_by(_o.id).limit(limit).with_for_update())
        return list((await self.tx.execute(query)).scalars())

    async def open_of_entries(self, entry_ids: list[uuid.UUID]) -> list[WaitlistOffer]:
        if not entry_ids:
            return []
        query = select(WaitlistOffer).where(_o.entry_id.in_(entry_ids),
                                            _o.status == OfferStatus.OPEN)
        return list((await self.tx.execute(query)).scalars())

    async def open_places(self, group_session_id: uuid.UUID) -> list[tuple[date, datetime]]:
        """A group session's open offers: the date each holds a place from."""
        query = (select(_e.first_date, _o.starts_at).join(waitlist_entries,
                                                          _e.id == _o.entry_id)
                 .where(_e.group_session_id == group_session_id,
                        _o.status == OfferStatus.OPEN))
        return [(row.first_date, row.starts_at) for row in await self.tx.execute(query)]
