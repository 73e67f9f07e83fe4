"""createClient, updateClient and the clients list."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from domain.accounts.practice import Practice, Role
from domain.clients.clients import Client, new_client
from domain.clients.profile import (
    EMPTY_PROFILE,
    Profile,
    ProfileChanges,
    country_of_timezone,
    merge_profile,
)
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.paging import Paged, Slice
from persistence.client_queries import ClientScope, list_clients
from persistence.uow import UnitOfWork
from resolvers.shared.access import visible_client
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext


def email_taken(*prefix: str) -> DomainError:
    return DomainError.one(
        ErrorCode.EMAIL_TAKEN, "Another client of the practice has this email.",
        [*prefix, "email"],
    )


def merge_for_practice(
    practice: Practice, current: Profile, changes: ProfileChanges, now: datetime,
    *prefix: str,
) -> Profile:
    """Validate against the practice's calendar (date of birth) and country (phone numbers
    without a +), reporting problems under `prefix`."""
    today = now.astimezone(ZoneInfo(practice.timezone)).date()
    try:
        return merge_profile(current, changes, today=today,
                             phone_region=country_of_timezone(practice.timezone))
    except DomainError as error:
        raise DomainError(p.under(*prefix) for p in error.problems) from None


async def apply_profile(
    uow: UnitOfWork, client: Client, changes: ProfileChanges, now: datetime, *prefix: str
) -> None:
    """Merge and validate `changes` into the client; the email must stay unique."""
    practice = await uow.practices.get(client.practice_id)
    assert practice is not None
    profile = merge_for_practice(practice, client.profile, changes, now, *prefix)
    if profile.email and profile.email != client.email and await uow.clients.email_taken(
        client.practice_id, profile.email, other_than=client.id
    ):
        raise email_taken(*prefix)
    if client.has_account and profile.email != client.email:
        await _move_sign_in(uow, client, profile.email, *prefix)
    client.apply(profile)


async def _move_sign_in(uow: UnitOfWork, client: Client, email: str | None, *prefix: str) -> None:
    """A client who signs in does so with their email: it changes with the profile's, unless
    the person signs in to other practices too (their sign-in is theirs, not this
    practice's, and the practice is told nothing of the others)."""
    if email is None:
        raise DomainError.one(ErrorCode.INVALID, "A client who signs in needs an email address.",
                              [*prefix, "email"])
    membership = await uow.memberships.of_client(client.id)
    account = await uow.accounts.get(membership.account_id) if membership else None
    if account is None or len(await uow.memberships.of_account(account.id)) > 1:
        return
    if await uow.accounts.email_taken(email):
        raise DomainError.one(ErrorCode.EMAIL_TAKEN, "Another sign-in already uses this email.",
                              [*prefix, "email"])
    account.email = email


async def commit_profile(uow: UnitOfWork, *prefix: str) -> None:
    """Two writers racing for one email: the unique index decides, the loser hears EMAIL_TAKEN."""
    try:
        await uow.commit()
    except IntegrityError:
        raise email_taken(*prefix) from None


async def create_client(ctx: RequestContext, changes: ProfileChanges) -> Client:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        client = new_client(viewer.practice_id, EMPTY_PROFILE, ctx.now)
        await apply_profile(uow, client, changes, ctx.now)
        uow.clients.add(client)
        await commit_profile(uow)
    return client


async def update_client(
    ctx: RequestContext, client_id: uuid.UUID | None, changes: ProfileChanges
) -> Client:
    """Staff edit their practice's clients; a signed-in client edits their own profile."""
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        client = await visible_client(uow, viewer, client_id, ["clientId"], for_update=True)
        await apply_profile(uow, client, changes, ctx.now, "profile")
        await commit_profile(uow, "profile")
    return client


def scope_for(
    viewer: Viewer, *, include_inactive: bool, search: str | None
) -> ClientScope:
    """The owner sees the practice, a practitioner their caseload, a client themselves."""
    return ClientScope(
        practice_id=viewer.practice_id,
        practitioner_id=viewer.practitioner_id if viewer.role is Role.PRACTITIONER else None,
        client_id=None if viewer.is_staff else viewer.client_id or uuid.UUID(int=0),
        include_inactive=include_inactive,
        search=search,
    )


async def clients_page(
    ctx: RequestContext, *, include_inactive: bool, search: str | None, window: Slice,
) -> Paged[Client]:
    scope = scope_for(ctx.signed_in(), include_inactive=include_inactive, search=search)
    async with ctx.reads.reading() as tx:
        return await list_clients(tx, scope, window)
