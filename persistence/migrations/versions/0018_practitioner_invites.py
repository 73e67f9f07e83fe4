"""practitioner invitations: a person becomes staff of a practice only by accepting an
emailed, single-use link (one sign-in can then be staff of several practices)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('practitioner_invites',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('practitioner_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                            name=op.f('fk_practitioner_invites_practice_id_practices')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'],
                            name=op.f('fk_practitioner_invites_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_practitioner_invites_token_hash'))
    )
    with op.batch_alter_table('practitioner_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioner_invites_practitioner_id'),
                              ['practitioner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('practitioner_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practitioner_invites_practitioner_id'))
    op.drop_table('practitioner_invites')
