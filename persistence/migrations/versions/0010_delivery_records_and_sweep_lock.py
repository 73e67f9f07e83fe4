"""delivery records in doubt, and the sweep lock instead of a lease

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


def downgrade() -> None:
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
