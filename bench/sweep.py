"""Benchmark: the sweep over 100,000 sessions, step by step.

    python bench/sweep.py [--sessions N] [--weeks W] [--clients C] [--outage-hours H]
                          [--gateway sandbox|instant] [--database-url URL]

It seeds one practice with bulk Core inserts: practitioners, clients and relationships
(bench/caseload.py), cards in the sandbox gateway (a few that decline, a few payers whose card
was removed), and `--sessions` sessions on the hour over `--weeks` weeks centred on now,
each in the state the sweep would have left it in had it last run `--outage-hours` ago (24 by
default): the past attended, missed, cancelled or still awaiting its update, and paid; the
next day already charged (or refused) but not reminded; the day after that not charged yet.
Then it runs three sweeps, timing each step (rows acted on, seconds, SQL statements):

1. now: catching up after the outage (a day's charges and reminders at once);
2. one minute later: the steady state, what a sweep every minute costs on this database;
3. the same minute again: nothing left to do (idempotent).

Each step is timed as jobs/sweep/run.py runs it (STEPS, then the outbox relay, whose messages
go nowhere here: no emails are sent). The sandbox gateway stands in for the provider, in the
same database, so charging includes its reads and writes (about a dozen round trips a charge);
`--gateway instant` answers each charge at once instead, which leaves the sweep's own cost.
Finally it checks that no session was charged twice and that nothing due was left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository, not bench/ (whose caseload.py would hide the caseload package), comes first.
sys.path[0] = str(ROOT)

from sqlalchemy import func, select  # noqa: E402

from bench.caseload import build_caseload  # noqa: E402
from bench.database import prepare_database  # noqa: E402
from bench.seed import insert, seed_practice  # noqa: E402
from domain.accounts.payments import ChargeOutcome, ChargeResult  # noqa: E402
from domain.appointments.appointments import (  # noqa: E402
    ChargeStatus,
    Continuation,
    appointment_charge_key,
)
from domain.appointments.policy import AppointmentStatus, CancelledBy  # noqa: E402
from domain.clients.relationships import RelationshipStatus  # noqa: E402
from jobs.relay import relay  # noqa: E402
from jobs.sweep.run import STEPS, SweepContext  # noqa: E402
from persistence import tables  # noqa: E402
from persistence.database import Database, StatementCounter, statement_counter  # noqa: E402
from persistence.sandbox_gateway import SandboxGateway  # noqa: E402

PRICE = Decimal("80.00")
LENGTH = timedelta(minutes=50)
NOTICE = timedelta(hours=48)
FIRST_HOUR, LAST_HOUR = 8, 19  # sessions start on the hour, 08:00 to 19:00 UTC
DECLINING_SHARE = 0.03  # relationships whose payer's card declines
NO_CARD_SHARE = 0.02  # relationships whose payer removed their card after booking
CANCELLED_SHARE = 0.08  # cancelled with notice, free
SEED = 20_240_601


@dataclass
class Expected:
    """What the seeded state owes the first sweep, counted while generating it."""

    charges: int = 0
    auto_cancels: int = 0
    reminders: int = 0


@dataclass
class Seeded:
    practitioners: int
    clients: int
    relationships: int
    appointments: int
    by_status: dict[str, int]
    expected: Expected
    seconds: float


@dataclass
class Rows:
    appointments: list[dict[str, Any]] = field(default_factory=list)
    attendees: list[dict[str, Any]] = field(default_factory=list)
    charges: list[dict[str, Any]] = field(default_factory=list)
    sandbox_charges: list[dict[str, Any]] = field(default_factory=list)
    sandbox_cards: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Payer:
    """A bookable relationship: who pays, with which card (None: removed), and how it ends."""

    relationship_id: uuid.UUID
    practitioner_id: uuid.UUID
    payer_id: uuid.UUID
    client_ids: tuple[uuid.UUID, ...]
    method_id: uuid.UUID | None
    card_reference: str | None
    declines: bool


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/sweep.py",
        description="Seed a practice with many sessions and time one sweep, step by step.")
    parser.add_argument("--sessions", dest="appointments", type=int, default=100_000,
                        help="sessions to seed (default 100000)")
    parser.add_argument("--weeks", type=int, default=12,
                        help="weeks the sessions spread over, half past, half ahead (default 12)")
    parser.add_argument("--clients", type=int, default=20_000,
                        help="clients of the practice (default 20000)")
    parser.add_argument("--outage-hours", type=float, default=24.0,
                        help="how long ago the sweep last ran (default 24)")
    parser.add_argument("--gateway", choices=("sandbox", "instant"), default="sandbox",
                        help="the sandbox gateway (default), or one that answers at once")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL database whose name contains 'bench' or 'test'; it "
                             "is RESET. Default: an SQLite file in a temporary folder")
    args = parser.parse_args(argv)
    if args.appointments < 1 or args.weeks < 1 or args.clients < 10 or args.outage_hours < 0:
        parser.error("--sessions, --weeks and --clients must be positive, --outage-hours >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="caseload-sweep-bench-") as folder:
        url = prepare_database(args.database_url, Path(folder))
        return asyncio.run(run(args, url))


async def run(args: argparse.Namespace, url: str) -> int:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    db = Database(url)
    try:
        seeded = await seed(db, args, now)
        describe(args, url, seeded)
        gateway = gateway_for(args, db, now)
        first = await timed_sweep(db, gateway, now)
        print_sweep(f"sweep 1: now, {args.outage_hours:g} h after the last one", first)
        later = now + timedelta(minutes=1)
        second = await timed_sweep(db, gateway, later)
        print_sweep("sweep 2: one minute later (the steady state)", second)
        third = await timed_sweep(db, gateway, later)
        print_sweep("sweep 3: the same minute again (nothing left to do)", third)
        problems = await check(db, later, seeded.expected, first)
    finally:
        await db.dispose()
    for line in problems:
        print(f"! {line}")
    if not problems:
        print("checks     no session charged twice; nothing due left behind; "
              "first sweep did what was due")
    return 1 if problems else 0


# ------------------------------------------------------------------ seeding


async def seed(db: Database, args: argparse.Namespace, now: datetime) -> Seeded:
    started = time.perf_counter()
    slots_per_week = 7 * (LAST_HOUR - FIRST_HOUR + 1)
    # enough practitioners that about 80% of their hourly slots are booked
    practitioners = max(1, math.ceil(args.appointments / (slots_per_week * args.weeks * 0.8)))
    rng = random.Random(SEED)
    async with db.write_engine.begin() as connection:
        practice_id = await seed_practice(connection, practitioners)
        staff = list((await connection.execute(
            select(tables.practitioners.c.id)
            .where(tables.practitioners.c.practice_id == practice_id)
        )).scalars())
        caseload = build_caseload(practice_id, staff, args.clients, now)
        await insert(connection, tables.clients, caseload.clients)
        await insert(connection, tables.relationships, caseload.relationships)
        await insert(connection, tables.relationship_clients, caseload.attendees)
        await insert(connection, tables.payment_methods, caseload.payment_methods)
        payers = bookable(caseload, rng)
        rows, expected = appointment_rows(practice_id, staff, payers, args, now, rng)
        await insert(connection, tables.sandbox_cards, rows.sandbox_cards)
        await insert(connection, tables.appointments, rows.appointments)
        await insert(connection, tables.appointment_attendees, rows.attendees)
        await insert(connection, tables.sandbox_charges, rows.sandbox_charges)
        await insert(connection, tables.charges, rows.charges)
    async with db.write_engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")
    by_status: dict[str, int] = defaultdict(int)
    for row in rows.appointments:
        by_status[row["status"].name] += 1
    return Seeded(len(staff), len(caseload.clients), len(payers), len(rows.appointments),
                  dict(by_status), expected, time.perf_counter() - started)


def bookable(caseload: Any, rng: random.Random) -> list[Payer]:
    """Active relationships whose payer has a card, and a few whose payer removed it."""
    cards = {m["client_id"]: m for m in caseload.payment_methods}
    attending: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for row in caseload.attendees:
        attending[row["relationship_id"]].append(row["client_id"])
    payers = []
    for relationship in caseload.relationships:
        if relationship["status"] is not RelationshipStatus.ACTIVE:
            continue
        card = cards.get(relationship["payer_id"])
        if card is None and rng.random() >= NO_CARD_SHARE:
            continue  # never had a card: nothing could be booked for them
        payers.append(Payer(
            relationship["id"], relationship["practitioner_id"], relationship["payer_id"],
            tuple(attending[relationship["id"]]), card["id"] if card else None,
            card["gateway_reference"] if card else None,
            card is not None and rng.random() < DECLINING_SHARE,
        ))
    return payers


def appointment_rows(
    practice_id: uuid.UUID, staff: list[uuid.UUID], payers: list[Payer],
    args: argparse.Namespace, now: datetime, rng: random.Random,
) -> tuple[Rows, Expected]:
    """Sessions on free hourly slots of each practitioner (never overlapping, so PostgreSQL's
    exclusion constraint is satisfied), each in the state the last sweep left it in."""
    rows, expected = Rows(), Expected()
    for payer in payers:
        if payer.card_reference is not None:
            token = "tok_chargeDeclined" if payer.declines else "tok_visa"
            if payer.declines:
                DECLINING_REFERENCES.add(payer.card_reference)
            rows.sandbox_cards.append({
                "reference": payer.card_reference, "token": token, "brand": "visa",
                "last4": "0002" if payer.declines else "4242", "exp_month": 12,
                "exp_year": now.year + 2, "created_at": now - timedelta(days=400),
                "detached_at": None,
            })
    by_practitioner: dict[uuid.UUID, list[Payer]] = defaultdict(list)
    for payer in payers:
        by_practitioner[payer.practitioner_id].append(payer)
    start_day = (now - timedelta(weeks=args.weeks / 2)).replace(hour=0, minute=0)
    slots = [
        (practitioner, start_day + timedelta(days=day, hours=hour))
        for practitioner in staff if by_practitioner[practitioner]
        for day in range(7 * args.weeks)
        for hour in range(FIRST_HOUR, LAST_HOUR + 1)
    ]
    rng.shuffle(slots)
    last_sweep = now - timedelta(hours=args.outage_hours)
    turn: dict[uuid.UUID, int] = defaultdict(int)
    for practitioner, starts_at in slots[:args.appointments]:
        mine = by_practitioner[practitioner]
        payer = mine[turn[practitioner] % len(mine)]
        turn[practitioner] += 1
        add_appointment(rows, expected, practice_id, practitioner, payer, starts_at, now,
                last_sweep,
                rng)
    return rows, expected


def add_appointment(
    rows: Rows, expected: Expected, practice_id: uuid.UUID, practitioner_id: uuid.UUID,
    payer: Payer, starts_at: datetime, now: datetime, last_sweep: datetime,
    rng: random.Random,
) -> None:
    appointment_id = uuid.uuid4()
    row: dict[str, Any] = {
        "id": appointment_id, "practice_id": practice_id, "practitioner_id": practitioner_id,
        "relationship_id": payer.relationship_id, "payer_id": payer.payer_id,
        "starts_at": starts_at, "ends_at": starts_at + LENGTH,
        "status": AppointmentStatus.SCHEDULED, "price": PRICE, "currency": "GBP",
        "created_at": starts_at - timedelta(days=14), "booked_by_id": None,
        "package_id": None, "charge_id": None, "payment_failed_at": None,
        "reminder_sent_at": None, "cancelled_at": None, "cancelled_by": None,
        "cancel_reason": None, "attended": None, "continuation": None,
        "update_submitted_at": None, "follow_up_of_id": None,
    }
    rows.appointments.append(row)
    rows.attendees.extend({"appointment_id": appointment_id, "client_id": client_id,
                           "position": position}
                          for position, client_id in enumerate(payer.client_ids))
    if rng.random() < CANCELLED_SHARE:
        row.update(status=AppointmentStatus.CANCELLED, cancelled_by=CancelledBy.CLIENT,
                   cancelled_at=starts_at - timedelta(days=5))
        return
    failing = payer.card_reference is None or payer.declines
    # What the last sweep did: charged it once inside the window, reminded it a day before,
    # and cancelled it in its last hour if payment had failed.
    if starts_at - NOTICE <= last_sweep:
        charge(rows, row, payer, starts_at - NOTICE)
    if starts_at - timedelta(hours=24) <= last_sweep:
        row["reminder_sent_at"] = starts_at - timedelta(hours=24)
    if failing and starts_at - timedelta(hours=1) <= last_sweep:
        row.update(status=AppointmentStatus.AUTO_CANCELLED,
                   cancelled_at=starts_at - timedelta(hours=1))
    elif starts_at < now - timedelta(days=7) or (starts_at < now and rng.random() < 0.5):
        row.update(**finished(starts_at, rng))
    due(expected, row, failing, now)


def finished(starts_at: datetime, rng: random.Random) -> dict[str, Any]:
    """A past session after its attendance update (or a late cancellation)."""
    roll = rng.random()
    if roll < 0.05:
        return {"status": AppointmentStatus.LATE_CANCELLED, "cancelled_by": CancelledBy.CLIENT,
                "cancelled_at": starts_at - timedelta(hours=20)}
    attended = roll >= 0.11
    return {"status": AppointmentStatus.ATTENDED if attended else AppointmentStatus.NO_SHOW,
            "attended": attended, "continuation": Continuation.SAME_WEEKLY_SLOT,
            "update_submitted_at": starts_at + timedelta(hours=2)}


def charge(rows: Rows, row: dict[str, Any], payer: Payer, when: datetime) -> None:
    key = appointment_charge_key(row["id"], payer.method_id)
    succeeded = payer.card_reference is not None and not payer.declines
    charge_id = uuid.uuid4()
    reference = f"ch_{uuid.uuid4().hex[:24]}" if payer.card_reference else ""
    rows.charges.append({
        "id": charge_id, "practice_id": row["practice_id"], "appointment_id": row["id"],
        "payer_id": payer.payer_id, "amount": PRICE, "currency": "GBP",
        "status": ChargeStatus.SUCCEEDED if succeeded else ChargeStatus.FAILED,
        "idempotency_key": key, "gateway_reference": reference, "created_at": when,
        "refund_requested_at": None, "refunded_at": None,
    })
    if payer.card_reference is not None:
        rows.sandbox_charges.append({
            "reference": reference, "card_reference": payer.card_reference, "amount": PRICE,
            "currency": "GBP", "idempotency_key": key,
            "status": "SUCCEEDED" if succeeded else "DECLINED",
            "decline_reason": None if succeeded else "card_declined", "created_at": when,
            "refund_reference": None, "refund_idempotency_key": None, "refunded_at": None,
        })
    if succeeded:
        row["charge_id"] = charge_id
    else:
        row["payment_failed_at"] = when


def due(expected: Expected, row: dict[str, Any], failing: bool, now: datetime) -> None:
    """Count what the first sweep should do for this session."""
    status, starts_at = row["status"], row["starts_at"]
    unpaid = row["charge_id"] is None
    if status in (AppointmentStatus.SCHEDULED, AppointmentStatus.LATE_CANCELLED) and unpaid \
            and row["payment_failed_at"] is None and starts_at <= now + NOTICE:
        expected.charges += 1
    if status is AppointmentStatus.SCHEDULED and unpaid and failing \
            and now < starts_at <= now + timedelta(hours=1):
        expected.auto_cancels += 1
    if status is AppointmentStatus.SCHEDULED and row["reminder_sent_at"] is None \
            and now + timedelta(hours=1) < starts_at <= now + timedelta(hours=24):
        expected.reminders += 1


# ------------------------------------------------------------------ sweeping


class InstantGateway:
    """Answers each charge at once, from the seeded cards (a repeated key, the first answer):
    what is left is the sweep's own cost."""

    def __init__(self, declining: set[str]) -> None:
        self.declining = declining
        self.answers: dict[str, ChargeResult] = {}

    async def charge(self, card_reference: str, amount: Decimal, currency: str,
                     idempotency_key: str) -> ChargeResult:
        if idempotency_key not in self.answers:
            declined = card_reference in self.declining
            self.answers[idempotency_key] = ChargeResult(
                f"ch_{uuid.uuid4().hex[:24]}",
                ChargeOutcome.DECLINED if declined else ChargeOutcome.SUCCEEDED,
                amount, currency, "card_declined" if declined else None)
        return self.answers[idempotency_key]

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"the instant gateway does not {name}")


