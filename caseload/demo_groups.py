"""The demo practice's group sessions (seed 001), played through the real use cases.

Two services, worked out from when `caseload demo` runs, on the practitioners' London clock:

- Yoga: Tuesday Yoga with Jonas Lindqvist at 18:00 (12 places, 60.00 a month) and Saturday
  Morning Yoga with him at 09:30 (10 places, 55.00 a month).
- Pilates: Thursday Pilates with Dr Amara Okafor at 19:00 (8 places, 64.00 a month).

Four weeks ago Maya Patel enrolled in Tuesday Yoga (paid now, by card), Leo Hartmann in
Thursday Pilates (paid now if he keeps a card, else to pay later), Claire Brennan enrolled her
son Noah in Saturday Morning Yoga and pays for it (to pay later), and Tomás Álvarez joined
Tuesday Yoga on a free trial month (closed without payment). This week Maya moved from
Tuesday Yoga to Thursday Pilates: her Tuesday subscription ended on this week's Tuesday, and
the new one, from the next Thursday, took the transfer preview's suggested credit as its
discount and was paid now. Later months are invoiced by the sweep, as in any practice.

It is added once: a demo practice that has services is left alone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from domain.accounts.practice import Weekday
from domain.billing.billing import Checkout
from domain.groups.group_sessions import weekday_dates
from persistence import tables
from persistence.database import Database
from resolvers.groups import enrolment, group_sessions
from resolvers.groups.access import local_today
from resolvers.shared.auth import Viewer
from resolvers.shared.context import Services

TIMEZONE = "Europe/London"
HISTORY = timedelta(weeks=4)


async def has_services(db: Database, practice_id: uuid.UUID) -> bool:
    async with db.reading() as tx:
        count = await tx.scalar(
            select(func.count()).select_from(tables.services)
            .where(tables.services.c.practice_id == practice_id)
        )
    return bool(count)


async def practice_ids(db: Database, practice_id: uuid.UUID) -> tuple[dict[str, uuid.UUID],
                                                             dict[str, uuid.UUID], set[uuid.UUID]]:
    """Practitioners by email, clients by full name, and the clients who keep a card."""
    async with db.reading() as tx:
        staff = {row.email: row.id for row in await tx.execute(
            select(tables.practitioners.c.email, tables.practitioners.c.id)
            .where(tables.practitioners.c.practice_id == practice_id))}
        people = {f"{row.first_name} {row.last_name}": row.id for row in await tx.execute(
            select(tables.clients.c.first_name, tables.clients.c.last_name, tables.clients.c.id)
            .where(tables.clients.c.practice_id == practice_id))}
        cards = set((await tx.execute(
            select(tables.payment_methods.c.client_id)
            .where(tables.payment_methods.c.practice_id == practice_id))).scalars())
    return staff, people, cards


def _on_or_after(weekday: Weekday, day: date) -> date:
    return next(weekday_dates(weekday, day))


def _on_or_before(weekday: Weekday, day: date) -> date:
    return _on_or_after(weekday, day - timedelta(days=6))


async def ensure_demo_groups(services: Services, owner: Viewer) -> list[str]:
    """The services, sessions, subscribers and one transfer, once; answers what to print."""
    from caseload.demo_appointments import contexts

    if await has_services(services.db, owner.practice_id):
        return []
    at, now = contexts(services), services.clock()
    then = now - HISTORY
    staff, people, cards = await practice_ids(services.db, owner.practice_id)
    jonas = staff.get("jonas@demo-practice.example.com", owner.practitioner_id)
    amara = staff.get("amara@demo-practice.example.com", owner.practitioner_id)
    earlier = local_today(then, TIMEZONE) - timedelta(weeks=4)

    async def group_session(service: uuid.UUID, name: str, practitioner: uuid.UUID | None,
                      weekday: Weekday, start: str, capacity: int, price: str) -> uuid.UUID:
        created = await group_sessions.create_group_session(
            at(owner, then), group_sessions.GroupSessionRequest(
                service_id=service, name=name, practitioner_id=practitioner, weekday=weekday,
                start_time=start, duration_minutes=60, capacity=capacity,
                monthly_price=Decimal(price), starts_on=_on_or_after(weekday, earlier),
                ends_on=None))
        return created.id

    yoga = (await group_sessions.create_service(
        at(owner, then), "Yoga", "Gentle flow for every level; mats provided.")).id
    pilates = (await group_sessions.create_service(
        at(owner, then), "Pilates", "Mat Pilates for strength and posture.")).id
    tuesday = await group_session(yoga, "Tuesday Yoga", jonas, Weekday.TUESDAY, "18:00", 12,
            "60.00")
    saturday = await group_session(yoga, "Saturday Morning Yoga", jonas, Weekday.SATURDAY, "09:30",
                             10, "55.00")
    thursday = await group_session(pilates, "Thursday Pilates", amara, Weekday.THURSDAY, "19:00", 8,
                             "64.00")

    start = local_today(then, TIMEZONE)

    async def enrol(who: str, group_session_id: uuid.UUID, weekday: Weekday, checkout: Checkout,
                    payer: str | None = None) -> uuid.UUID | None:
        if who not in people or (payer is not None and payer not in people):
            return None
        if checkout is Checkout.PAY_NOW and people[payer or who] not in cards:
            checkout = Checkout.PAY_LATER
        done = await enrolment.enroll_in_group_session(at(owner, then), enrolment.EnrolmentRequest(
            client_id=people[who], group_session_id=group_session_id,
            first_date=_on_or_after(weekday, start), payer_id=people.get(payer or ""),
            discount=None, checkout=checkout,
                    idempotency_key=f"demo-enrol-{who}-{group_session_id}"))
        return done.subscription.id

    maya = await enrol("Maya Patel", tuesday, Weekday.TUESDAY, Checkout.PAY_NOW)
    await enrol("Leo Hartmann", thursday, Weekday.THURSDAY, Checkout.PAY_NOW)
    await enrol("Noah Brennan", saturday, Weekday.SATURDAY, Checkout.PAY_LATER,
                payer="Claire Brennan")
    await enrol("Tomás Álvarez", tuesday, Weekday.TUESDAY, Checkout.CLOSE_NOW)
    said = ["Demo group sessions added: Yoga (Tuesday, Saturday) and Pilates (Thursday), "
            "with subscribers."]
    if maya is not None:
        paid_now = people["Maya Patel"] in cards
        said.append(await _move_maya(services, owner, maya, thursday, now, paid_now))
    return said


async def _move_maya(services: Services, owner: Viewer, subscription: uuid.UUID,
                     thursday: uuid.UUID, now: datetime, paid_now: bool) -> str:
    """The seed's transfer: from this week's Tuesday to the next Thursday, the suggested
    credit as the discount (never more than the new invoice), paid now."""
    from caseload.demo_appointments import contexts

    at = contexts(services)
    today = local_today(now, TIMEZONE)
    transfer_date = _on_or_before(Weekday.TUESDAY, today)
    first_date = _on_or_after(Weekday.THURSDAY, today)
    shown = await group_sessions.transfer_preview(at(owner, now), group_sessions.PreviewRequest(
        subscription, transfer_date, thursday, first_date))
    subtotal = sum((line.amount.amount for line in shown.lines), Decimal(0))
    credit = min(shown.suggested_credit.amount, subtotal)
    discount = enrolment.DiscountRequest(
        None, credit, "Unused Tuesday Yoga dates already paid for") if credit > 0 else None
    done = await enrolment.transfer_group_session(at(owner, now), enrolment.TransferRequest(
        subscription_id=subscription, transfer_date=transfer_date, to_group_session_id=thursday,
        first_date=first_date, discount=discount,
        checkout=Checkout.PAY_NOW if paid_now else Checkout.PAY_LATER,
        idempotency_key="demo-transfer-maya"))
    return (f"  Maya Patel moved from Tuesday Yoga (ended {transfer_date}) to Thursday Pilates "
            f"(from {first_date}); invoice {done.invoice.number}, {done.invoice.status.value}.")
