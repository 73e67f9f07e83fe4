"""createPublishableKey, publishableKeys and revokePublishableKey (the owner's), and how a
presented key is checked at the edge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.accounts.practice import Practice, Role
from domain.shared.errors import DomainError, ErrorCode, not_found
from domain.widgets.publishable_keys import IssuedKey, PublishableKey, issue_key, key_prefix
from persistence.database import Database
from persistence.publishable_keys import PublishableKeys
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext

WIDGET_ACCESS = "widget_access"


@dataclass(frozen=True)
class WidgetAccess:
    """A request that presented a live publishable key from one of its origins."""

    key_id: uuid.UUID
    practice_id: uuid.UUID
    origin: str


def owner(ctx: RequestContext) -> Viewer:
    viewer = ctx.staff()
    if viewer.role is not Role.OWNER:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "Only the practice's owner manages publishable keys."
        )
    return viewer


async def create_key(ctx: RequestContext, name: str, origins: list[str]) -> IssuedKey:
    viewer = owner(ctx)
    issued = issue_key(viewer.practice_id, name, origins, ctx.now)
    async with ctx.unit_of_work() as uow:
        await uow.publishable_keys.add(issued.key)
        await uow.commit()
    return issued


async def practice_keys(ctx: RequestContext) -> list[PublishableKey]:
    viewer = owner(ctx)
    async with ctx.reading() as uow:
        return await uow.publishable_keys.of_practice(viewer.practice_id)


async def revoke_key(ctx: RequestContext, key_id: uuid.UUID) -> PublishableKey:
    viewer = owner(ctx)
    async with ctx.unit_of_work() as uow:
        keys = uow.publishable_keys
        found = await keys.get_in_practice(key_id, viewer.practice_id)
        if found is None:
            raise not_found("Publishable key", ["id"])
        found.revoke(ctx.now)
        await keys.save_revocation(found)
        await uow.commit()
    return found


class KeyRefused(Exception):
    """Why the edge refuses a request that presented a publishable key."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


INVALID_KEY = KeyRefused(401, "UNAUTHENTICATED",
                         "The publishable key is not valid, or it was revoked.")
ORIGIN_NOT_ALLOWED = KeyRefused(403, "ORIGIN_NOT_ALLOWED",
                                "This publishable key may not be used from this origin.")


async def live_key(db: Database, presented: str) -> PublishableKey:
    """The key presented, unless it is malformed (no query then), unknown or revoked."""
    prefix = key_prefix(presented)
    if prefix is None:
        raise INVALID_KEY
    async with db.new_read_tx() as tx:
        key = await PublishableKeys(tx).by_prefix(prefix)
    if key is None or not key.opens(presented):
        raise INVALID_KEY
    return key


async def widget_access(
    db: Database, presented: str, origin: str | None, *, same_origin: bool = False
) -> WidgetAccess:
    """The access a presented key gives from `origin`: one of the key's origins, or
    Caseload's own (its widget page, `same_origin`). KeyRefused otherwise."""
    key = await live_key(db, presented)
    if origin is None or not (same_origin or key.allows(origin)):
        raise ORIGIN_NOT_ALLOWED
    return WidgetAccess(key.id, key.practice_id, origin.lower())


async def practice_slug(db: Database, key: PublishableKey) -> str:
    async with db.new_read_tx() as tx:
        practice = await tx.get(Practice, key.practice_id)
    assert practice is not None
    return practice.slug


async def origin_has_a_key(db: Database, origin: str) -> bool:
    async with db.new_read_tx() as tx:
        return await PublishableKeys(tx).origin_allowed(origin.lower())
