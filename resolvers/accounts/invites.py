"""inviteClient and acceptClientInvite: a single-use link that gives a client a sign-in."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from domain.clients.clients import Client, invalid_token, invite, open_account
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.validation import check_password
from persistence.uow import UnitOfWork
from resolvers.accounts.invite_links import hash_for, token_hash
from resolvers.accounts.practice import SignedIn
from resolvers.shared.access import visible_client
from resolvers.shared.auth import hash_password
from resolvers.shared.context import RequestContext
from resolvers.shared.offload import off_loop

SIGN_IN_TAKEN = DomainError.one(
    ErrorCode.EMAIL_TAKEN, "Another sign-in already uses this client's email address."
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
    if await uow.accounts.email_taken(client.email):
        raise SIGN_IN_TAKEN
    for earlier in await uow.client_invites.open_for(client.id):
        earlier.revoke(ctx.now)
    uow.client_invites.add(created)
    return created.id


async def accept_invite(ctx: RequestContext, *, token: str, password: str) -> SignedIn:
    async with ctx.unit_of_work() as uow:
        found = await uow.client_invites.by_token_hash(token_hash(token.strip()))
        if found is None or not found.usable(ctx.now):
            raise invalid_token()
        client = await uow.clients.get(found.client_id, for_update=True)
        assert client is not None
        check_password(password, email=client.email)
        if client.email and await uow.accounts.email_taken(client.email):
            raise SIGN_IN_TAKEN
        password_hash = await off_loop(hash_password, password)
        account = open_account(client, found, password_hash, ctx.now)
        uow.accounts.add(account)
        try:
            await uow.commit()
        except IntegrityError:
            raise SIGN_IN_TAKEN from None
    access_token = ctx.services.tokens.issue(account, ctx.now)
    viewer = ctx.services.tokens.read(access_token, ctx.now)
    assert viewer is not None
    return SignedIn(access_token, viewer)
