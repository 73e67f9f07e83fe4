"""A client's profile: names, contact details, date of birth and address, validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from importlib import resources

import phonenumbers

from domain.shared.errors import ErrorCode, Problems
from domain.shared.validation import check_country, invalid, normalise_email, required_text

OLDEST_AGE_YEARS = 130
# What a client must have before paying for their own sessions, in the API's field names.
SELF_PAY_FIELDS = ("email", "phone", "dateOfBirth", "address")


class Keep(Enum):
    """Marks a profile field an update leaves as it is (as opposed to clearing it)."""

    KEEP = "KEEP"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class AddressInput:
    """An address as typed, before validation."""

    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class Profile:
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    address: Address | None = None

    def missing_for_self_pay(self) -> list[str]:
        return missing_for_self_pay(self.email, self.phone, self.date_of_birth, self.address)


def missing_for_self_pay(*values: object) -> list[str]:
    """Of email, phone, date of birth and address (in that order), the names of those unset."""
    return [name for name, value in zip(SELF_PAY_FIELDS, values, strict=True) if not value]


@dataclass(frozen=True)
class ProfileChanges:
    """What a request asks to change; KEEP leaves a field alone, None clears an optional one."""

    first_name: str | Keep | None = KEEP
    last_name: str | Keep | None = KEEP
    email: str | Keep | None = KEEP
    phone: str | Keep | None = KEEP
    date_of_birth: date | Keep | None = KEEP
    address: AddressInput | Keep | None = KEEP


EMPTY_PROFILE = Profile(first_name="", last_name="")


def merge_profile(
    current: Profile, changes: ProfileChanges, *, today: date, phone_region: str | None
) -> Profile:
    """The profile with `changes` applied, every changed field validated; all problems at once."""
    problems = Problems()
    merged = Profile(
        first_name=_name(problems, current.first_name, changes.first_name, "firstName"),
        last_name=_name(problems, current.last_name, changes.last_name, "lastName"),
        email=_optional(problems, current.email, changes.email, _email),
        phone=_optional(problems, current.phone, changes.phone,
                        lambda value: normalise_phone(value, phone_region)),
        date_of_birth=_optional(problems, current.date_of_birth, changes.date_of_birth,
                                lambda value: check_date_of_birth(value, today)),
        address=_optional(problems, current.address, changes.address, check_address),
    )
    problems.raise_if_any()
    return merged


def _name(problems: Problems, current: str, change: str | Keep | None, field: str) -> str:
    if change is KEEP:
        return current
    return problems.check(required_text, change, field) or current


def _optional(problems: Problems, current, change, validate):  # type: ignore[no-untyped-def]
    if change is KEEP:
        return current
    if change is None:
        return None
    return problems.check(validate, change)


def _email(value: str) -> str | None:
    """A blank email means none; anything else must be well-formed."""
    return normalise_email(value) if value.strip() else None


def normalise_phone(value: str, region: str | None, field: str = "phone") -> str | None:
    """E.164 (+447911123456). Without a leading + the practice's country is assumed, if known."""
    text = value.strip()
    if not text:
        return None
    if region is None and not text.startswith("+"):
        raise invalid("Give the phone number in international form, e.g. +44 7911 123456.", field)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise invalid(f"{value!r} is not a phone number.", field) from None
    if not phonenumbers.is_valid_number(number):
        raise invalid(f"{value!r} is not a valid phone number.", field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_date_of_birth(value: date, today: date, field: str = "dateOfBirth") -> date:
    if value > today:
        raise invalid("Date of birth cannot be in the future.", field)
    if today.year - value.year > OLDEST_AGE_YEARS:
        raise invalid(f"Date of birth is more than {OLDEST_AGE_YEARS} years ago.", field)
    return value


def check_address(value: AddressInput) -> Address:
    problems = Problems()
    line1 = problems.check(required_text, value.line1, "line1")
    line2 = (value.line2 or "").strip() or None
    city = problems.check(required_text, value.city, "city")
    postal_code = problems.check(required_text, value.postal_code, "postalCode", max_length=20)
    country = problems.check(check_country, value.country, "country")
    problems.items = [p.under("address") for p in problems.items]
    problems.raise_if_any()
    return Address(line1, line2, city, postal_code, country)


def profile_incomplete(missing: list[str], *prefix: str) -> Problems:
    """PROFILE_INCOMPLETE, one problem per missing field."""
    problems = Problems()
    for name in missing:
        problems.add(ErrorCode.PROFILE_INCOMPLETE,
                     f"{name} is needed before the client can pay for their own sessions.",
                     *prefix, name)
    return problems


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def country_of_timezone(timezone: str) -> str | None:
    """The country an IANA timezone belongs to (Europe/London: GB); None for UTC and the like."""
    return _zone_countries().get(timezone)
