"""time off and closures; short booking references; calendar sequence and feed tokens

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-02 05:40:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As domain/appointments/references.py has it (a migration keeps its own copy).
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def upgrade() -> None:
    op.create_table('time_off',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('practice_id', sa.Uuid(), nullable=False),
    sa.Column('practitioner_id', sa.Uuid(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'],
                            name=op.f('fk_time_off_practice_id_practices')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'],
                            name=op.f('fk_time_off_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    op.create_index('ix_time_off_practice_ends', 'time_off', ['practice_id', 'ends_on'],
                    unique=False)
    with op.batch_alter_table('practitioners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64),
                                      nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_practitioners_calendar_token_hash'), ['calendar_token_hash'])
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
    _give_references()
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('reference', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('calendar_sequence', existing_type=sa.Integer(),
                              server_default=None)
        batch_op.create_unique_constraint('uq_appointments_practice_reference',
                                          ['practice_id', 'reference'])


def _give_references() -> None:
    """Every session booked before references existed gets one, unique in its practice."""
    appointments = sa.table('appointments', sa.column('id', sa.Uuid()),
                            sa.column('practice_id', sa.Uuid()),
                            sa.column('reference', sa.String()))
    connection = op.get_bind()
    taken: set[tuple[object, str]] = set()
    for row in connection.execute(sa.select(appointments.c.id, appointments.c.practice_id)):
        reference = ""
        while not reference or (row.practice_id, reference) in taken:
            reference = "".join(secrets.choice(ALPHABET) for _ in range(8))
        taken.add((row.practice_id, reference))
        connection.execute(appointments.update().where(appointments.c.id == row.id)
                           .values(reference=reference))


def downgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_appointments_practice_reference', type_='unique')
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('reference')
    with op.batch_alter_table('practitioners', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_practitioners_calendar_token_hash'),
                                 type_='unique')
        batch_op.drop_column('calendar_token_hash')
    op.drop_index('ix_time_off_practice_ends', table_name='time_off')
    op.drop_table('time_off')
