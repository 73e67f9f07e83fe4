"""The tables. Every practice-owned row carries practice_id, so tenancy is one WHERE away."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy import Enum as SqlEnum

from domain.accounts.practice import Role, Weekday
from domain.appointments.appointments import ChargeStatus, Continuation
from domain.appointments.policy import AppointmentStatus, CancelledBy
from domain.appointments.references import new_reference
from domain.appointments.waitlist import OfferStatus, WaitlistKind, WaitlistStatus
from domain.billing.billing import InvoiceStatus
from domain.billing.invoices import PaymentStatus
from domain.clients.intake_forms import IntakeFormStatus
from domain.clients.links import LinkType
from domain.clients.relationships import (
    EndReason,
    RelationshipKind,
    RelationshipParty,
    RelationshipStatus,
)
from domain.groups.group_sessions import SubscriptionStatus
from persistence.invoice_columns import ExactDecimal, InvoiceLinesJSON
from persistence.types import AddressJSON, Amount, FeePolicyJSON, UtcDateTime, WorkingHoursJSON

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def enum_column(name: str, enum: type, **kwargs: object) -> Column:
    """Enums stored as their names in plain strings: portable and readable."""
    return Column(name, SqlEnum(enum, native_enum=False, length=32,
                                create_constraint=False), **kwargs)  # type: ignore[arg-type]


practices = Table(
    "practices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("slug", String(80), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("cancellation_notice_hours", Integer, nullable=False, default=48),
    # NULL: the default tiers, cancellation_notice_hours at 100 %.
    Column("cancellation_fee_tiers", FeePolicyJSON, nullable=True),
    Column("owner_id", Uuid, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

practitioners = Table(
    "practitioners",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("working_hours", WorkingHoursJSON, nullable=False),
    Column("appointment_price", Amount, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # The private calendar feed's secret, hashed: the URL is shown once, when it is made.
    Column("calendar_token_hash", String(64), nullable=True, unique=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Raised by a password change or reset and by signing out everywhere: access tokens
    # carry the version they were issued under, and older ones are refused.
    Column("token_version", Integer, nullable=False, default=0, server_default="0"),
)

# What an account is to each practice it belongs to: owner, practitioner or client.
memberships = Table(
    "memberships",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    enum_column("role", Role, nullable=False),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=True,
           unique=True),
    Column("client_id", Uuid, nullable=True, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

# A single-use link that sets a new password. A request for an unknown email keeps a row
# without an account (it opens nothing), so both answers cost the same work.
password_resets = Table(
    "password_resets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id"), nullable=True, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("practice_name", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("appointment_price", Amount, nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

clients = Table(
    "clients",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("date_of_birth", Date, nullable=True),
    Column("address", AddressJSON, nullable=True),
    Column("has_account", Boolean, nullable=False, default=False),
    # Folded (case- and accent-free) copies for search and ordering, kept by the mapping.
    Column("search_text", String(800), nullable=False, default=""),
    Column("sort_last_name", String(200), nullable=False, default=""),
    Column("sort_first_name", String(200), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("practice_id", "email", name="uq_clients_practice_email"),
)
Index("ix_clients_practice_sort", clients.c.practice_id, clients.c.sort_last_name,
      clients.c.sort_first_name)

relationships = Table(
    "relationships",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=False, index=True),
    enum_column("kind", RelationshipKind, nullable=False),
    enum_column("party", RelationshipParty, nullable=False),
    enum_column("status", RelationshipStatus, nullable=False),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    enum_column("end_reason", EndReason, nullable=True),
    Column("end_note", Text, nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("migrated_from_id", Uuid, nullable=True),
    Column("migrated_to_id", Uuid, nullable=True),
)

relationship_clients = Table(
    "relationship_clients",
    metadata,
    Column("relationship_id", Uuid, ForeignKey("relationships.id"), primary_key=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), primary_key=True, index=True),
    Column("position", Integer, nullable=False),
)

client_invites = Table(
    "client_invites",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

# A single-use link that makes a person a practitioner of the practice once they accept it.
practitioner_invites = Table(
    "practitioner_invites",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False, unique=True),
    Column("gateway_reference", String(64), nullable=False),
    Column("brand", String(32), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=False),
    Column("exp_year", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# The sandbox payment provider's own records (it stands in for an external service).
sandbox_cards = Table(
    "sandbox_cards",
    metadata,
    Column("reference", String(64), primary_key=True),
    Column("token", String(64), nullable=False),
    Column("brand", String(32), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=False),
    Column("exp_year", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("detached_at", UtcDateTime, nullable=True),
)

sandbox_charges = Table(
    "sandbox_charges",
    metadata,
    Column("reference", String(64), primary_key=True),
    Column("card_reference", String(64), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("decline_reason", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("refund_reference", String(64), nullable=True),
    Column("refund_idempotency_key", String(200), nullable=True, unique=True),
    Column("refunded_at", UtcDateTime, nullable=True),
    Column("refund_amount", Amount, nullable=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(80), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("dispatched_at", UtcDateTime, nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    # Hand-overs to the broker so far, and when the relay hands the row over again if it is
    # still undelivered then (NULL: at once).
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
)
Index(
    "ix_outbox_undelivered",
    outbox.c.created_at,
    sqlite_where=outbox.c.delivered_at.is_(None),
    postgresql_where=outbox.c.delivered_at.is_(None),
)

email_deliveries = Table(
    "email_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outbox_id", Uuid, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("template", String(80), nullable=False),
    Column("practice_id", Uuid, nullable=True, index=True),
    # Written before the SMTP transaction starts, `sent_at` once it ended well: a row
    # without `sent_at` is in doubt (a crash in between) and is sent again, once.
    Column("message_id", String(255), nullable=True),
    Column("started_at", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    UniqueConstraint("outbox_id", "recipient", "template", name="uq_email_deliveries_once"),
)


# One-to-one sessions. "appointments" in code and SQL: "session" means a database session.
appointments = Table(
    "appointments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=False),
    Column("relationship_id", Uuid, ForeignKey("relationships.id"), nullable=False, index=True),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    enum_column("status", AppointmentStatus, nullable=False),
    Column("price", Amount, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("booked_by_id", Uuid, ForeignKey("clients.id"), nullable=True),
    Column("package_id", Uuid, nullable=True),
    Column("charge_id", Uuid, nullable=True),
    Column("payment_failed_at", UtcDateTime, nullable=True),
    Column("reminder_sent_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    enum_column("cancelled_by", CancelledBy, nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("attended", Boolean, nullable=True),
    enum_column("continuation", Continuation, nullable=True),
    Column("update_submitted_at", UtcDateTime, nullable=True),
    Column("follow_up_of_id", Uuid, nullable=True),
    Column("held_until", UtcDateTime, nullable=True),
    # The cancellation fee tiers in force at booking, and a late cancellation's fee.
    Column("fee_policy", FeePolicyJSON, nullable=True),
    Column("cancellation_fee", Amount, nullable=True),
    Column("cancellation_fee_percent", Amount, nullable=True),
    # The short human reference (domain/appointments/references.py), unique per practice.
    # A row written with Core alone (bulk seeds) draws one as the domain does.
    Column("reference", String(16), nullable=False, default=new_reference),
    # iCalendar SEQUENCE: one more with each change of time and at cancellation.
    Column("calendar_sequence", Integer, nullable=False, default=0),
    UniqueConstraint("practice_id", "reference", name="uq_appointments_practice_reference"),
)

# The links that confirm guest bookings held for a client on file.
booking_confirmations = Table(
    "booking_confirmations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("appointment_id", Uuid, ForeignKey("appointments.id"), nullable=False, index=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)
Index("ix_appointments_practitioner_start", appointments.c.practitioner_id,
      appointments.c.starts_at)
# The sweep looks for SCHEDULED sessions by start time.
Index("ix_appointments_status_start", appointments.c.status, appointments.c.starts_at)

appointment_attendees = Table(
    "appointment_attendees",
    metadata,
    Column("appointment_id", Uuid, ForeignKey("appointments.id"), primary_key=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), primary_key=True, index=True),
    Column("position", Integer, nullable=False),
)

# Clients linked to an attendee whom the booking assigned to the session: their links'
# permissions apply to it (seed 003).
appointment_linked_clients = Table(
    "appointment_linked_clients",
    metadata,
    Column("appointment_id", Uuid, ForeignKey("appointments.id"), primary_key=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), primary_key=True, index=True),
)

charges = Table(
    "charges",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("appointment_id", Uuid, ForeignKey("appointments.id"), nullable=True, index=True),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("currency", String(3), nullable=False),
    enum_column("status", ChargeStatus, nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("gateway_reference", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Set in the same transaction as the cancellation that owes the refund; the refund
    # itself goes to the gateway after commit, and the sweep retries any left behind.
    Column("refund_requested_at", UtcDateTime, nullable=True),
    Column("refunded_at", UtcDateTime, nullable=True),
    # What a partial refund gives back; NULL: all of the amount.
    Column("refund_amount", Amount, nullable=True),
)

# A client waiting for a practitioner's time in a range, or for a group session's place.
waitlist_entries = Table(
    "waitlist_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    enum_column("kind", WaitlistKind, nullable=False),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    enum_column("status", WaitlistStatus, nullable=False),
    Column("relationship_id", Uuid, ForeignKey("relationships.id"), nullable=True),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=True),
    Column("earliest", UtcDateTime, nullable=True),
    Column("latest", UtcDateTime, nullable=True),
    Column("group_session_id", Uuid, ForeignKey("group_sessions.id"), nullable=True),
    Column("first_date", Date, nullable=True),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=True),
    Column("left_at", UtcDateTime, nullable=True),
)
Index("ix_waitlist_entries_line", waitlist_entries.c.practitioner_id,
      waitlist_entries.c.status, waitlist_entries.c.created_at)
Index("ix_waitlist_entries_group_line", waitlist_entries.c.group_session_id,
      waitlist_entries.c.status, waitlist_entries.c.created_at)

# What was offered to an entry, held until expires_at (the sweep's deadline).
waitlist_offers = Table(
    "waitlist_offers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("entry_id", Uuid, ForeignKey("waitlist_entries.id"), nullable=False, index=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("appointment_id", Uuid, ForeignKey("appointments.id"), nullable=True),
    enum_column("status", OfferStatus, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("claim_key", String(200), nullable=True),
    Column("subscription_id", Uuid, nullable=True),
)
Index("ix_waitlist_offers_open", waitlist_offers.c.status, waitlist_offers.c.expires_at)

reserved_slots = Table(
    "reserved_slots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=False, index=True),
    Column("relationship_id", Uuid, ForeignKey("relationships.id"), nullable=False, index=True),
    enum_column("weekday", Weekday, nullable=False),
    Column("start_time", Time, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Time off (domain/appointments/time_off.py): practitioner_id NULL is a practice closure.
time_off = Table(
    "time_off",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("start_time", Time, nullable=True),
    Column("end_time", Time, nullable=True),
    Column("reason", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_time_off_practice_ends", time_off.c.practice_id, time_off.c.ends_on)

# A retried money-moving mutation answers its first result: one row per (account, key).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, nullable=False),
    Column("operation", String(40), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("result_id", Uuid, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("account_id", "operation", "key", name="uq_idempotency_keys_once"),
)


# Group sessions, subscriptions and invoices (seed 001). Amounts are ExactDecimal: exact at
# any currency's minor unit (see persistence/invoice_columns.py).
services = Table(
    "services",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

group_sessions = Table(
    "group_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("service_id", Uuid, ForeignKey("services.id"), nullable=False, index=True),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    enum_column("weekday", Weekday, nullable=False),
    Column("start_time", Time, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("monthly_price", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

group_subscriptions = Table(
    "group_subscriptions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("group_session_id", Uuid, ForeignKey("group_sessions.id"), nullable=False,
           index=True),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    enum_column("status", SubscriptionStatus, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("transferred_from_id", Uuid, nullable=True),
    Column("transferred_to_id", Uuid, nullable=True),
    # The monthly sweep's cursor (not part of the domain object): the first day of the next
    # month to invoice; NULL once there is nothing more to bill.
    Column("next_bill_month", Date, nullable=True),
)
Index("ix_group_subscriptions_next_bill_month", group_subscriptions.c.next_bill_month)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("number", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    enum_column("status", InvoiceStatus, nullable=False),
    Column("lines", InvoiceLinesJSON, nullable=False),
    Column("subtotal", ExactDecimal, nullable=False),
    Column("discount", ExactDecimal, nullable=False),
    Column("total", ExactDecimal, nullable=False),
    Column("discount_percent", ExactDecimal, nullable=True),
    Column("discount_reason", String(200), nullable=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("subscription_id", Uuid, ForeignKey("group_subscriptions.id"), nullable=True),
    Column("period", Date, nullable=True),
    Column("autocharge_pending", Boolean, nullable=False, default=False),
    # Numbers are sequential per practice; a subscription has one invoice per month.
    UniqueConstraint("practice_id", "sequence", name="uq_invoices_practice_sequence"),
    UniqueConstraint("subscription_id", "period", name="uq_invoices_subscription_period"),
)
Index("ix_invoices_payer_issued", invoices.c.payer_id, invoices.c.issued_at)

# Money owed back to a payer (a group left with a credit), taken off their next monthly
# invoices until used up.
credit_notes = Table(
    "credit_notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("subscription_id", Uuid, ForeignKey("group_subscriptions.id"), nullable=True,
           index=True),
    Column("amount", ExactDecimal, nullable=False),
    Column("remaining", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_invoice_id", Uuid, ForeignKey("invoices.id"), nullable=True),
    Column("used_up_at", UtcDateTime, nullable=True),
)
Index(
    "ix_invoices_autocharge_pending",
    invoices.c.issued_at,
    sqlite_where=text("autocharge_pending = 1"),
    postgresql_where=text("autocharge_pending"),
)

# One row per practice, taken with UPDATE ... SET last_number = last_number + 1 RETURNING
# inside the invoice's own transaction: the row lock serialises issuers and a rollback gives
# the number back, so numbers have no gaps and no repeats.
invoice_counters = Table(
    "invoice_counters",
    metadata,
    Column("practice_id", Uuid, ForeignKey("practices.id"), primary_key=True),
    Column("last_number", Integer, nullable=False, default=0),
)

invoice_payments = Table(
    "invoice_payments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("invoice_id", Uuid, ForeignKey("invoices.id"), nullable=True, index=True),
    Column("payer_id", Uuid, ForeignKey("clients.id"), nullable=False),
    Column("amount", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    enum_column("status", PaymentStatus, nullable=False),
    Column("idempotency_key", String(300), nullable=False, unique=True),
    Column("gateway_reference", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)


# Linked clients (seed 003): one row per pair, in either direction (domain/clients/links.py).
client_links = Table(
    "client_links",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("linked_client_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("low_client_id", Uuid, nullable=False),
    Column("high_client_id", Uuid, nullable=False),
    enum_column("type", LinkType, nullable=False),
    Column("client_can_book", Boolean, nullable=False, default=False),
    Column("client_can_complete_forms", Boolean, nullable=False, default=False),
    Column("client_can_receive_copies", Boolean, nullable=False, default=False),
    Column("client_can_use_packages", Boolean, nullable=False, default=False),
    Column("linked_can_book", Boolean, nullable=False, default=False),
    Column("linked_can_complete_forms", Boolean, nullable=False, default=False),
    Column("linked_can_receive_copies", Boolean, nullable=False, default=False),
    Column("linked_can_use_packages", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("low_client_id", "high_client_id", name="uq_client_links_pair"),
)

# Intake forms (seed 003): they stay in the client's profile (domain/clients/intake_forms.py).
intake_forms = Table(
    "intake_forms",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("client_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("questions", JSON, nullable=False),
    enum_column("status", IntakeFormStatus, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("answers", JSON, nullable=True),
    Column("completed_by_id", Uuid, ForeignKey("clients.id"), nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
)

# Packages (seed 003): credits are counted on the row and only change under its lock; the
# check keeps a count that ever went wrong from being written.
packages = Table(
    "packages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("owner_id", Uuid, ForeignKey("clients.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("total_credits", Integer, nullable=False),
    Column("remaining_credits", Integer, nullable=False),
    Column("price", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("invoice_id", Uuid, ForeignKey("invoices.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("remaining_credits >= 0 AND remaining_credits <= total_credits",
                    name="credits_in_range"),
)

# Publishable keys for booking widgets (domain/widgets/publishable_keys.py): only a hash of a key is
# kept; its origins are rows of their own so a CORS preflight finds them by origin.
publishable_keys = Table(
    "publishable_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(32), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

publishable_key_origins = Table(
    "publishable_key_origins",
    metadata,
    Column("key_id", Uuid, ForeignKey("publishable_keys.id"), primary_key=True),
    Column("origin", String(200), primary_key=True, index=True),
)
