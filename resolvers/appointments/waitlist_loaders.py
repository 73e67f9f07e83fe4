"""DataLoaders of the waitlist: entries by id, and each entry's open offer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from domain.appointments.waitlist import OfferStatus, WaitlistEntry, WaitlistOffer
from persistence import tables
from persistence.database import Reads
from persistence.read_rows import entities_of, rows_of
from resolvers.shared.loader_base import BatchLoader, ByIdLoader


class WaitlistEntryByIdLoader(ByIdLoader[WaitlistEntry]):
    model = WaitlistEntry


class OpenOfferByEntryIdLoader(BatchLoader[uuid.UUID, WaitlistOffer | None]):
    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, entry_ids: Sequence[uuid.UUID]) -> list[WaitlistOffer | None]:
        o = tables.waitlist_offers.c
        async with self.db.reading() as tx:
            found = {item.entry_id: item for item in await rows_of(
                tx, WaitlistOffer, entities_of(WaitlistOffer)
                .where(o.entry_id.in_(entry_ids), o.status == OfferStatus.OPEN))}
        return [found.get(entry_id) for entry_id in entry_ids]


class WaitlistLoaders:
    def __init__(self, db: Reads) -> None:
        self.entry_by_id = WaitlistEntryByIdLoader(db)
        self.open_offer_by_entry_id = OpenOfferByEntryIdLoader(db)
