"""Per-account protection of sign-in: after a few wrong passwords for one email, sign-in for
it is paused until the oldest failure leaves the window, whatever the password; other
accounts and the account's existing tokens are untouched. Unknown emails are counted and
paused exactly like known ones, so the answers say nothing about which emails exist."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from resolvers.shared.context import RequestContext
from resolvers.shared.limits import RATE_LIMIT_REFUSALS, Limit, RateLimiter

NOTICE_WINDOW_SECONDS = 24 * 60 * 60  # the owner hears of a lock at most once a day


class SignInPaused(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many failed sign-ins for this email; try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignInGuard:
    limiter: RateLimiter
    failures: Limit

    @classmethod
    def of(cls, ctx: RequestContext) -> SignInGuard | None:
        limiter = ctx.services.limiter
        return cls(limiter, ctx.services.sign_in_failures) if limiter else None

    async def ensure_open(self, email: str) -> None:
        bucket = email_bucket("sign-in-failures", email)
        retry_after = await self.limiter.wait(bucket, self.failures)
        if retry_after is not None:
            RATE_LIMIT_REFUSALS.labels("sign_in").inc()
            raise SignInPaused(retry_after)

    async def failed(self, email: str) -> bool:
        """Count a failure; True when it paused sign-in and the owner has not yet been told."""
        bucket = email_bucket("sign-in-failures", email)
        await self.limiter.hit(bucket, self.failures)
        if await self.limiter.wait(bucket, self.failures) is None:
            return False
        notice = Limit(1, NOTICE_WINDOW_SECONDS)
        return await self.limiter.hit(email_bucket("sign-in-notice", email), notice) is None


def email_bucket(kind: str, email: str) -> str:
    """Keyed on a digest, so the limiter's storage holds no email addresses."""
    return f"{kind}:{hashlib.sha256(email.encode()).hexdigest()[:32]}"
