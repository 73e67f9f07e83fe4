"""The claim link of a waitlist offer: `{CASELOAD_APP_URL}/waitlist/claim?token=…`. The token
is the offer's id and an HMAC of it under the server's secret, so nothing secret is stored and
the email job (or the sweep's offer) derives the same link from the id alone."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from urllib.parse import quote

CLAIM_PATH = "/waitlist/claim"


def _mac(secret: str, offer_id: uuid.UUID) -> str:
    digest = hmac.new(secret.encode(), b"waitlist-offer:" + offer_id.bytes, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def claim_token(secret: str, offer_id: uuid.UUID) -> str:
    return f"{offer_id.hex}.{_mac(secret, offer_id)}"


def offer_of_token(secret: str, token: str) -> uuid.UUID | None:
    """The offer a token stands for; None for anything not made with the secret."""
    head, _, mac = token.strip().partition(".")
    try:
        offer_id = uuid.UUID(hex=head)
    except ValueError:
        return None
    expected = _mac(secret, offer_id).encode()
    return offer_id if hmac.compare_digest(mac.encode(), expected) else None


def claim_link(app_url: str, secret: str, offer_id: uuid.UUID) -> str:
    return f"{app_url}{CLAIM_PATH}?token={quote(claim_token(secret, offer_id))}"
