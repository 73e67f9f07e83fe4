"""intake forms

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('intake_forms',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'COMPLETED', name='intakeformstatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('completed_by_id', sa.Uuid(), nullable=True),
    sa.Column('completed_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_intake_forms_client_id_clients')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['clients.id'], name=op.f('fk_intake_forms_completed_by_id_clients')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_intake_forms_practice_id_practices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_forms'))
    )
    with op.batch_alter_table('intake_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_forms_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_forms_client_id'))
    op.drop_table('intake_forms')
