"""Sign-up and sign-in emails: the verification link, the notice that someone tried to
register a taken address, the notice that wrong passwords paused sign-in, the password
reset link, the notice that the password changed, and a practitioner invitation."""

from __future__ import annotations

from sqlalchemy import select

from domain.accounts.practice import Account, Practice, Practitioner
from domain.accounts.recovery import PasswordChanged, PasswordReset, PasswordResetRequested
from domain.accounts.registration import Registration, RegistrationRequested
from domain.accounts.sign_in import RegistrationOnTakenEmail, SignInLocked
from domain.accounts.staff_invites import PractitionerInvite, PractitionerInvited
from jobs.context import JobContext
from jobs.email.handlers import EmailIntent, handles
from persistence import tables
from resolvers.accounts.invite_links import reset_link, staff_invite_link, verify_link


@handles(RegistrationRequested)
async def verify_email(jc: JobContext, event: RegistrationRequested) -> list[EmailIntent]:
    async with jc.db.reading() as tx:
        registration = await tx.get(Registration, event.registration_id)
    if registration is None or not registration.usable(jc.clock()):
        return []
    values = {
        "name": registration.name, "practice_name": registration.practice_name,
        "link": verify_link(jc.app_url, jc.secret_key, registration.id),
        "expires": f"{registration.expires_at:%d %B %Y at %H:%M} (UTC)",
    }
    return [EmailIntent(registration.email, "verify_email", values)]


async def _to_account(
    jc: JobContext, event: RegistrationOnTakenEmail | SignInLocked | PasswordChanged,
    template: str,
    **values: object,
) -> list[EmailIntent]:
    async with jc.db.reading() as tx:
        account = await tx.get(Account, event.account_id)
    if account is None:
        return []
    values = {"email": account.email, "app_url": jc.app_url, **values}
    return [EmailIntent(account.email, template, values)]  # the person's, not a practice's


@handles(RegistrationOnTakenEmail)
async def registration_attempt(
    jc: JobContext, event: RegistrationOnTakenEmail
) -> list[EmailIntent]:
    return await _to_account(jc, event, "registration_attempt")


@handles(SignInLocked)
async def sign_in_paused(jc: JobContext, event: SignInLocked) -> list[EmailIntent]:
    return await _to_account(jc, event, "sign_in_paused", minutes=event.minutes)


@handles(PasswordResetRequested)
async def reset_password(jc: JobContext, event: PasswordResetRequested) -> list[EmailIntent]:
    """Only a link with an account is sent; one asked for an unknown email goes nowhere."""
    async with jc.db.reading() as tx:
        reset = await tx.get(PasswordReset, event.reset_id)
        account = await tx.get(Account, reset.account_id) if reset and reset.account_id else None
    if reset is None or account is None or not reset.usable(jc.clock()):
        return []
    values = {
        "email": account.email, "link": reset_link(jc.app_url, jc.secret_key, reset.id),
        "expires": f"{reset.expires_at:%d %B %Y at %H:%M} (UTC)",
    }
    return [EmailIntent(account.email, "reset_password", values)]


@handles(PasswordChanged)
async def password_changed(jc: JobContext, event: PasswordChanged) -> list[EmailIntent]:
    return await _to_account(jc, event, "password_changed")


@handles(PractitionerInvited)
async def invite_practitioner(jc: JobContext, event: PractitionerInvited) -> list[EmailIntent]:
    """Sent only while the link still works (not replaced, withdrawn or used since); it says
    whether to accept with an existing password or to choose one."""
    async with jc.db.reading() as tx:
        invite = await tx.get(PractitionerInvite, event.invite_id)
        practitioner = await tx.get(Practitioner, event.practitioner_id)
        practice = await tx.get(Practice, event.practice_id)
        signs_in = select(tables.accounts.c.id).where(
            tables.accounts.c.email == (invite.email if invite else None))
        has_account = (await tx.execute(signs_in)).first() is not None
    if invite is None or practitioner is None or practice is None:
        return []
    if not invite.usable(jc.clock()):
        return []
    values = {
        "name": practitioner.name, "practice_name": practice.name, "email": invite.email,
        "link": staff_invite_link(jc.app_url, jc.secret_key, invite.id),
        "expires": f"{invite.expires_at:%d %B %Y at %H:%M} (UTC)", "has_account": has_account,
    }
    return [EmailIntent(invite.email, "practitioner_invite", values, practice.id)]
