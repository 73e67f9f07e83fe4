"""Linked clients (seed 003): two clients of a practice, a label, and for each direction four
permissions. The practice links, relabels and unlinks; unlinking takes every permission away
at once, because every right a linked client has is read from the link itself.

A link is stored once, as the practice made it: `client_id`, `linked_client_id`, the label
(what the linked client is to the client) and what each may do on behalf of the other. It
reads the same from either side (`seen_from`): seen from the linked client, the two swap,
the two permission sets swap, and the label is inverted so it still says what the other one
is to the one looking. PARENT and CHILD invert into each other, and so do GUARDIAN and WARD,
GRANDPARENT and GRANDCHILD; PARTNER, SIBLING and OTHER are their own inverse. WARD and
GRANDCHILD are not among the seed's seven labels a practice picks from; they are what
GUARDIAN and GRANDPARENT read as from the other side (a practice may still pick them: the
labels are only labels and nothing depends on them).

One link per pair, in either direction: `low_client_id`/`high_client_id` are the pair in a
fixed order, and a unique index on them refuses a second link (ALREADY_LINKED).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.events import Aggregate


class LinkType(Enum):
    PARENT = "PARENT"
    CHILD = "CHILD"
    PARTNER = "PARTNER"
    GUARDIAN = "GUARDIAN"
    SIBLING = "SIBLING"
    GRANDPARENT = "GRANDPARENT"
    OTHER = "OTHER"
    WARD = "WARD"
    GRANDCHILD = "GRANDCHILD"

    def inverse(self) -> LinkType:
        """What the other one is, when this is what one of the pair is to the other."""
        return _INVERSE.get(self, self)


_INVERSE = {
    LinkType.PARENT: LinkType.CHILD,
    LinkType.CHILD: LinkType.PARENT,
    LinkType.GUARDIAN: LinkType.WARD,
    LinkType.WARD: LinkType.GUARDIAN,
    LinkType.GRANDPARENT: LinkType.GRANDCHILD,
    LinkType.GRANDCHILD: LinkType.GRANDPARENT,
}


class Permission(Enum):
    BOOK_AND_MANAGE_APPOINTMENTS = "book_and_manage_appointments"
    COMPLETE_INTAKE_FORMS = "complete_intake_forms"
    RECEIVE_NOTIFICATION_COPIES = "receive_notification_copies"
    USE_PACKAGE_CREDITS = "use_package_credits"


@dataclass(frozen=True)
class LinkPermissions:
    """What one client of a link may do on behalf of the other."""

    book_and_manage_appointments: bool = False
    complete_intake_forms: bool = False
    receive_notification_copies: bool = False
    use_package_credits: bool = False

    def allows(self, permission: Permission) -> bool:
        return bool(getattr(self, permission.value))


@dataclass(frozen=True)
class LinkView:
    """A link as one of its clients sees it: `type` is what linked_client_id is to client_id."""

    link: ClientLink
    client_id: uuid.UUID
    linked_client_id: uuid.UUID
    type: LinkType
    client_can: LinkPermissions
    linked_client_can: LinkPermissions


@dataclass(eq=False)
class ClientLink(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    client_id: uuid.UUID
    linked_client_id: uuid.UUID
    low_client_id: uuid.UUID
    high_client_id: uuid.UUID
    type: LinkType
    created_at: datetime
    # Each direction's permissions, one column per permission (persistence/mapping.py).
    client_can_book: bool = False
    client_can_complete_forms: bool = False
    client_can_receive_copies: bool = False
    client_can_use_packages: bool = False
    linked_can_book: bool = False
    linked_can_complete_forms: bool = False
    linked_can_receive_copies: bool = False
    linked_can_use_packages: bool = False

    @property
    def client_can(self) -> LinkPermissions:
        """What client may do on behalf of linked client."""
        return LinkPermissions(self.client_can_book, self.client_can_complete_forms,
                               self.client_can_receive_copies, self.client_can_use_packages)

    @property
    def linked_client_can(self) -> LinkPermissions:
        """What linked client may do on behalf of client."""
        return LinkPermissions(self.linked_can_book, self.linked_can_complete_forms,
                               self.linked_can_receive_copies, self.linked_can_use_packages)

    def set_client_can(self, can: LinkPermissions) -> None:
        self.client_can_book = can.book_and_manage_appointments
        self.client_can_complete_forms = can.complete_intake_forms
        self.client_can_receive_copies = can.receive_notification_copies
        self.client_can_use_packages = can.use_package_credits

    def set_linked_client_can(self, can: LinkPermissions) -> None:
        self.linked_can_book = can.book_and_manage_appointments
        self.linked_can_complete_forms = can.complete_intake_forms
        self.linked_can_receive_copies = can.receive_notification_copies
        self.linked_can_use_packages = can.use_package_credits

    def involves(self, client_id: uuid.UUID) -> bool:
        return client_id in (self.client_id, self.linked_client_id)

    def other(self, client_id: uuid.UUID) -> uuid.UUID:
        return self.linked_client_id if client_id == self.client_id else self.client_id

    def seen_from(self, client_id: uuid.UUID) -> LinkView:
        """The link read from `client_id`'s side (either of its two clients)."""
        if client_id == self.client_id:
            return LinkView(self, self.client_id, self.linked_client_id, self.type,
                            self.client_can, self.linked_client_can)
        assert client_id == self.linked_client_id, "not a client of this link"
        return LinkView(self, self.linked_client_id, self.client_id, self.type.inverse(),
                        self.linked_client_can, self.client_can)

    def grants(self, grantor: uuid.UUID, grantee: uuid.UUID, permission: Permission) -> bool:
        """Has `grantee` been given `permission` to act on behalf of `grantor`?"""
        if grantor == grantee or not (self.involves(grantor) and self.involves(grantee)):
            return False
        return self.seen_from(grantor).linked_client_can.allows(permission)

    def change(self, type: LinkType | None, linked_client_can: LinkPermissions | None,
               client_can: LinkPermissions | None) -> None:
        """updateClientLink: what is given changes; what is left out stays."""
        if type is not None:
            self.type = type
        if linked_client_can is not None:
            self.set_linked_client_can(linked_client_can)
        if client_can is not None:
            self.set_client_can(client_can)


def link_clients(
    practice_id: uuid.UUID, client_id: uuid.UUID, linked_client_id: uuid.UUID, type: LinkType,
    *, linked_client_can: LinkPermissions, client_can: LinkPermissions, now: datetime,
) -> ClientLink:
    if client_id == linked_client_id:
        raise DomainError.one(ErrorCode.INVALID, "A client cannot be linked to themselves.",
                              ["linkedClientId"])
    low, high = sorted((client_id, linked_client_id), key=str)
    link = ClientLink(
        id=uuid.uuid4(), practice_id=practice_id, client_id=client_id,
        linked_client_id=linked_client_id, low_client_id=low, high_client_id=high, type=type,
        created_at=now,
    )
    link.set_client_can(client_can)
    link.set_linked_client_can(linked_client_can)
    return link


def already_linked() -> DomainError:
    return DomainError.one(ErrorCode.ALREADY_LINKED, "These two clients are already linked.",
                           ["linkedClientId"])


def granted_by(links: list[ClientLink], grantee: uuid.UUID, permission: Permission
               ) -> list[uuid.UUID]:
    """The clients who gave `grantee` `permission` through one of `links`."""
    return [link.other(grantee) for link in links
            if link.involves(grantee) and link.grants(link.other(grantee), grantee, permission)]
