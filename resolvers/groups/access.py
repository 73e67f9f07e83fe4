"""Who may reach services, group sessions, subscriptions and invoices. As everywhere, what a
viewer may not see reads exactly like an id that does not exist: NOT_FOUND.

- Services and group sessions are the practice's timetable: everyone signed in to the
  practice sees them (a client sees the session they attend, and what else is on offer).
- A subscription: the practice's staff, and the client who attends or pays for it.
- An invoice: the practice's staff, its payer, and the client who attends the subscription it
  bills.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.billing.invoices import Invoice
from domain.groups.group_sessions import GroupSession, GroupSubscription, Service
from domain.shared.errors import DomainError, ErrorCode, not_found
from persistence.uow import UnitOfWork
from resolvers.shared.auth import Viewer


def local_today(now: datetime, timezone: str) -> date:
    """The practitioner's calendar date at `now`: what "today" means for a weekly session."""
    return now.astimezone(ZoneInfo(timezone)).date()


def may_see_offering(viewer: Viewer | None, item: Service | GroupSession) -> bool:
    return viewer is not None and item.practice_id == viewer.practice_id


def may_see_subscription(viewer: Viewer | None, subscription: GroupSubscription) -> bool:
    if viewer is None or subscription.practice_id != viewer.practice_id:
        return False
    return viewer.is_staff or viewer.client_id in (subscription.client_id, subscription.payer_id)


def may_see_invoice(
    viewer: Viewer | None, invoice: Invoice, attendee_id: uuid.UUID | None = None
) -> bool:
    """`attendee_id`: who attends the subscription the invoice bills, if it bills one."""
    if viewer is None or invoice.practice_id != viewer.practice_id:
        return False
    if viewer.is_staff:
        return True
    return viewer.client_id is not None and viewer.client_id in (invoice.payer_id, attendee_id)


async def practice_service(
    uow: UnitOfWork, viewer: Viewer, service_id: uuid.UUID, field: Sequence[str]
) -> Service:
    found = await uow.services.get_in_practice(service_id, viewer.practice_id)
    if found is None:
        raise not_found("Service", field)
    return found


async def practice_group_session(
    uow: UnitOfWork, viewer: Viewer, group_session_id: uuid.UUID, field: Sequence[str],
    *, for_update: bool = False,
) -> GroupSession:
    found = await uow.group_sessions.get_in_practice(
        group_session_id, viewer.practice_id, for_update=for_update
    )
    if found is None:
        raise not_found("Session", field)
    return found


async def visible_subscription(
    uow: UnitOfWork, viewer: Viewer, subscription_id: uuid.UUID, field: Sequence[str],
    *, for_update: bool = False,
) -> GroupSubscription:
    found = await uow.subscriptions.get(subscription_id, for_update=for_update)
    if found is None or not may_see_subscription(viewer, found):
        raise not_found("Subscription", field)
    return found


async def visible_invoice(
    uow: UnitOfWork, viewer: Viewer, invoice_id: uuid.UUID, field: Sequence[str],
    *, for_update: bool = False,
) -> Invoice:
    found = await uow.invoices.get(invoice_id, for_update=for_update)
    attendee = None
    if found is not None and found.subscription_id is not None and not viewer.is_staff:
        subscription = await uow.subscriptions.get(found.subscription_id)
        attendee = subscription.client_id if subscription else None
    if found is None or not may_see_invoice(viewer, found, attendee):
        raise not_found("Invoice", field)
    return found


def ensure_pays(viewer: Viewer, invoice: Invoice) -> None:
    """Staff, or the payer: a client who only attends sees the invoice but does not pay it."""
    if viewer.is_staff or viewer.client_id == invoice.payer_id:
        return
    raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only the payer or the practice may pay "
                          "this invoice.", ["invoiceId"])
