"""Validators for the values people type in. Each raises a DomainError naming its field."""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from functools import lru_cache
from zoneinfo import available_timezones

import pycountry
from email_validator import EmailNotValidError, validate_email

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import is_practice_currency

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
_COMMON_PASSWORDS = frozenset(
    {"password12", "password123", "1234567890", "qwertyuiop", "letmein123", "iloveyou12",
     "0123456789", "passw0rd12", "welcome123", "abcdefghij", "1q2w3e4r5t", "qwerty1234"}
)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def invalid(message: str, *field: str) -> DomainError:
    return DomainError.one(ErrorCode.INVALID, message, field or None)


def required_text(value: str | None, field: str, *, max_length: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise invalid(f"{field} is required.", field)
    if len(text) > max_length:
        raise invalid(f"{field} must be at most {max_length} characters.", field)
    return text


def normalise_email(value: str, field: str = "email") -> str:
    """A well-formed address, lower-cased so that lookups are exact."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise invalid(f"Not a valid email address: {error}", field) from None
    return result.normalized.lower()


def check_password(password: str, *, email: str | None = None, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise invalid(f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", field)
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        raise invalid("Password is too easy to guess.", field)
    if email and lowered == email.lower():
        raise invalid("Password must not be your email address.", field)
    return password


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(value: str, field: str = "timezone") -> str:
    name = value.strip()
    if name not in _timezones():
        raise invalid(f"Unknown timezone {value!r}; use an IANA name like Europe/London.", field)
    return name


def check_currency(value: str, field: str = "currency") -> str:
    """An ISO 4217 currency a practice can bill in: no fund, precious metal or X-code
    without a minor unit (XXX, XTS, XDR)."""
    code = value.strip().upper()
    if len(code) != 3 or not is_practice_currency(code):
        raise invalid(
            f"{value!r} is not a currency a practice can bill in; use an ISO 4217 code like "
            "GBP (funds, precious metals and codes such as XXX are not money).", field)
    return code


def check_country(value: str, field: str = "country") -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise invalid(f"Unknown country {value!r}; use an ISO 3166 code like GB.", field)
    return code


def parse_hhmm(value: str, field: str) -> time:
    match = _HHMM.match(value.strip())
    if not match:
        raise invalid(f"{value!r} is not a time of day in HH:MM.", field)
    return time(int(match.group(1)), int(match.group(2)))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60] or "practice"


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
