"""Inputs shared by client and relationship operations, and how they become domain values."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import strawberry

from domain.clients.profile import KEEP, ProfileChanges
from domain.clients.profile import AddressInput as DomainAddress
from schema.shared.ids import decode_id

# An id that names nothing: what a malformed or wrong-type global id becomes, so that it is
# refused as NOT_FOUND exactly like an id that does not exist.
NO_SUCH_ID = uuid.UUID(int=0)


def node_id(global_id: strawberry.ID, type_name: str) -> uuid.UUID:
    return decode_id(str(global_id), type_name) or NO_SUCH_ID


def optional_node_id(global_id: strawberry.ID | None, type_name: str) -> uuid.UUID | None:
    return None if global_id is None else node_id(global_id, type_name)


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = strawberry.UNSET
    city: str
    postal_code: str
    country: str

    def to_domain(self) -> DomainAddress:
        line2 = None if self.line2 is strawberry.UNSET else self.line2
        return DomainAddress(self.line1, line2, self.city, self.postal_code, self.country)


@strawberry.input
class ClientProfileInput:
    """Only the fields given change; null clears an optional one."""

    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET
    address: AddressInput | None = strawberry.UNSET

    def to_domain(self) -> ProfileChanges:
        return profile_changes(self)


def profile_changes(source: Any) -> ProfileChanges:
    """From any input with the profile's fields (an omitted one stays as it is)."""

    def given(value: Any) -> Any:
        return KEEP if value is strawberry.UNSET else value

    address = given(source.address)
    return ProfileChanges(
        first_name=given(source.first_name),
        last_name=given(source.last_name),
        email=given(source.email),
        phone=given(source.phone),
        date_of_birth=given(source.date_of_birth),
        address=address.to_domain() if isinstance(address, AddressInput) else address,
    )


def given(value: Any) -> Any:
    """An input field left out reads as None."""
    return None if value is strawberry.UNSET else value
