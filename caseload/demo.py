"""`caseload demo`: a demo practice to explore in GraphiQL. Running it again changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from caseload.demo_appointments import ensure_demo_appointments
from caseload.demo_clients import CLIENT_EMAIL, add_demo_clients, has_clients
from caseload.demo_groups import ensure_demo_groups
from caseload.demo_leaving import ensure_demo_leaving
from caseload.demo_links import CLAIRE_EMAIL, ensure_demo_links
from caseload.demo_memberships import SECOND_PRACTICE, ensure_second_practice
from caseload.demo_waitlist import ensure_demo_waitlist
from caseload.demo_widget import ensure_demo_widget
from caseload.runtime import Runtime
from caseload.settings import Settings
from domain.accounts.practice import Role, Weekday
from persistence import tables
from persistence.migrate import upgrade
from resolvers.accounts import practice as accounts
from resolvers.accounts import registration
from resolvers.accounts.invite_links import registration_token
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext

OWNER_EMAIL = "owner@demo-practice.example.com"
PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPractitioner:
    name: str
    email: str
    hours: list[tuple[Weekday, str, str]]


PRACTITIONERS = [
    DemoPractitioner(
        "Dr Amara Okafor", "amara@demo-practice.example.com",
        [(Weekday.MONDAY, "10:00", "18:00"), (Weekday.WEDNESDAY, "10:00", "18:00"),
         (Weekday.THURSDAY, "12:00", "20:00")],
    ),
    DemoPractitioner(
        "Jonas Lindqvist", "jonas@demo-practice.example.com",
        [(Weekday.TUESDAY, "08:00", "14:00"), (Weekday.FRIDAY, "08:00", "14:00"),
         (Weekday.SATURDAY, "09:00", "12:00")],
    ),
]


def _context(runtime: Runtime, viewer: Viewer | None) -> RequestContext:
    return RequestContext.build(runtime.services, viewer, f"demo-{uuid.uuid4().hex[:8]}")


async def load_demo(settings: Settings) -> int:
    if settings.embedded_database:
        await asyncio.to_thread(upgrade, settings.database_url)
    runtime = Runtime(settings)
    runtime.dispatch_after_commit = False  # the server's sweep sends the welcome emails
    try:
        async with runtime.db.reading() as tx:
            existing = await tx.scalar(
                select(func.count()).select_from(tables.accounts).where(
                    tables.accounts.c.email == OWNER_EMAIL
                )
            )
        if not existing:
            await _create(runtime)
            print("Demo practice created.")
        else:
            print("Demo practice already there; nothing changed.")
        await _ensure_clients(runtime)
        await _ensure_appointments(runtime)
        await _ensure_groups(runtime)
        await _ensure_links(runtime)
        await _ensure_widget(runtime)
        await _ensure_waitlist(runtime)
        for line in await ensure_second_practice(runtime.services,
                                                 runtime.settings.secret_key):
            print(line)
        _print_sign_in()
    finally:
        await runtime.dispose()
    return 0


async def _create(runtime: Runtime) -> None:
    # The same two steps as registerPractice and verifyEmail; the demo derives the link's
    # token itself rather than reading the email.
    registration_id = await registration.register(
        _context(runtime, None), practice_name="Riverside Therapy (demo)", name="Sam Rivers",
        email=OWNER_EMAIL, password=PASSWORD, timezone="Europe/London", currency="GBP",
    )
    assert registration_id is not None, "the demo owner's email is taken"
    signed_in = await registration.verify_email(_context(runtime, None), token=registration_token(
        runtime.settings.secret_key, registration_id))
    owner = _context(runtime, signed_in.viewer)
    for person in PRACTITIONERS:
        practitioner = await accounts.add_practitioner(
            owner, name=person.name, email=person.email, password=PASSWORD, timezone=None
        )
        as_them = Viewer(
            account_id=uuid.uuid4(), practice_id=signed_in.viewer.practice_id,
            role=Role.PRACTITIONER, practitioner_id=practitioner.id,
        )
        await accounts.set_working_hours(_context(runtime, as_them), person.hours)


async def _ensure_clients(runtime: Runtime) -> None:
    """Clients arrived after the first demo practices: add them once, to old ones too."""
    owner = await accounts.sign_in(_context(runtime, None), email=OWNER_EMAIL, password=PASSWORD)
    if await has_clients(runtime.db, owner.viewer.practice_id):
        return
    await add_demo_clients(
        lambda viewer: _context(runtime, viewer), owner.viewer, runtime.settings.secret_key
    )
    print("Demo clients added.")


async def _ensure_appointments(runtime: Runtime) -> None:
    """Sessions, prices and reserved slots arrived later still: added once, to old ones too."""
    owner = await accounts.sign_in(_context(runtime, None), email=OWNER_EMAIL, password=PASSWORD)
    for line in await ensure_demo_appointments(
        runtime.services, owner.viewer, runtime.settings.secret_key
    ):
        print(line)


async def _ensure_groups(runtime: Runtime) -> None:
    """Group sessions, subscribers and a transfer (seed 001): added once, to old ones too."""
    owner = await accounts.sign_in(_context(runtime, None), email=OWNER_EMAIL, password=PASSWORD)
    for line in await ensure_demo_groups(runtime.services, owner.viewer):
        print(line)
    for line in await ensure_demo_leaving(runtime.services, owner.viewer):
        print(line)


async def _ensure_links(runtime: Runtime) -> None:
    """Linked clients and a shared package (seed 003): added once, to old ones too."""
    owner = await accounts.sign_in(_context(runtime, None), email=OWNER_EMAIL, password=PASSWORD)
    for line in await ensure_demo_links(runtime.services, owner.viewer):
        print(line)


async def _ensure_widget(runtime: Runtime) -> None:
    """A publishable key for the booking widget: made once."""
    owner = await accounts.sign_in(_context(runtime, None), email=OWNER_EMAIL, password=PASSWORD)
    for line in await ensure_demo_widget(runtime.services, owner.viewer,
                                         runtime.settings.var_dir):
        print(line)


async def _ensure_waitlist(runtime: Runtime) -> None:
    """Cancellation fee tiers and the waitlist: added once, after the sessions."""
    owner = await accounts.sign_in(_context(runtime, None), email=OWNER_EMAIL, password=PASSWORD)
    for line in await ensure_demo_waitlist(runtime.services, owner.viewer,
                                           runtime.settings.secret_key):
        print(line)


def _print_sign_in() -> None:
    others = ", ".join(p.email for p in PRACTITIONERS)
    print(
        "\nSign in at http://127.0.0.1:8000/graphql (run `caseload serve` first):\n\n"
        f'  mutation {{ signIn(input: {{email: "{OWNER_EMAIL}", password: "{PASSWORD}"}}) '
        "{ accessToken userErrors { code message } } }\n\n"
        "then send the token as the header  Authorization: Bearer <accessToken>.\n"
        f"Practitioners sign in the same way: {others} (same password; Jonas is a "
        f"practitioner of {SECOND_PRACTICE} too);\n"
        f"so do clients: {CLIENT_EMAIL} (a client of {SECOND_PRACTICE} too: see "
        "viewer { memberships { id practiceName } } and switchMembership), and "
        f"{CLAIRE_EMAIL}, who books for her son.\n"
        "Past sessions wait in  { awaitingUpdates { edges { node { id startsAt } } } }  "
        "for the owner and each practitioner.\n"
        "Live updates: open ws://127.0.0.1:8000/graphql (graphql-transport-ws), send\n"
        '  {"type": "connection_init", "payload": {"authorization": "Bearer <accessToken>"}}\n'
        "and subscribe to  subscription { dashboardEvents { kind occurredAt session { id "
        "startsAt status } } };\nthen book, move or cancel a demo session and watch it "
        "arrive (README, Live updates)."
    )
