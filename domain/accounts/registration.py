"""Sign-up in two steps, so that registering says nothing about which emails have accounts:
a registration waits for its email to be verified, and only then does the practice exist."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.accounts.practice import (
    Account,
    Membership,
    NewPractitioner,
    Practice,
    PracticeRegistered,
    Practitioner,
    Role,
    check_price,
    new_practitioner,
    validate_practitioner,
)
from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate, Event
from domain.shared.validation import check_currency, required_text, slugify

VERIFY_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class RegistrationRequested(Event):
    registration_id: uuid.UUID


@dataclass(eq=False)
class Registration(Aggregate):
    """A practice waiting for its owner's email to be verified. Only a hash of the link's
    token is kept; the link works once, within VERIFY_WITHIN."""

    id: uuid.UUID
    email: str
    practice_name: str
    name: str
    password_hash: str
    timezone: str
    currency: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    appointment_price: Decimal | None = None
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def announce(self) -> None:
        """Its email is free: send the link."""
        self.record(RegistrationRequested(self.id))

    def open_practice(
        self, now: datetime
    ) -> tuple[Practice, Practitioner, Account, Membership]:
        """The practice, with its owner as the first practitioner working 9 to 5 on
        weekdays; the link is used up."""
        if not self.usable(now):
            raise invalid_link()
        self.used_at = now
        practice = Practice(
            id=uuid.uuid4(), name=self.practice_name,
            slug=f"{slugify(self.practice_name)}-{uuid.uuid4().hex[:6]}",
            timezone=self.timezone, currency=self.currency, created_at=now,
        )
        details = NewPractitioner(self.name, self.email, "", self.timezone)
        owner, account, membership = new_practitioner(
            practice, details, self.password_hash, Role.OWNER, now)
        if self.appointment_price is not None:
            owner.appointment_price = self.appointment_price
        practice.owner_id = owner.id
        practice.record(PracticeRegistered(practice.id, owner.id))
        return practice, owner, account, membership


def request_registration(
    *, practice_name: str, name: str, email: str, password: str, timezone: str,
    currency: str, appointment_price: Decimal | None, hash_password: Callable[[str], str],
    token_hash_for: Callable[[uuid.UUID], str], now: datetime,
) -> Registration:
    """A checked registration; raises the input's problems. It announces nothing: whether
    its link or a notice goes out depends on the email being free."""
    problems = Problems()
    clean_practice = problems.check(required_text, practice_name, "practiceName")
    details = validate_practitioner(problems, name, email, password, timezone)
    clean_currency = problems.check(check_currency, currency, "currency")
    # a price is checked in the practice's currency, once that currency is known to be good
    price = (problems.check(check_price, appointment_price, clean_currency, "sessionPrice")
             if appointment_price is not None and clean_currency else None)
    problems.raise_if_any()
    assert clean_practice and details and clean_currency
    registration_id = uuid.uuid4()
    return Registration(
        id=registration_id, email=details.email, practice_name=clean_practice,
        name=details.name, password_hash=hash_password(details.password),
        timezone=details.timezone, currency=clean_currency,
        token_hash=token_hash_for(registration_id), created_at=now,
        expires_at=now + VERIFY_WITHIN, appointment_price=price,
    )


def invalid_link() -> DomainError:
    return DomainError.one(
        ErrorCode.INVALID_TOKEN,
        "This verification link is not valid or has expired; register again.", ["token"],
    )
