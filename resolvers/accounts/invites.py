"""inviteClient and acceptClientInvite: a single-use link that gives a client a sign-in. A
person who already signs in (as a client or staff of another practice) keeps their account:
accepting with its password adds this practice's membership to it."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from domain.clients.clients import Client, invalid_token, invite, join_as_client, open_account
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.validation import check_password
from persistence.uow import UnitOfWork
from resolvers.accounts.invite_links import hash_for, token_hash
from resolvers.accounts.practice import SignedIn, signed_in_as
from resolvers.shared.access import visible_client
from resolvers.shared.auth import hash_password, verify_password
from resolvers.shared.context import RequestContext
from resolvers.shared.offload import off_loop

SIGN_IN_TAKEN = DomainError.one(
    ErrorCode.EMAIL_TAKEN, "Another sign-in already uses this client's email address."
)
EXISTING_PASSWORD = DomainError.one(
    ErrorCode.INVALID_CREDENTIALS, "This email already signs in to Caseload: give that "
    "account's password to add this practice to it.", ["password"],
)


async def invite_client(ctx: RequestContext, client_id: uuid.UUID | None) -> Client:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        client = await visible_client(uow, viewer, client_id, ["clientId"], for_update=True)
        await issue_invite(uow, ctx, client, announce=True)
        await uow.commit()
    return client


async def issue_invite(
    uow: UnitOfWork, ctx: RequestContext, client: Client, *, announce: bool
) -> uuid.UUID:
    """A fresh invitation; earlier unused ones stop working."""
    created = invite(client, hash_for(ctx.services.tokens.secret), ctx.now, announce=announce)
    assert client.email is not None
    if await _signs_in_here(uow, client.email, client.practice_id):
        raise SIGN_IN_TAKEN
    for earlier in await uow.client_invites.open_for(client.id):
        earlier.revoke(ctx.now)
    uow.client_invites.add(created)
    return created.id


async def _signs_in_here(uow: UnitOfWork, email: str, practice_id: uuid.UUID) -> bool:
    account = await uow.accounts.by_email(email)
    return account is not None and await uow.memberships.in_practice(account.id, practice_id)


async def accept_invite(ctx: RequestContext, *, token: str, password: str) -> SignedIn:
    async with ctx.unit_of_work() as uow:
        found = await uow.client_invites.by_token_hash(token_hash(token.strip()))
        if found is None or not found.usable(ctx.now):
            raise invalid_token()
        client = await uow.clients.get(found.client_id, for_update=True)
        assert client is not None and client.email is not None
        account = await uow.accounts.by_email(client.email)
        if account is None:
            check_password(password, email=client.email)
            account, membership = open_account(
                client, found, await off_loop(hash_password, password), ctx.now)
            uow.accounts.add(account)
            await _flush(uow)
        else:
            if await uow.memberships.in_practice(account.id, client.practice_id):
                raise SIGN_IN_TAKEN
            if not await off_loop(verify_password, account.password_hash, password):
                raise EXISTING_PASSWORD
            membership = join_as_client(client, found, account, ctx.now)
        uow.memberships.add(membership)
        await _flush(uow)
        await uow.commit()
    return signed_in_as(ctx, account, membership)


async def _flush(uow: UnitOfWork) -> None:
    try:
        await uow.flush()
    except IntegrityError:  # another acceptance for this email or client came first
        raise SIGN_IN_TAKEN from None
