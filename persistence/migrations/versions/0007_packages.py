"""packages

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.invoice_columns
import persistence.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('packages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('total_sessions', sa.Integer(), nullable=False),
    sa.Column('remaining_sessions', sa.Integer(), nullable=False),
    sa.Column('price', persistence.invoice_columns.ExactDecimal(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('remaining_sessions >= 0 AND remaining_sessions <= total_sessions', name=op.f('ck_packages_credits_in_range')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_packages_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['owner_id'], ['clients.id'], name=op.f('fk_packages_owner_id_clients')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_packages_practice_id_practices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages'))
    )
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packages_owner_id'), ['owner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packages_owner_id'))
    op.drop_table('packages')