def gateway_for(args: argparse.Namespace, db: Database, now: datetime) -> Any:
    if args.gateway == "instant":
        return InstantGateway(DECLINING_REFERENCES)
    return SandboxGateway(db, lambda: now)


DECLINING_REFERENCES: set[str] = set()  # filled while seeding


@dataclass
class Step:
    name: str
    rows: int
    seconds: float
    statements: int


async def timed_sweep(db: Database, gateway: Any, now: datetime) -> list[Step]:
    """jobs.sweep.run.run_sweep, one step at a time, with a stopwatch and a statement counter."""
    context = SweepContext(db, now, gateway)
    steps = []
    for name, step in STEPS:
        steps.append(await timed(name, lambda step=step: step(context)))  # type: ignore[misc]
    steps.append(await timed("outbox relayed", lambda: relay(db, now, lambda ids: None)))
    return steps


async def timed(name: str, work: Any) -> Step:
    counter = StatementCounter()
    token = statement_counter.set(counter)
    started = time.perf_counter()
    try:
        rows = await work()
    finally:
        statement_counter.reset(token)
    return Step(name, rows, time.perf_counter() - started, counter.count)


async def check(db: Database, now: datetime, expected: Expected, first: list[Step]) -> list[str]:
    problems = []
    acted = {step.name: step.rows for step in first}
    for name, wanted in (("sessions charged", expected.charges),
                         ("sessions auto-cancelled", expected.auto_cancels),
                         ("reminders queued", expected.reminders)):
        if acted.get(name) != wanted:
            problems.append(f"first sweep: {name} {acted.get(name)}, expected {wanted}")
    a, c = tables.appointments, tables.charges
    async with db.reading() as tx:
        twice = await tx.scalar(select(func.count()).select_from(
            select(c.c.appointment_id).where(c.c.status == ChargeStatus.SUCCEEDED)
            .group_by(c.c.appointment_id).having(func.count() > 1).subquery()))
        left = await tx.scalar(select(func.count()).select_from(a).where(
            a.c.status == AppointmentStatus.SCHEDULED, a.c.charge_id.is_(None),
            a.c.payment_failed_at.is_(None), a.c.starts_at <= now + NOTICE))
        unreminded = await tx.scalar(select(func.count()).select_from(a).where(
            a.c.status == AppointmentStatus.SCHEDULED, a.c.reminder_sent_at.is_(None),
            a.c.starts_at > now + timedelta(hours=1), a.c.starts_at <= now + timedelta(hours=24)))
    if twice:
        problems.append(f"{twice} session(s) charged more than once")
    if left:
        problems.append(f"{left} session(s) inside the window neither paid nor refused")
    if unreminded:
        problems.append(f"{unreminded} session(s) due a reminder without one")
    return problems


