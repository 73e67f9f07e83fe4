"""cancellation fee tiers (a practice's policy, each session's snapshot, partial refunds)

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
down_revision: str | None = '0012'
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


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(column)
    _snapshot_existing_sessions()


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
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column.name)
