"""exact amounts: session prices and charges keep every currency's minor unit on PostgreSQL

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# NUMERIC(14, 2) rounded a KWD or CLF amount; SQLite keeps amounts as text already.
COLUMNS = [
    ('practitioners', 'appointment_price', True),
    ('sandbox_charges', 'amount', False),
    ('appointments', 'price', False),
    ('charges', 'amount', False),
]


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column, nullable in COLUMNS:
        op.alter_column(table, column, type_=sa.Numeric(), existing_nullable=nullable)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column, nullable in COLUMNS:
        op.alter_column(table, column, type_=sa.Numeric(14, 2), existing_nullable=nullable)
