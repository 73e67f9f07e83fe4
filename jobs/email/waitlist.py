"""The waitlist offer email: to the client the entry is for (and a different payer), with the
claim link. Reloaded when it goes out: an offer claimed, expired or withdrawn since is not
sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.accounts.practice import Practice, Practitioner
from domain.appointments.waitlist import WaitlistEntry, WaitlistOffer, WaitlistOffered
from domain.clients.clients import Client
from domain.groups.group_sessions import GroupSession
from jobs.context import JobContext
from jobs.email.appointment_facts import appointment_facts
from jobs.email.handlers import EmailIntent, handles
from persistence import tables
from resolvers.appointments.waitlist_links import claim_link


def _shown(instant: datetime, timezone: str) -> str:
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M %Z}"


@handles(WaitlistOffered)
async def waitlist_offered(jc: JobContext, event: WaitlistOffered) -> list[EmailIntent]:
    async with jc.db.reading() as tx:
        offer = await tx.get(WaitlistOffer, event.offer_id)
        entry = await tx.get(WaitlistEntry, event.entry_id)
        if offer is None or entry is None or not offer.open_at(jc.clock()):
            return []
        wanted = {entry.client_id, *([entry.payer_id] if entry.payer_id else [])}
        clients = list((await tx.execute(
            select(Client).where(tables.clients.c.id.in_(wanted)))).scalars())
        practice = await tx.get(Practice, entry.practice_id)
        group = (await tx.get(GroupSession, entry.group_session_id)
                 if entry.group_session_id else None)
        practitioner = await tx.get(Practitioner, group.practitioner_id) if group else None
    assert practice is not None
    values = await _what(jc, offer, group, practitioner)
    if values is None:
        return []
    values.update({
        "practice_name": practice.name, "app_url": jc.app_url,
        "claim_link": claim_link(jc.app_url, jc.secret_key, offer.id),
        "claim_by": _shown(offer.expires_at, values.pop("timezone")),
    })
    return [EmailIntent(c.email, "waitlist_offer", {**values, "first_name": c.first_name},
                        practice.id) for c in clients if c.email]


async def _what(jc: JobContext, offer: WaitlistOffer, group: GroupSession | None,
                practitioner: Practitioner | None) -> dict[str, Any] | None:
    """What is offered: the held session, or a place in the group from a date."""
    if group is not None and practitioner is not None:
        return {"group": True, "group_name": group.name, "timezone": practitioner.timezone,
                "starts_at": _shown(offer.starts_at, practitioner.timezone),
                "practitioner_name": practitioner.name,
                "price": f"{group.monthly_price} {group.currency} a month"}
    if offer.appointment_id is None:
        return None
    facts = await appointment_facts(jc, offer.appointment_id)
    if facts is None:
        return None
    return {**facts.values(), "group": False, "timezone": facts.practitioner.timezone}
