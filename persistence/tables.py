"""The tables. Every practice-owned row carries practice_id, so tenancy is one WHERE away."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy import Enum as SqlEnum

from domain.practice import Role
from persistence.types import Amount, UtcDateTime, WorkingHoursJSON

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
    Column("session_price", Amount, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    enum_column("role", Role, nullable=False),
    Column("practitioner_id", Uuid, ForeignKey("practitioners.id"), nullable=True),
    Column("client_id", Uuid, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
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
    Column("attempts", Integer, nullable=False, default=0),
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
    Column("sent_at", UtcDateTime, nullable=False),
    UniqueConstraint("outbox_id", "recipient", "template", name="uq_email_deliveries_once"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("holder", String(80), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
