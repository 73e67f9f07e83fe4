"""requestPasswordReset, resetPassword, changePassword and signOutEverywhere. Each of the
last three ends every access token issued before it, and answers a fresh one for the
device that asked."""

from __future__ import annotations

from domain.accounts.practice import Account
from domain.accounts.recovery import (
    check_new_password,
    invalid_reset_link,
    request_reset,
    set_new_password,
    wrong_current_password,
)
from domain.shared.validation import normalise_email
from persistence.uow import UnitOfWork
from resolvers.accounts.invite_links import reset_hash_for, token_hash
from resolvers.accounts.practice import SignedIn, signed_in_as
from resolvers.accounts.sign_in_guard import SignInGuard, email_bucket
from resolvers.shared.auth import hash_password, verify_password
from resolvers.shared.context import RequestContext
from resolvers.shared.limits import Limit
from resolvers.shared.offload import off_loop

RESET_EMAILS = Limit(3, 3600)


async def request_password_reset(ctx: RequestContext, *, email: str) -> None:
    """Answers alike, after the same work, whether the email has an account or not: both
    keep a link and announce it; only the email job knows whom to write to."""
    clean_email = normalise_email(email)
    limiter = ctx.services.limiter  # a few emails an hour, so nobody floods an inbox
    bucket = email_bucket("password-reset-emails", clean_email)
    if limiter is not None and await limiter.hit(bucket, RESET_EMAILS) is not None:
        return
    async with ctx.unit_of_work() as uow:
        account = await uow.accounts.by_email(clean_email)
        uow.password_resets.add(
            request_reset(account, reset_hash_for(ctx.services.tokens.secret), ctx.now))
        await uow.commit()


async def reset_password(ctx: RequestContext, *, token: str, password: str) -> SignedIn:
    digest = token_hash(token.strip())
    async with ctx.reading() as uow:
        found = await uow.password_resets.by_token_hash(digest)
        account_id = found.account_id if found is not None and found.usable(ctx.now) else None
        account = await uow.accounts.get(account_id) if account_id is not None else None
    if account is None:
        raise invalid_reset_link()
    check_new_password(account, password, "password")
    password_hash = await off_loop(hash_password, password)  # outside the write transaction
    async with ctx.unit_of_work() as uow:
        reset = await uow.password_resets.by_token_hash(digest, for_update=True)
        account = await uow.accounts.get(account.id, for_update=True)
        if reset is None or account is None or not reset.usable(ctx.now):
            raise invalid_reset_link()  # used by a request that came first
        reset.use(ctx.now)
        memberships = await uow.memberships.of_account(account.id)
        await _set_password(uow, ctx, account, password_hash)
    return signed_in_as(ctx, account, memberships[0])  # where signing in leads


async def change_password(
    ctx: RequestContext, *, current_password: str, new_password: str
) -> SignedIn:
    """Needs the current password; wrong ones count towards the account's sign-in pause,
    so a stolen token cannot guess it faster than signIn could."""
    viewer = ctx.signed_in()
    async with ctx.reading() as uow:
        known = await uow.accounts.get(viewer.account_id)
    assert known is not None
    guard = SignInGuard.of(ctx)
    if guard is not None:
        await guard.ensure_open(known.email)
    if not await off_loop(verify_password, known.password_hash, current_password):
        if guard is not None:
            await guard.failed(known.email)
        raise wrong_current_password()
    check_new_password(known, new_password, "newPassword")
    password_hash = await off_loop(hash_password, new_password)
    async with ctx.unit_of_work() as uow:
        account = await uow.accounts.get(viewer.account_id, for_update=True)
        if account is None or account.password_hash != known.password_hash:
            raise wrong_current_password()  # changed by a request that came first
        membership = await uow.memberships.get(viewer.membership)
        await _set_password(uow, ctx, account, password_hash)
    assert membership is not None
    return signed_in_as(ctx, account, membership)


async def sign_out_everywhere(ctx: RequestContext) -> SignedIn:
    viewer = ctx.signed_in()
    async with ctx.unit_of_work() as uow:
        account = await uow.accounts.get(viewer.account_id, for_update=True)
        membership = await uow.memberships.get(viewer.membership)
        assert account is not None and membership is not None
        account.end_tokens()
        await uow.commit()
    return signed_in_as(ctx, account, membership)


async def _set_password(
    uow: UnitOfWork, ctx: RequestContext, account: Account, password_hash: str
) -> None:
    """The new password, every older token ended, every other reset link withdrawn."""
    set_new_password(account, password_hash)
    for earlier in await uow.password_resets.open_for(account.id):
        earlier.withdraw(ctx.now)
    await uow.commit()
