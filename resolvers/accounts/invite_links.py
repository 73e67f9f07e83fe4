"""Invitation and booking-confirmation tokens. A token is an HMAC of the invitation's (or
confirmation's) id under the server's secret, so the database (and the outbox that carries
the email) keeps only ids and a hash of the token; the email job derives the token again
when it writes the link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable
from urllib.parse import quote

ACCEPT_PATH = "/client/accept-invite"
CONFIRM_BOOKING_PATH = "/client/confirm-booking"
VERIFY_EMAIL_PATH = "/verify-email"
PAYMENT_METHOD_PATH = "/client/payment-method"
RESET_PASSWORD_PATH = "/reset-password"
STAFF_INVITE_PATH = "/staff/accept-invite"


def invite_token(secret: str, invite_id: uuid.UUID, purpose: bytes = b"client-invite") -> str:
    digest = hmac.new(secret.encode(), purpose + b":" + invite_id.bytes, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def registration_token(secret: str, registration_id: uuid.UUID) -> str:
    return invite_token(secret, registration_id, b"registration")


def registration_hash_for(secret: str) -> Callable[[uuid.UUID], str]:
    return lambda registration_id: token_hash(registration_token(secret, registration_id))


def verify_link(app_url: str, secret: str, registration_id: uuid.UUID) -> str:
    return (f"{app_url}{VERIFY_EMAIL_PATH}"
            f"?token={quote(registration_token(secret, registration_id))}")


def reset_token(secret: str, reset_id: uuid.UUID) -> str:
    return invite_token(secret, reset_id, b"password-reset")


def reset_hash_for(secret: str) -> Callable[[uuid.UUID], str]:
    return lambda reset_id: token_hash(reset_token(secret, reset_id))


def reset_link(app_url: str, secret: str, reset_id: uuid.UUID) -> str:
    return f"{app_url}{RESET_PASSWORD_PATH}?token={quote(reset_token(secret, reset_id))}"


def staff_invite_token(secret: str, invite_id: uuid.UUID) -> str:
    return invite_token(secret, invite_id, b"staff-invite")


def staff_invite_hash_for(secret: str) -> Callable[[uuid.UUID], str]:
    return lambda invite_id: token_hash(staff_invite_token(secret, invite_id))


def staff_invite_link(app_url: str, secret: str, invite_id: uuid.UUID) -> str:
    token = quote(staff_invite_token(secret, invite_id))
    return f"{app_url}{STAFF_INVITE_PATH}?token={token}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_for(secret: str) -> Callable[[uuid.UUID], str]:
    """What the domain needs to make an invitation: its id to the hash of its token."""
    return lambda invite_id: token_hash(invite_token(secret, invite_id))


def accept_link(app_url: str, secret: str, invite_id: uuid.UUID) -> str:
    return f"{app_url}{ACCEPT_PATH}?token={quote(invite_token(secret, invite_id))}"


def payment_method_link(app_url: str) -> str:
    return f"{app_url}{PAYMENT_METHOD_PATH}"


def confirmation_token(secret: str, confirmation_id: uuid.UUID) -> str:
    """The token of the link that confirms a guest booking held for a client on file."""
    digest = hmac.new(secret.encode(), b"booking-confirmation:" + confirmation_id.bytes,
                      hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def confirmation_hash_for(secret: str) -> Callable[[uuid.UUID], str]:
    return lambda confirmation_id: token_hash(confirmation_token(secret, confirmation_id))


def confirm_booking_link(app_url: str, secret: str, confirmation_id: uuid.UUID) -> str:
    token = quote(confirmation_token(secret, confirmation_id))
    return f"{app_url}{CONFIRM_BOOKING_PATH}?token={token}"
