"""credit notes: money owed back to a payer who left a group, for their next invoices

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.invoice_columns
import persistence.types

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('credit_notes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('payer_id', sa.Uuid(), nullable=False),
    sa.Column('subscription_id', sa.Uuid(), nullable=True),
    sa.Column('amount', persistence.invoice_columns.ExactDecimal(), nullable=False),
    sa.Column('remaining', persistence.invoice_columns.ExactDecimal(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_invoice_id', sa.Uuid(), nullable=True),
    sa.Column('used_up_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['last_invoice_id'], ['invoices.id'],
                            name=op.f('fk_credit_notes_last_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['payer_id'], ['clients.id'],
                            name=op.f('fk_credit_notes_payer_id_clients')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                            name=op.f('fk_credit_notes_practice_id_practices')),
    sa.ForeignKeyConstraint(['subscription_id'], ['group_subscriptions.id'],
                            name=op.f('fk_credit_notes_subscription_id_group_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_notes'))
    )
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_notes_payer_id'), ['payer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_notes_subscription_id'), ['subscription_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_notes_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_credit_notes_payer_id'))
    op.drop_table('credit_notes')
