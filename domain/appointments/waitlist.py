"""The waitlist: a client waiting for a practitioner's time in a range, or for a place in a full
group session from a date.

First come, first offered: entries are in line by when they joined. When a time frees (a
session is cancelled) the first entry waiting for it is offered it; a place freeing in a group
session is offered the same way. An offer holds what it offers for OFFER_HOLD (never past an
hour before the start): a one-to-one time as a held session nobody else can book, a group
place as one the capacity counts. Claimed in time, it is booked under the usual rules;
unclaimed, the sweep expires it (the deadline is `expires_at`) and offers it to the next in
line. An entry whose offer expired waits again for other times.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate, Event

OFFER_HOLD = timedelta(hours=2)
# A time starting sooner than this is not offered: it could not be paid before the automatic
# cancellation of the last hour.
LAST_OFFER_BEFORE = timedelta(hours=2)
CLAIM_BEFORE = timedelta(hours=1)
MAX_RANGE = timedelta(days=92)


class WaitlistKind(Enum):
    SESSION = "SESSION"
    GROUP_SESSION = "GROUP_SESSION"


class WaitlistStatus(Enum):
    WAITING = "WAITING"
    OFFERED = "OFFERED"
    BOOKED = "BOOKED"
    LEFT = "LEFT"
    PASSED = "PASSED"  # a group place offered and not claimed: out of line


class OfferStatus(Enum):
    OPEN = "OPEN"
    CLAIMED = "CLAIMED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class WaitlistOffered(Event):
    practice_id: uuid.UUID
    entry_id: uuid.UUID
    offer_id: uuid.UUID


@dataclass(eq=False)
class WaitlistEntry(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    kind: WaitlistKind
    client_id: uuid.UUID
    created_at: datetime
    status: WaitlistStatus
    # SESSION: a time with the relationship's practitioner inside [earliest, latest]
    relationship_id: uuid.UUID | None = None
    practitioner_id: uuid.UUID | None = None
    earliest: datetime | None = None
    latest: datetime | None = None
    # GROUP_SESSION: a place from this date of that group session on
    group_session_id: uuid.UUID | None = None
    first_date: date | None = None
    payer_id: uuid.UUID | None = None
    left_at: datetime | None = None

    def wants(self, starts_at: datetime, ends_at: datetime) -> bool:
        return (self.status is WaitlistStatus.WAITING and self.earliest is not None
                and self.latest is not None and self.earliest <= starts_at
                and ends_at <= self.latest)

    def offer(self, now: datetime, starts_at: datetime, *, ends_at: datetime | None = None,
              appointment_id: uuid.UUID | None = None) -> WaitlistOffer:
        """Holds what is offered until the offer's deadline, and tells the client."""
        if self.status is not WaitlistStatus.WAITING:
            raise ValueError(f"an entry {self.status.value} is not offered anything")
        self.status = WaitlistStatus.OFFERED
        offer = WaitlistOffer(
            id=uuid.uuid4(), practice_id=self.practice_id, entry_id=self.id,
            starts_at=starts_at, ends_at=ends_at, appointment_id=appointment_id,
            status=OfferStatus.OPEN, created_at=now, expires_at=offer_deadline(now, starts_at),
        )
        offer.record(WaitlistOffered(self.practice_id, self.id, offer.id))
        return offer

    def leave(self, now: datetime) -> None:
        if self.status in (WaitlistStatus.BOOKED, WaitlistStatus.LEFT, WaitlistStatus.PASSED):
            raise DomainError.one(ErrorCode.INVALID_STATE,
                                  f"This waitlist entry is {self.status.value}.", ["entryId"])
        self.status = WaitlistStatus.LEFT
        self.left_at = now


@dataclass(eq=False)
class WaitlistOffer(Aggregate):
    """One time (or group place) offered to one entry, claimable once until `expires_at`."""

    id: uuid.UUID
    practice_id: uuid.UUID
    entry_id: uuid.UUID
    starts_at: datetime
    status: OfferStatus
    created_at: datetime
    expires_at: datetime
    ends_at: datetime | None = None
    appointment_id: uuid.UUID | None = None  # the held session (SESSION offers)
    claimed_at: datetime | None = None
    claim_key: str | None = None
    subscription_id: uuid.UUID | None = None  # what claiming a group place enrolled

    def open_at(self, now: datetime) -> bool:
        return self.status is OfferStatus.OPEN and now < self.expires_at

    def claim(self, entry: WaitlistEntry, now: datetime, key: str | None) -> None:
        """INVALID_TOKEN once claimed, expired or withdrawn (the entry left)."""
        if not self.open_at(now) or entry.status is not WaitlistStatus.OFFERED:
            raise invalid_offer()
        self.status = OfferStatus.CLAIMED
        self.claimed_at = now
        self.claim_key = key
        entry.status = WaitlistStatus.BOOKED

    def expire(self, entry: WaitlistEntry) -> None:
        """Unclaimed: this goes to the next in line. A one-to-one entry waits again for other
        times; a group entry, whose date was its one wish, has passed."""
        self.status = OfferStatus.EXPIRED
        if entry.status is WaitlistStatus.OFFERED:
            entry.status = (WaitlistStatus.WAITING if entry.kind is WaitlistKind.SESSION
                            else WaitlistStatus.PASSED)


@dataclass(frozen=True)
class HeldPlace:
    """A group place an open offer holds, from the entry's date on: capacity counts it."""

    start_date: date
    end_date: date | None = None


def offer_deadline(now: datetime, starts_at: datetime) -> datetime:
    return min(now + OFFER_HOLD, starts_at - CLAIM_BEFORE)


def worth_offering(starts_at: datetime, now: datetime) -> bool:
    return starts_at - now > LAST_OFFER_BEFORE


def invalid_offer() -> DomainError:
    return DomainError.one(ErrorCode.INVALID_TOKEN,
                           "This waitlist offer has expired or was claimed.", ["token"])


def join_for_times(
    *, practice_id: uuid.UUID, relationship_id: uuid.UUID, practitioner_id: uuid.UUID,
    client_id: uuid.UUID, earliest: datetime, latest: datetime, now: datetime,
) -> WaitlistEntry:
    """INVALID on `to` unless the range is in the future, ends after it starts and spans at
    most MAX_RANGE."""
    if latest <= earliest:
        raise DomainError.one(ErrorCode.INVALID, "to must be after from.", ["to"])
    if latest <= now:
        raise DomainError.one(ErrorCode.INVALID, "The range must end in the future.", ["to"])
    if latest - earliest > MAX_RANGE:
        raise DomainError.one(ErrorCode.INVALID, "A range spans at most 92 days.", ["to"])
    return WaitlistEntry(
        id=uuid.uuid4(), practice_id=practice_id, kind=WaitlistKind.SESSION,
        client_id=client_id, created_at=now, status=WaitlistStatus.WAITING,
        relationship_id=relationship_id, practitioner_id=practitioner_id,
        earliest=max(earliest, now), latest=latest,
    )


def join_for_group_date(
    *, practice_id: uuid.UUID, group_session_id: uuid.UUID, client_id: uuid.UUID,
    payer_id: uuid.UUID, first_date: date, now: datetime,
) -> WaitlistEntry:
    return WaitlistEntry(
        id=uuid.uuid4(), practice_id=practice_id, kind=WaitlistKind.GROUP_SESSION,
        client_id=client_id, created_at=now, status=WaitlistStatus.WAITING,
        group_session_id=group_session_id, first_date=first_date, payer_id=payer_id,
    )
