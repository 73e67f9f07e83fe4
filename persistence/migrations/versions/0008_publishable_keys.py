"""publishable keys for booking widgets

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('publishable_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_publishable_keys_practice_id_practices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publishable_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_publishable_keys_prefix'))
    )
    with op.batch_alter_table('publishable_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publishable_keys_practice_id'), ['practice_id'], unique=False)

    op.create_table('publishable_key_origins',
    sa.Column('key_id', sa.Uuid(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['publishable_keys.id'], name=op.f('fk_publishable_key_origins_key_id_publishable_keys')),
    sa.PrimaryKeyConstraint('key_id', 'origin', name=op.f('pk_publishable_key_origins'))
    )
    with op.batch_alter_table('publishable_key_origins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publishable_key_origins_origin'), ['origin'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('publishable_key_origins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publishable_key_origins_origin'))
    op.drop_table('publishable_key_origins')
    with op.batch_alter_table('publishable_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publishable_keys_practice_id'))
    op.drop_table('publishable_keys')