# ------------------------------------------------------------------ printing


def describe(args: argparse.Namespace, url: str, seeded: Seeded) -> None:
    from bench.main import describe as database

    statuses = ", ".join(f"{count:,} {name}" for name, count in sorted(seeded.by_status.items()))
    print(f"database   {database(url)}")
    print(f"seeded     {seeded.appointments:,} sessions over {args.weeks} weeks for "
          f"{seeded.relationships:,} relationships ({seeded.clients:,} clients, "
          f"{seeded.practitioners} practitioners) in {seeded.seconds:.1f}s")
    print(f"           {statuses}")
    print(f"due        {seeded.expected.charges:,} charges, {seeded.expected.auto_cancels:,} "
          f"automatic cancellations, {seeded.expected.reminders:,} reminders "
          f"(the sweep last ran {args.outage_hours:g} h ago)")
    print(f"gateway    {args.gateway}")
    print(f"machine    {os.cpu_count()} CPUs, Python {platform.python_version()}")


def print_sweep(title: str, steps: list[Step]) -> None:
    print()
    print(title)
    print(f"  {'step':<26}{'rows':>8}{'seconds':>10}{'SQL':>8}{'ms/row':>9}")
    for step in steps:
        per_row = f"{1000 * step.seconds / step.rows:.2f}" if step.rows else "-"
        print(f"  {step.name:<26}{step.rows:>8,}{step.seconds:>10.3f}{step.statements:>8,}"
              f"{per_row:>9}")
    total = sum(step.seconds for step in steps)
    print(f"  {'total':<26}{'':>8}{total:>10.3f}{sum(s.statements for s in steps):>8,}")


if __name__ == "__main__":
    sys.exit(main())
