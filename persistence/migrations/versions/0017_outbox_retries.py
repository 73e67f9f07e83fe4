"""outbox rows know when they are next due: the relay alone retries them, a bounded number
of times, backing off

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'next_attempt_at', persistence.types.UtcDateTime(timezone=True), nullable=True))
    # Attempts now count hand-overs to the broker: undelivered rows start afresh.
    op.execute("UPDATE outbox SET attempts = 0 WHERE delivered_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
