"""Sign-in, practitioners and working hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from domain.accounts.practice import (
    Account,
    Membership,
    Practitioner,
    PractitionerAdded,
    Role,
    Weekday,
    ensure_owner,
    new_practitioner,
    validate_practitioner,
)
from domain.accounts.sign_in import SignInLocked
from domain.shared.errors import DomainError, ErrorCode, Problems, not_found
from domain.shared.validation import normalise_email
from resolvers.accounts.sign_in_guard import SignInGuard
from resolvers.shared.auth import Viewer, hash_password, verify_password
from resolvers.shared.context import RequestContext
from resolvers.shared.offload import off_loop

EMAIL_TAKEN = DomainError.one(
    ErrorCode.EMAIL_TAKEN, "An account with this email already exists.", ["email"]
)


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    viewer: Viewer


def signed_in_as(ctx: RequestContext, account: Account, membership: Membership) -> SignedIn:
    """A fresh access token for one of the account's memberships, under the account's
    current token version."""
    token = ctx.services.tokens.issue(account, membership, ctx.now)
    viewer = ctx.services.tokens.read(token, ctx.now)
    assert viewer is not None
    return SignedIn(token, viewer)


async def commit_new_account(  # type: ignore[no-untyped-def]
    uow, account: Account, membership: Membership
) -> None:
    """Two sign-ups racing for one email: the unique index decides, the loser hears EMAIL_TAKEN."""
    try:
        uow.accounts.add(account)
        await uow.flush()  # the account before the membership that points at it
        uow.memberships.add(membership)
        await uow.commit()
    except IntegrityError:
        raise EMAIL_TAKEN from None


async def sign_in(ctx: RequestContext, *, email: str, password: str) -> SignedIn:
    """Known and unknown emails cost the same work and get the same answers, paused ones
    included (see sign_in_guard)."""
    refused = DomainError.one(ErrorCode.INVALID_CREDENTIALS, "Wrong email or password.")
    try:
        clean_email = normalise_email(email)
    except DomainError:
        await off_loop(verify_password, None, password)  # same work as a real attempt
        raise refused from None
    guard = SignInGuard.of(ctx)
    if guard is not None:
        await guard.ensure_open(clean_email)
    async with ctx.reading() as uow:
        account = await uow.accounts.by_email(clean_email)
    if not await off_loop(verify_password, account.password_hash if account else None,
                          password):
        if guard is not None and await guard.failed(clean_email) and account is not None:
            await _announce_pause(ctx, account.id, guard.failures.window_seconds)
        raise refused
    assert account is not None
    async with ctx.reading() as uow:  # only now: a wrong password costs the same either way
        memberships = await uow.memberships.of_account(account.id)
    if not memberships:
        raise refused
    return signed_in_as(ctx, account, memberships[0])


async def switch_membership(ctx: RequestContext, membership_id: uuid.UUID | None) -> SignedIn:
    """A token for another of the viewer's memberships, without the password again."""
    viewer = ctx.signed_in()
    async with ctx.reading() as uow:
        account = await uow.accounts.get(viewer.account_id)
        membership = await uow.memberships.get(membership_id) if membership_id else None
    if account is None or membership is None or membership.account_id != account.id:
        raise not_found("Membership", ["membershipId"])
    return signed_in_as(ctx, account, membership)


async def _announce_pause(ctx: RequestContext, account_id: uuid.UUID, seconds: int) -> None:
    async with ctx.unit_of_work() as uow:
        account = await uow.accounts.get(account_id)
        if account is not None:
            account.record(SignInLocked(account_id, max(1, seconds // 60)))
            await uow.commit()


async def add_practitioner(
    ctx: RequestContext, *, name: str, email: str, password: str, timezone: str | None,
    appointment_price: Decimal | None = None,
) -> Practitioner:
    """A new email gets a sign-in with the owner's password at once (the contract's
    behaviour); an email that signs in already gets an invitation (staff_invites)."""
    from resolvers.accounts import staff_invites  # it builds on this module

    viewer = ctx.staff()
    ensure_owner(viewer.role)
    async with ctx.unit_of_work() as uow:
        practice = await uow.practices.get(viewer.practice_id)
        assert practice is not None
        problems = Problems()
        details = validate_practitioner(
            problems, name, email, password, timezone or practice.timezone
        )
        problems.raise_if_any()
        assert details is not None
        if await uow.accounts.email_taken(details.email):
            # The person signs in already (elsewhere): never join them without consent, nor
            # touch their password. They are emailed an invitation to accept instead.
            practitioner = await staff_invites.invited(
                uow, ctx, practice, details, appointment_price)
            await uow.commit()
            return practitioner
        password_hash = await off_loop(hash_password, details.password)
        practitioner, account, membership = new_practitioner(
            practice, details, password_hash, Role.PRACTITIONER, ctx.now
        )
        if appointment_price is not None:
            practitioner.set_appointment_price(
                appointment_price, practice.currency, "sessionPrice")
        practitioner.record(PractitionerAdded(practice.id, practitioner.id))
        uow.practitioners.add(practitioner)
        await uow.flush()
        await commit_new_account(uow, account, membership)
    return practitioner


async def set_working_hours(
    ctx: RequestContext, hours: list[tuple[Weekday, str, str]]
) -> Practitioner:
    viewer = ctx.staff()
    async with ctx.unit_of_work() as uow:
        practitioner = await uow.practitioners.get(viewer.practitioner_id)  # type: ignore[arg-type]
        assert practitioner is not None
        practitioner.set_working_hours(hours)
        await uow.commit()
    return practitioner


async def set_appointment_price(
    ctx: RequestContext, practitioner_id: uuid.UUID | None, price: Decimal
) -> Practitioner:
    """A practitioner sets their own price; the owner anyone's. Booked sessions keep theirs."""
    viewer = ctx.staff()
    target = practitioner_id or viewer.practitioner_id
    async with ctx.unit_of_work() as uow:
        practitioner = await uow.practitioners.get(target) if target else None
        if practitioner is None or practitioner.practice_id != viewer.practice_id:
            raise not_found("Practitioner", ["practitionerId"])
        if viewer.role is not Role.OWNER and viewer.practitioner_id != practitioner.id:
            raise DomainError.one(
                ErrorCode.NOT_PERMITTED, "Only the owner may set another practitioner's price."
            )
        practice = await uow.practices.get(viewer.practice_id)
        assert practice is not None
        practitioner.set_appointment_price(price, practice.currency)
        await uow.commit()
    return practitioner
