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


def node_id(global_id: strawberry.ID, *type_names: str) -> uuid.UUID:
    return decode_id(str(global_id), *type_names) or NO_SUCH_ID


def optional_node_id(global_id: strawberry.ID | None, type_name: str) -> uuid.UUID | None:
    return None if global_id is None else node_id(global_id, type_name)


@strawberry.input(description="A postal address; it replaces the whole address.")
class AddressInput:
    line1: str = strawberry.field(description="First line: number and street.")
    line2: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Second line, if any.",
    )
    city: str = strawberry.field(description="Town or city.")
    postal_code: str = strawberry.field(description="Postal code, e.g. SW1A 1AA.")
    country: str = strawberry.field(
        description="ISO 3166-1 alpha-2 country code, e.g. GB (any case).",
    )

    def to_domain(self) -> DomainAddress:
        line2 = None if self.line2 is strawberry.UNSET else self.line2
        return DomainAddress(self.line1, line2, self.city, self.postal_code, self.country)


@strawberry.input(description="Profile changes: a field not given keeps its value; null clears it.")
class ClientProfileInput:
    """Only the fields given change; null clears an optional one."""

    first_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's first name (cannot be cleared).",
    )
    last_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's last name (cannot be cleared).",
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's email; EMAIL_TAKEN when another client of the practice has it.",
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "The client's phone number, e.g. +44 7911 123456; without a leading + the practice's "
            "country is assumed. Answered in E.164."
        ),
    )
    date_of_birth: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's date of birth.",
    )
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The client's whole postal address.",
    )

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
