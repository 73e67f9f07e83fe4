"""cancellation fee tiers (a practice's policy, each session's snapshot, partial refunds) and
the waitlist (entries in line, offers held until a deadline)

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types
from domain.appointments.fee_tiers import FeePolicy

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ('practices', sa.Column('cancellation_fee_tiers', persistence.types.FeePolicyJSON(),
                            nullable=True)),
    ('appointments', sa.Column('fee_policy', persistence.types.FeePolicyJSON(), nullable=True)),
    ('appointments', sa.Column('cancellation_fee', persistence.types.Amount(), nullable=True)),
    ('appointments', sa.Column('cancellation_fee_percent', persistence.types.Amount(),
                               nullable=True)),
    ('charges', sa.Column('refund_amount', persistence.types.Amount(), nullable=True)),
    ('sandbox_charges', sa.Column('refund_amount', persistence.types.Amount(), nullable=True)),
]


def _enum() -> sa.String:
    return sa.String(length=32)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(column)
    _snapshot_existing_sessions()
    _create_waitlist()


def _create_waitlist() -> None:
    utc = persistence.types.UtcDateTime
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('kind', _enum(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', utc(timezone=True), nullable=False),
    sa.Column('status', _enum(), nullable=False),
    sa.Column('relationship_id', sa.Uuid(), nullable=True),
    sa.Column('practitioner_id', sa.Uuid(), nullable=True),
    sa.Column('earliest', utc(timezone=True), nullable=True),
    sa.Column('latest', utc(timezone=True), nullable=True),
    sa.Column('group_session_id', sa.Uuid(), nullable=True),
    sa.Column('first_date', sa.Date(), nullable=True),
    sa.Column('payer_id', sa.Uuid(), nullable=True),
    sa.Column('left_at', utc(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                            name=op.f('fk_waitlist_entries_client_id_clients')),
    sa.ForeignKeyConstraint(['group_session_id'], ['group_sessions.id'],
                            name=op.f('fk_waitlist_entries_group_session_id_group_sessions')),
    sa.ForeignKeyConstraint(['payer_id'], ['clients.id'],
                            name=op.f('fk_waitlist_entries_payer_id_clients')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                            name=op.f('fk_waitlist_entries_practice_id_practices')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'],
                            name=op.f('fk_waitlist_entries_practitioner_id_practitioners')),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'],
                            name=op.f('fk_waitlist_entries_relationship_id_relationships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')),
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entries_client_id'), ['client_id'],
                              unique=False)
        batch_op.create_index('ix_waitlist_entries_line',
                              ['practitioner_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_waitlist_entries_group_line',
                              ['group_session_id', 'status', 'created_at'], unique=False)
    op.create_table('waitlist_offers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('starts_at', utc(timezone=True), nullable=False),
    sa.Column('ends_at', utc(timezone=True), nullable=True),
    sa.Column('appointment_id', sa.Uuid(), nullable=True),
    sa.Column('status', _enum(), nullable=False),
    sa.Column('created_at', utc(timezone=True), nullable=False),
    sa.Column('expires_at', utc(timezone=True), nullable=False),
    sa.Column('claimed_at', utc(timezone=True), nullable=True),
    sa.Column('claim_key', sa.String(length=200), nullable=True),
    sa.Column('subscription_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                            name=op.f('fk_waitlist_offers_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['entry_id'], ['waitlist_entries.id'],
                            name=op.f('fk_waitlist_offers_entry_id_waitlist_entries')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                            name=op.f('fk_waitlist_offers_practice_id_practices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_offers')),
    )
    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_offers_entry_id'), ['entry_id'],
                              unique=False)
        batch_op.create_index('ix_waitlist_offers_open', ['status', 'expires_at'],
                              unique=False)


def _snapshot_existing_sessions() -> None:
    """Sessions booked before tiers existed keep what was in force: their practice's window
    at 100 %."""
    bind = op.get_bind()
    practices = sa.table('practices', sa.column('id', sa.Uuid()),
                         sa.column('cancellation_notice_hours', sa.Integer()))
    appointments = sa.table('appointments', sa.column('practice_id', sa.Uuid()),
                            sa.column('fee_policy', persistence.types.FeePolicyJSON()))
    for practice_id, hours in bind.execute(
            sa.select(practices.c.id, practices.c.cancellation_notice_hours)).all():
        tiers = FeePolicy.default(int(hours))
        bind.execute(appointments.update()
                     .where(appointments.c.practice_id == practice_id)
                     .values(fee_policy=tiers))


def downgrade() -> None:
    op.drop_table('waitlist_offers')
    op.drop_table('waitlist_entries')
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column.name)
