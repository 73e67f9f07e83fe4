"""exactly once: delivery records in doubt, the sweep lock instead of a lease, held guest bookings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('email_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column(
            'started_at', persistence.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.alter_column('sent_at', existing_type=persistence.types.UtcDateTime(
            timezone=True), nullable=True)
    op.drop_table('leases')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'held_until', persistence.types.UtcDateTime(timezone=True), nullable=True))
    op.create_table(
        'booking_confirmations',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('practice_id', sa.Uuid(), nullable=False),
        sa.Column('appointment_id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('used_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                                name=op.f('fk_booking_confirmations_appointment_id_appointments')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                                name=op.f('fk_booking_confirmations_client_id_clients')),
        sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                                name=op.f('fk_booking_confirmations_practice_id_practices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_confirmations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_booking_confirmations_token_hash')),
    )
    with op.batch_alter_table('booking_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_confirmations_appointment_id'),
                              ['appointment_id'], unique=False)


def downgrade() -> None:
    op.drop_table('booking_confirmations')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('held_until')
    op.create_table(
        'leases',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('holder', sa.String(length=80), nullable=False),
        sa.Column('expires_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_leases')),
    )
    op.execute("DELETE FROM email_deliveries WHERE sent_at IS NULL")
    with op.batch_alter_table('email_deliveries', schema=None) as batch_op:
        batch_op.alter_column('sent_at', existing_type=persistence.types.UtcDateTime(
            timezone=True), nullable=False)
        batch_op.drop_column('started_at')
        batch_op.drop_column('message_id')
