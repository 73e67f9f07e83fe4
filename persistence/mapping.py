"""Imperative mapping: the domain's dataclasses stay free of SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry, relationship

from domain.accounts.payments import PaymentMethod
from domain.accounts.practice import Account, Membership, Practice, Practitioner
from domain.accounts.recovery import PasswordReset
from domain.accounts.registration import Registration
from domain.accounts.staff_invites import PractitionerInvite
from domain.appointments.appointments import (
    Appointment,
    AppointmentAttendee,
    AssignedLinkedClient,
    Charge,
    ReservedSlot,
)
from domain.appointments.time_off import TimeOff
from domain.appointments.waitlist import WaitlistEntry, WaitlistOffer
from domain.billing.invoices import Invoice, InvoicePayment
from domain.billing.packages import Package
from domain.clients.clients import Client, ClientInvite
from domain.clients.intake_forms import IntakeForm
from domain.clients.links import ClientLink
from domain.clients.relationships import Attendee, Relationship
from domain.groups.group_sessions import GroupSession, GroupSubscription, Service
from domain.shared.validation import fold
from domain.widgets.guest_booking import BookingConfirmation
from persistence import tables

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def start_mappers() -> None:
    """Map once per process; calling again is harmless."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Practice, tables.practices)
    mapper_registry.map_imperatively(Practitioner, tables.practitioners)
    mapper_registry.map_imperatively(Account, tables.accounts)
    mapper_registry.map_imperatively(Membership, tables.memberships)
    mapper_registry.map_imperatively(Registration, tables.registrations)
    mapper_registry.map_imperatively(PasswordReset, tables.password_resets)
    mapper_registry.map_imperatively(PractitionerInvite, tables.practitioner_invites)
    _map_clients()
    _map_appointments()
    _map_group_sessions()
    _mapped = True


def _map_clients() -> None:
    mapper_registry.map_imperatively(Client, tables.clients)
    mapper_registry.map_imperatively(ClientInvite, tables.client_invites)
    mapper_registry.map_imperatively(BookingConfirmation, tables.booking_confirmations)
    mapper_registry.map_imperatively(PaymentMethod, tables.payment_methods)
    mapper_registry.map_imperatively(ClientLink, tables.client_links)
    mapper_registry.map_imperatively(IntakeForm, tables.intake_forms)
    mapper_registry.map_imperatively(Package, tables.packages)
    mapper_registry.map_imperatively(Attendee, tables.relationship_clients)
    mapper_registry.map_imperatively(
        Relationship,
        tables.relationships,
        properties={
            # selectin: attendees always arrive with their relationship, in one more query
            # per batch, so nothing ever lazy-loads.
            "attendees": relationship(
                Attendee, order_by=tables.relationship_clients.c.position,
                cascade="all, delete-orphan", lazy="selectin",
            ),
        },
    )
    event.listen(Client, "before_insert", _index_client)
    event.listen(Client, "before_update", _index_client)


def _index_client(_mapper: Any, _connection: Any, client: Client) -> None:
    """Keep the folded search and sort columns in step with the profile."""
    words = (client.first_name, client.last_name, client.email or "")
    client.search_text = fold(" ".join(words))  # type: ignore[attr-defined]
    client.sort_last_name = fold(client.last_name)  # type: ignore[attr-defined]
    client.sort_first_name = fold(client.first_name)  # type: ignore[attr-defined]


def _map_appointments() -> None:
    mapper_registry.map_imperatively(AppointmentAttendee, tables.appointment_attendees)
    mapper_registry.map_imperatively(AssignedLinkedClient, tables.appointment_linked_clients)
    mapper_registry.map_imperatively(
        Appointment,
        tables.appointments,
        properties={
            "attendees": relationship(
                AppointmentAttendee, order_by=tables.appointment_attendees.c.position,
                cascade="all, delete-orphan", lazy="selectin",
            ),
            "assigned": relationship(
                AssignedLinkedClient, cascade="all, delete-orphan", lazy="selectin",
            ),
        },
    )
    mapper_registry.map_imperatively(Charge, tables.charges)
    mapper_registry.map_imperatively(ReservedSlot, tables.reserved_slots)
    mapper_registry.map_imperatively(WaitlistEntry, tables.waitlist_entries)
    mapper_registry.map_imperatively(WaitlistOffer, tables.waitlist_offers)
    mapper_registry.map_imperatively(TimeOff, tables.time_off)


def _map_group_sessions() -> None:
    mapper_registry.map_imperatively(Service, tables.services)
    mapper_registry.map_imperatively(GroupSession, tables.group_sessions)
    # next_bill_month is the monthly sweep's cursor, kept with Core statements
    # (persistence.repositories.Subscriptions), not a field of the domain object.
    mapper_registry.map_imperatively(GroupSubscription, tables.group_subscriptions,
                                     exclude_properties=["next_bill_month"])
    mapper_registry.map_imperatively(Invoice, tables.invoices)
    mapper_registry.map_imperatively(InvoicePayment, tables.invoice_payments)
