"""invitePractitioner (and addPractitioner for an email that already signs in),
revokePractitionerInvite and acceptPractitionerInvite: a person becomes staff of a practice
only by following the emailed link. One who already signs in to Caseload (as a client or
staff of another practice) accepts with that account's password and keeps one sign-in."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from domain.accounts.practice import (
    Account,
    Membership,
    NewPractitioner,
    Practice,
    Practitioner,
    ensure_owner,
    validate_invitee,
)
from domain.accounts.staff_invites import (
    PractitionerInvite,
    already_in_practice,
    invalid_staff_invite,
    invite,
    join_as_staff,
    new_invited_practitioner,
    open_staff_account,
    revoke_all,
)
from domain.shared.errors import DomainError, ErrorCode, Problems, not_found
from domain.shared.validation import check_password
from persistence.uow import UnitOfWork
from resolvers.accounts.invite_links import staff_invite_hash_for, token_hash
from resolvers.accounts.practice import SignedIn, signed_in_as
from resolvers.accounts.sign_in_guard import SignInGuard
from resolvers.shared.auth import hash_password, verify_password
from resolvers.shared.context import RequestContext
from resolvers.shared.offload import off_loop

EXISTING_PASSWORD = DomainError.one(
    ErrorCode.INVALID_CREDENTIALS, "This email already signs in to Caseload: give that "
    "account's password to join this practice with it.", ["password"],
)
RACED = DomainError.one(
    ErrorCode.INVALID_STATE, "Another sign-up with this email or acceptance of this "
    "invitation came first; try again.",
)


async def invite_practitioner(
    ctx: RequestContext, *, name: str, email: str, timezone: str | None,
    appointment_price: Decimal | None = None,
) -> Practitioner:
    viewer = ctx.staff()
    ensure_owner(viewer.role)
    async with ctx.unit_of_work() as uow:
        # Locked: two invitations of one email at once make one practitioner, not two.
        practice = await uow.practices.get(viewer.practice_id, for_update=True)
        assert practice is not None
        problems = Problems()
        details = validate_invitee(problems, name, email, timezone or practice.timezone)
        problems.raise_if_any()
        assert details is not None
        practitioner = await invited(uow, ctx, practice, details, appointment_price)
        await uow.commit()
    return practitioner


async def invited(
    uow: UnitOfWork, ctx: RequestContext, practice: Practice, details: NewPractitioner,
    appointment_price: Decimal | None,
) -> Practitioner:
    """The practitioner with a fresh emailed link. Inviting an email again re-invites the
    practitioner already on file (who keeps their details); older links stop working."""
    practitioner = await uow.practitioners.by_email_in_practice(practice.id, details.email)
    if practitioner is not None:
        if await uow.memberships.of_practitioner(practitioner.id) is not None:
            raise already_in_practice("email")
    else:
        account = await uow.accounts.by_email(details.email)
        if account is not None and await uow.memberships.in_practice(account.id, practice.id):
            raise already_in_practice("email")
        practitioner = new_invited_practitioner(practice, details, ctx.now)
        if appointment_price is not None:
            practitioner.set_appointment_price(
                appointment_price, practice.currency, "sessionPrice")
        uow.practitioners.add(practitioner)
        await uow.flush()  # the practitioner before the invitation that points at it
    earlier = await uow.practitioner_invites.open_for(practitioner.id)
    secret = ctx.services.tokens.secret
    uow.practitioner_invites.add(
        invite(practitioner, earlier, staff_invite_hash_for(secret), ctx.now))
    return practitioner


async def revoke_invite(ctx: RequestContext, practitioner_id: uuid.UUID | None) -> Practitioner:
    viewer = ctx.staff()
    ensure_owner(viewer.role)
    async with ctx.unit_of_work() as uow:
        practitioner = (await uow.practitioners.get_in_practice(
            practitioner_id, viewer.practice_id) if practitioner_id else None)
        if practitioner is None:
            raise not_found("Practitioner", ["practitionerId"])
        revoke_all(await uow.practitioner_invites.open_for(practitioner.id), ctx.now)
        await uow.commit()
    return practitioner


async def accept_invite(ctx: RequestContext, *, token: str, password: str) -> SignedIn:
    async with ctx.unit_of_work() as uow:
        found = await uow.practitioner_invites.by_token_hash(token_hash(token.strip()))
        if found is None or not found.usable(ctx.now):
            raise invalid_staff_invite()
        account, membership = await _joined(uow, ctx, found, password)
        uow.memberships.add(membership)
        await _flush(uow)
        await uow.commit()
    return signed_in_as(ctx, account, membership)


async def _joined(
    uow: UnitOfWork, ctx: RequestContext, found: PractitionerInvite, password: str
) -> tuple[Account, Membership]:
    account = await uow.accounts.by_email(found.email)
    if account is None:
        check_password(password, email=found.email)
        account, membership = open_staff_account(
            found, await off_loop(hash_password, password), ctx.now)
        uow.accounts.add(account)
        await _flush(uow)  # the account before the membership that points at it
        return account, membership
    if await uow.memberships.in_practice(account.id, found.practice_id):
        raise already_in_practice(None)
    guard = SignInGuard.of(ctx)  # wrong guesses here count towards the sign-in pause
    if guard is not None:
        await guard.ensure_open(account.email)
    if not await off_loop(verify_password, account.password_hash, password):
        if guard is not None:
            await guard.failed(account.email)
        raise EXISTING_PASSWORD
    return account, join_as_staff(found, account, ctx.now)


async def _flush(uow: UnitOfWork) -> None:
    try:
        await uow.flush()
    except IntegrityError:  # a sign-up for this email, or this very link, came first
        raise RACED from None
