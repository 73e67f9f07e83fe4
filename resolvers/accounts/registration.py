"""registerPractice and verifyEmail. Registering answers the same whether the email is free
or taken, and emails the address either way: a free one gets a single-use link that opens
the practice (verifyEmail), a taken one a notice to its owner; a taken email creates nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

from domain.accounts.registration import invalid_link, request_registration
from domain.accounts.sign_in import RegistrationOnTakenEmail
from domain.shared.errors import DomainError, ErrorCode
from resolvers.accounts.invite_links import registration_hash_for, token_hash
from resolvers.accounts.practice import SignedIn, commit_new_account, signed_in_as
from resolvers.accounts.sign_in_guard import email_bucket
from resolvers.shared.auth import hash_password
from resolvers.shared.context import RequestContext
from resolvers.shared.limits import Limit
from resolvers.shared.offload import off_loop

REGISTRATION_EMAILS = Limit(3, 3600)
REGISTERED_SINCE = DomainError.one(
    ErrorCode.EMAIL_TAKEN, "This email has been verified for another practice since.", ["token"]
)


async def register(
    ctx: RequestContext, *, practice_name: str, name: str, email: str, password: str,
    timezone: str, currency: str, appointment_price: Decimal | None = None,
) -> uuid.UUID | None:
    """The registration waiting for verification, or None when the email was taken (which
    only the composition root may be told: the API answers the same for both)."""
    registration = await off_loop(  # the domain hashes the password
        request_registration, practice_name=practice_name, name=name, email=email,
        password=password,
        timezone=timezone, currency=currency, appointment_price=appointment_price,
        hash_password=hash_password, token_hash_for=registration_hash_for(
            ctx.services.tokens.secret), now=ctx.now,
    )
    if not await _may_email(ctx, registration.email):
        return None
    async with ctx.unit_of_work() as uow:
        account = await uow.accounts.by_email(registration.email)
        if account is not None:
            account.record(RegistrationOnTakenEmail(account.id))
        else:
            registration.announce()
            uow.registrations.add(registration)
        await uow.commit()
    return None if account is not None else registration.id


async def _may_email(ctx: RequestContext, email: str) -> bool:
    """Registering sends the address an email, free or taken: a few an hour at most, so
    nobody can flood an inbox through registerPractice. Over it, the answer is the same and
    nothing is sent or kept."""
    limiter = ctx.services.limiter
    bucket = email_bucket("registration-emails", email)
    return limiter is None or await limiter.hit(bucket, REGISTRATION_EMAILS) is None


async def verify_email(ctx: RequestContext, *, token: str) -> SignedIn:
    async with ctx.unit_of_work() as uow:
        registration = await uow.registrations.by_token_hash(
            token_hash(token.strip()), for_update=True)
        if registration is None or not registration.usable(ctx.now):
            raise invalid_link()
        if await uow.accounts.email_taken(registration.email):
            raise REGISTERED_SINCE
        practice, owner, account, membership = registration.open_practice(ctx.now)
        uow.practices.add(practice)
        uow.practitioners.add(owner)
        await uow.flush()
        await commit_new_account(uow, account, membership)
    return signed_in_as(ctx, account, membership)
