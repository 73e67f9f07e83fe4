"""The demo practice's sessions: prices, a few weeks of history played through the real use
cases, sessions awaiting their attendance update, upcoming sessions and reserved slots.

Times are worked out from when `caseload demo` runs, on the practitioners' London clock:

- Dr Amara Okafor and Maya Patel meet on Mondays at 11:00. Three weeks ago and two weeks ago
  Maya attended and Amara rebooked the same weekly slot, reserving it; last Monday's session
  awaits its update.
- Amara sees Noah Brennan (his mother Claire pays) on Wednesdays at 15:00: last Wednesday's
  awaits its update, and one is booked for the Wednesday after next.
- Jonas Lindqvist sees Leo and Sofia Hartmann (Leo pays) on Fridays at 09:00: two Fridays ago
  they did not come (NO_SHOW) and Jonas rebooked the slot; last Friday's awaits its update, and
  a one-off Tuesday session is booked next week.
- The owner, Sam Rivers, sees Elena Costa on Thursdays at 14:00, a slot kept for her with
  reserveSlot: last Thursday's awaits its update, and a Tuesday session is booked next week.

Each past session was paid as the sweep would have paid it (a day before, by card). Updates in
the past are submitted as of an hour after each session, so each follow-up was in the future
when it was booked, as the rules require. Claire, Leo and Elena sign in with a card on file,
like Maya (same password). It is all added once: a demo practice that has sessions is left
alone, and one made before sessions existed gets them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from caseload.demo_clients import CLIENT_EMAIL, _profile, _sign_up_with_card
from domain.accounts.practice import Role, Weekday
from domain.appointments.appointments import Appointment, Continuation
from domain.appointments.availability import to_utc
from domain.clients.relationships import RelationshipKind, RelationshipStatus
from domain.shared.errors import DomainError
from persistence import tables
from persistence.database import Database
from resolvers.accounts import practice as accounts
from resolvers.appointments import attendance, booking, reserved_slots
from resolvers.appointments.appointment_money import AppointmentMoney
from resolvers.clients import clients, relationships
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext, Services
from resolvers.shared.loaders import Loaders

TIMEZONE = ZoneInfo("Europe/London")
LENGTH = 50
PRICES = {
    "owner@demo-practice.example.com": Decimal("90.00"),
    "amara@demo-practice.example.com": Decimal("85.00"),
    "jonas@demo-practice.example.com": Decimal("75.00"),
}
ELENA_EMAIL = "elena.costa@demo-client.example.com"

# A context as of an instant: the demo replays weeks of a practice's life.
At = Callable[[Viewer | None, datetime], RequestContext]


def contexts(services: Services) -> At:
    def at(viewer: Viewer | None, now: datetime) -> RequestContext:
        return RequestContext(services, viewer, now, f"demo-{uuid.uuid4().hex[:8]}",
                              Loaders(services.db, now))

    return at


async def ensure_demo_appointments(services: Services, owner: Viewer, secret: str) -> list[str]:
    """Prices for practitioners without one, then the sessions once; answers what to print."""
    at, now = contexts(services), services.clock()
    said = [f"Session price set for {email}." for email in await ensure_prices(at, owner, now)]
    if await has_appointments(services.db, owner.practice_id):
        return said
    skipped = await add_demo_appointments(at, owner, secret, now)
    said.append("Demo sessions added: past ones awaiting updates, upcoming ones, reserved "
                "slots.")
    said.extend(f"  (left out {line})" for line in skipped)
    return said


@dataclass(frozen=True)
class Weekly:
    weekday: Weekday
    at: time

    def latest_before(self, now: datetime) -> datetime:
        """The latest occurrence that has ended by `now`, in UTC."""
        today = now.astimezone(TIMEZONE).date()
        for back in range(15):
            day = today - timedelta(days=back)
            if day.weekday() == self.weekday.value:
                starts = to_utc(day, self.at, TIMEZONE)
                if starts + timedelta(minutes=LENGTH) <= now:
                    return starts
        raise AssertionError("a weekday comes round within a fortnight")

    def weeks_later(self, start: datetime, weeks: int) -> datetime:
        local: date = start.astimezone(TIMEZONE).date() + timedelta(weeks=weeks)
        return to_utc(local, self.at, TIMEZONE)


async def has_appointments(db: Database, practice_id: uuid.UUID) -> bool:
    async with db.reading() as tx:
        count = await tx.scalar(
            select(func.count()).select_from(tables.appointments)
            .where(tables.appointments.c.practice_id == practice_id)
        )
    return bool(count)


async def ensure_prices(at: At, owner: Viewer, now: datetime) -> list[str]:
    """Each demo practitioner without a price gets one; answers whose were set."""
    staff = await _staff(at(owner, now).db, owner.practice_id)
    changed = []
    for email, price in PRICES.items():
        found = staff.get(email)
        if found is not None and found[1] is None:
            await accounts.set_appointment_price(at(owner, now), found[0], price)
            changed.append(email)
    return changed


async def add_demo_appointments(at: At, owner: Viewer, secret: str, now: datetime) -> list[str]:
    """Plays each storyline; answers the ones that could not be played (the demo practice may
    have been changed by hand since it was made)."""
    db = at(owner, now).db
    staff = await _staff(db, owner.practice_id)
    amara = _as_practitioner(owner, staff["amara@demo-practice.example.com"][0])
    jonas = _as_practitioner(owner, staff["jonas@demo-practice.example.com"][0])
    story = _Story(at, owner, now)
    skipped = []
    plays = [
        ("Maya", lambda: story.maya(amara)),
        ("Noah", lambda: story.noah(amara, secret)),
        ("Leo and Sofia", lambda: story.hartmanns(jonas, secret)),
        ("Elena", lambda: story.elena(secret)),
    ]
    for name, play in plays:
        try:
            await play()
        except (DomainError, LookupError) as error:
            skipped.append(f"{name}: {error}")
    return skipped


class _Story:
    def __init__(self, at: At, owner: Viewer, now: datetime) -> None:
        self.at = at
        self.owner = owner
        self.now = now

    async def maya(self, amara: Viewer) -> None:
        relationship = await self._relationship(amara, CLIENT_EMAIL)
        weekly = Weekly(Weekday.MONDAY, time(11, 0))
        last = weekly.latest_before(self.now)
        first = await self._book(relationship, weekly.weeks_later(last, -2))
        second = await self._update(amara, first, True, Continuation.SAME_WEEKLY_SLOT,
                                    reserve=True)
        third = await self._update(amara, second, True, Continuation.SAME_WEEKLY_SLOT)
        await self._pay(third, third.starts_at - timedelta(days=1))

    async def noah(self, amara: Viewer, secret: str) -> None:
        claire = await self._client_by_email("claire.brennan@demo-client.example.com")
        await self._card(claire, secret)
        relationship = await self._relationship(amara, "claire.brennan@demo-client.example.com")
        weekly = Weekly(Weekday.WEDNESDAY, time(15, 0))
        last = await self._book(relationship, weekly.latest_before(self.now))
        await self._pay(last, last.starts_at - timedelta(days=1))
        await self._book(relationship, weekly.weeks_later(last.starts_at, 2))

    async def hartmanns(self, jonas: Viewer, secret: str) -> None:
        leo = await self._client_by_email("leo.hartmann@demo-client.example.com")
        await self._card(leo, secret)
        relationship = await self._relationship(jonas, "leo.hartmann@demo-client.example.com")
        weekly = Weekly(Weekday.FRIDAY, time(9, 0))
        last = weekly.latest_before(self.now)
        missed = await self._book(relationship, weekly.weeks_later(last, -1))
        follow_up = await self._update(jonas, missed, False, Continuation.SAME_WEEKLY_SLOT)
        await self._pay(follow_up, follow_up.starts_at - timedelta(days=1))
        await self._book(relationship, _next(Weekday.TUESDAY, time(10, 0), self.now))

    async def elena(self, secret: str) -> None:
        owner = self.owner
        try:
            elena = await self._client_by_email(ELENA_EMAIL)
        except LookupError:
            elena = (await clients.create_client(self.at(owner, self.now), _profile(
                "Elena", "Costa", ELENA_EMAIL, "+447911123404", date(1979, 9, 23),
                "London"))).id
        await self._card(elena, secret)
        created = await relationships.create_relationship(
            self.at(owner, self.now), practitioner_id=owner.practitioner_id,
            kind=RelationshipKind.INDIVIDUAL, client_ids=[elena], payer_id=None)
        weekly = Weekly(Weekday.THURSDAY, time(14, 0))
        await reserved_slots.reserve(self.at(owner, self.now), reserved_slots.SlotRequest(
            created.id, weekly.weekday, weekly.at.strftime("%H:%M"), LENGTH))
        last = await self._book(created.id, weekly.latest_before(self.now))
        await self._pay(last, last.starts_at - timedelta(days=1))
        await self._book(created.id, _next(Weekday.TUESDAY, time(16, 0), self.now))

    # ------------------------------------------------------------ steps

    async def _book(self, relationship_id: uuid.UUID, starts_at: datetime) -> Appointment:
        """Booked by the practice a week before it starts (or now, if that is earlier)."""
        booked_at = min(self.now, starts_at - timedelta(days=7))
        return await booking.book_appointment(self.at(self.owner, booked_at),
                booking.BookingRequest(
            relationship_id=relationship_id, practitioner_id=None, for_client_id=None,
            starts_at=starts_at, duration_minutes=LENGTH, package_id=None,
            idempotency_key=None))

    async def _update(
        self, practitioner: Viewer, appointment: Appointment, attended: bool,
        continuation: Continuation, *, reserve: bool = False,
    ) -> Appointment:
        """Paid the day before, updated an hour after it started; answers the follow-up."""
        await self._pay(appointment, appointment.starts_at - timedelta(days=1))
        outcome = await attendance.submit_attendance_update(
            self.at(practitioner, appointment.starts_at + timedelta(hours=1)),
            attendance.AttendanceRequest(appointment.id, attended, continuation, None, reserve))
        assert outcome.follow_up is not None
        return outcome.follow_up

    async def _pay(self, appointment: Appointment, when: datetime) -> None:
        ctx = self.at(self.owner, when)
        await AppointmentMoney(ctx.db, when, ctx.payments).take_fee(appointment.id)

    async def _card(self, client_id: uuid.UUID, secret: str) -> None:
        async with self.at(self.owner, self.now).reading() as uow:
            if await uow.payment_methods.of_client(client_id) is not None:
                return
            account = await uow.memberships.of_client(client_id)
        if account is None:
            await _sign_up_with_card(lambda viewer: self.at(viewer, self.now), self.owner,
                                     client_id, secret)

    async def _client_by_email(self, email: str) -> uuid.UUID:
        async with self.at(self.owner, self.now).reading() as uow:
            found = await uow.clients.first(
                tables.clients.c.practice_id == self.owner.practice_id,
                tables.clients.c.email == email)
        if found is None:
            raise LookupError(f"no client {email}")
        return found.id

    async def _relationship(self, practitioner: Viewer, payer_email: str) -> uuid.UUID:
        """The practitioner's ACTIVE relationship paid for by the client with that email."""
        payer = await self._client_by_email(payer_email)
        r = tables.relationships
        async with self.at(self.owner, self.now).reading() as uow:
            found = await uow.relationships.first(
                r.c.practitioner_id == practitioner.practitioner_id, r.c.payer_id == payer,
                r.c.status == RelationshipStatus.ACTIVE)
        if found is None:
            raise LookupError(f"no active relationship paid by {payer_email}")
        return found.id


def _next(weekday: Weekday, at: time, now: datetime) -> datetime:
    """The first occurrence at least two days after `now`."""
    day = (now + timedelta(days=2)).astimezone(TIMEZONE).date()
    while day.weekday() != weekday.value:
        day += timedelta(days=1)
    return to_utc(day, at, TIMEZONE)


def _as_practitioner(owner: Viewer, practitioner_id: uuid.UUID) -> Viewer:
    return Viewer(account_id=uuid.uuid4(), practice_id=owner.practice_id,
                  role=Role.PRACTITIONER, practitioner_id=practitioner_id)


async def _staff(
    db: Database, practice_id: uuid.UUID
) -> dict[str, tuple[uuid.UUID, Decimal | None]]:
    p = tables.practitioners
    async with db.reading() as tx:
        rows = await tx.execute(
            select(p.c.email, p.c.id, p.c.appointment_price).where(p.c.practice_id == practice_id))
        return {email: (practitioner_id, price) for email, practitioner_id, price in rows}
