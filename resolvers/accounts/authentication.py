"""Who a request's `Authorization` header signs in, or why it signs in nobody. A token whose
signature and lifetime hold is still refused once its account's token version has moved on
(a password change or reset, signing out everywhere), or its membership is gone."""

from __future__ import annotations

from datetime import datetime

from persistence.database import Reads
from persistence.repositories import Accounts
from resolvers.shared.auth import TokenRefusal, Viewer
from resolvers.shared.context import Services


async def authenticate(
    services: Services, authorization: str, now: datetime, reads: Reads | None = None
) -> Viewer | TokenRefusal | None:
    """None when no token was sent. `reads`: where to read the version (the request's shared
    read transaction; by default a session of its own)."""
    if not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return TokenRefusal.MALFORMED
    found = services.tokens.check(token.strip(), now)
    if isinstance(found, TokenRefusal):
        return found
    async with (reads or services.db).reading() as tx:  # one read by primary keys
        version = await Accounts(tx).token_version(
            found.account_id, found.membership, found.practice_id)
    return found if version == found.token_version else TokenRefusal.REVOKED
