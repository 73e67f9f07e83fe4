"""one account per person with memberships of practices; password reset links; a token
version per account that ends older access tokens; linked clients assigned per session

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table('password_resets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                            name=op.f('fk_password_resets_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_account_id'), ['account_id'],
                              unique=False)


    _memberships()
    _assigned_linked_clients()


def _assigned_linked_clients() -> None:
    """Links keep today's behaviour for sessions booked before: every client linked to an
    attendee is assigned to each of that attendee's sessions (the link's permissions then
    decide, as before)."""
    op.create_table('appointment_linked_clients',
    sa.Column('appointment_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                            name=op.f('fk_appointment_linked_clients_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                            name=op.f('fk_appointment_linked_clients_client_id_clients')),
    sa.PrimaryKeyConstraint('appointment_id', 'client_id',
                            name=op.f('pk_appointment_linked_clients'))
    )
    with op.batch_alter_table('appointment_linked_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_linked_clients_client_id'),
                              ['client_id'], unique=False)
    op.execute(
        "INSERT INTO appointment_linked_clients (appointment_id, client_id) "
        "SELECT DISTINCT pairs.appointment_id, pairs.other_id FROM ("
        " SELECT a.appointment_id, l.linked_client_id AS other_id"
        " FROM appointment_attendees a JOIN client_links l ON l.client_id = a.client_id"
        " UNION"
        " SELECT a.appointment_id, l.client_id AS other_id"
        " FROM appointment_attendees a JOIN client_links l ON l.linked_client_id = a.client_id"
        ") pairs WHERE NOT EXISTS (SELECT 1 FROM appointment_attendees b"
        " WHERE b.appointment_id = pairs.appointment_id AND b.client_id = pairs.other_id)")


def _memberships() -> None:
    """Each account's practice, role, practitioner and client become its first membership,
    under the account's id (so a token from before, whose subject is that id, finds it)."""
    op.create_table('memberships',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('OWNER', 'PRACTITIONER', 'CLIENT', name='role', native_enum=False,
                              length=32, create_constraint=False), nullable=False),
    sa.Column('practitioner_id', sa.Uuid(), nullable=True),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                            name=op.f('fk_memberships_account_id_accounts')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                            name=op.f('fk_memberships_practice_id_practices')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'],
                            name=op.f('fk_memberships_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('client_id', name=op.f('uq_memberships_client_id')),
    sa.UniqueConstraint('practitioner_id', name=op.f('uq_memberships_practitioner_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_account_id'), ['account_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_practice_id'), ['practice_id'],
                              unique=False)
    op.execute(
        "INSERT INTO memberships (id, account_id, practice_id, role, practitioner_id, "
        "client_id, created_at) SELECT id, id, practice_id, role, practitioner_id, client_id, "
        "created_at FROM accounts")
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_practice_id'))
        batch_op.drop_constraint('fk_accounts_practice_id_practices', type_='foreignkey')
        batch_op.drop_constraint('fk_accounts_practitioner_id_practitioners',
                                 type_='foreignkey')
        batch_op.drop_column('practice_id')
        batch_op.drop_column('role')
        batch_op.drop_column('practitioner_id')
        batch_op.drop_column('client_id')


def _accounts_of_one_practice() -> None:
    """Back to one practice per account: each account keeps its first membership."""
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('role', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('practitioner_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('client_id', sa.Uuid(), nullable=True))
    for column in ('practice_id', 'role', 'practitioner_id', 'client_id'):
        op.execute(
            f"UPDATE accounts SET {column} = (SELECT m.{column} FROM memberships m "
            "WHERE m.account_id = accounts.id ORDER BY m.created_at, m.id LIMIT 1)")
    op.execute("DELETE FROM accounts WHERE practice_id IS NULL")
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('practice_id', nullable=False)
        batch_op.alter_column('role', nullable=False)
        batch_op.create_foreign_key('fk_accounts_practice_id_practices', 'practices',
                                    ['practice_id'], ['id'])
        batch_op.create_foreign_key('fk_accounts_practitioner_id_practitioners',
                                    'practitioners', ['practitioner_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_accounts_practice_id'), ['practice_id'],
                              unique=False)
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_practice_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_account_id'))
    op.drop_table('memberships')


def downgrade() -> None:
    with op.batch_alter_table('appointment_linked_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_linked_clients_client_id'))
    op.drop_table('appointment_linked_clients')
    _accounts_of_one_practice()
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_account_id'))
    op.drop_table('password_resets')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('token_version')
