"""client links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSIONS = (
    'client_can_book', 'client_can_complete_forms', 'client_can_receive_copies',
    'client_can_use_packages', 'linked_can_book', 'linked_can_complete_forms',
    'linked_can_receive_copies', 'linked_can_use_packages',
)


def upgrade() -> None:
    op.create_table('client_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('linked_client_id', sa.Uuid(), nullable=False),
    sa.Column('low_client_id', sa.Uuid(), nullable=False),
    sa.Column('high_client_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.Enum('PARENT', 'CHILD', 'PARTNER', 'GUARDIAN', 'SIBLING', 'GRANDPARENT', 'OTHER', name='linktype', native_enum=False, length=32), nullable=False),
    *[sa.Column(name, sa.Boolean(), nullable=False) for name in PERMISSIONS],
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_links_client_id_clients')),
    sa.ForeignKeyConstraint(['linked_client_id'], ['clients.id'], name=op.f('fk_client_links_linked_client_id_clients')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_client_links_practice_id_practices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_links')),
    sa.UniqueConstraint('low_client_id', 'high_client_id', name='uq_client_links_pair')
    )
    with op.batch_alter_table('client_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_links_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_links_linked_client_id'), ['linked_client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_links_linked_client_id'))
        batch_op.drop_index(batch_op.f('ix_client_links_client_id'))
    op.drop_table('client_links')
