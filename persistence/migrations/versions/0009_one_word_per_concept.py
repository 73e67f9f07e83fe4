"""one word per concept: group subscriptions, appointment prices, package credits

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (old, new) index names of the subscriptions table, and its constraints on PostgreSQL
# (SQLite keeps constraint names inside the table's text, where nothing reads them).
INDEXES = [
    ('ix_session_subscriptions_client_id', 'ix_group_subscriptions_client_id', 'client_id'),
    ('ix_session_subscriptions_payer_id', 'ix_group_subscriptions_payer_id', 'payer_id'),
    ('ix_session_subscriptions_session_id', 'ix_group_subscriptions_group_session_id',
     'group_session_id'),
    ('ix_session_subscriptions_next_bill_month', 'ix_group_subscriptions_next_bill_month',
     'next_bill_month'),
]
CONSTRAINTS = [
    ('group_subscriptions', 'pk_session_subscriptions', 'pk_group_subscriptions'),
    ('group_subscriptions', 'fk_session_subscriptions_client_id_clients',
     'fk_group_subscriptions_client_id_clients'),
    ('group_subscriptions', 'fk_session_subscriptions_payer_id_clients',
     'fk_group_subscriptions_payer_id_clients'),
    ('group_subscriptions', 'fk_session_subscriptions_practice_id_practices',
     'fk_group_subscriptions_practice_id_practices'),
    ('group_subscriptions', 'fk_session_subscriptions_session_id_group_sessions',
     'fk_group_subscriptions_group_session_id_group_sessions'),
    ('invoices', 'fk_invoices_subscription_id_session_subscriptions',
     'fk_invoices_subscription_id_group_subscriptions'),
]
COLUMNS = [
    ('group_subscriptions', 'session_id', 'group_session_id'),
    ('practitioners', 'session_price', 'appointment_price'),
    ('packages', 'total_sessions', 'total_credits'),
    ('packages', 'remaining_sessions', 'remaining_credits'),
]


def _rename(table_names: tuple[str, str], columns: list[tuple[str, str, str]],
            indexes: list[tuple[str, str, str]], constraints: list[tuple[str, str, str]]) -> None:
    old_table, new_table = table_names
    op.execute(f'ALTER TABLE {old_table} RENAME TO {new_table}')
    for table, old, new in columns:
        op.execute(f'ALTER TABLE {table} RENAME COLUMN {old} TO {new}')
    postgres = op.get_bind().dialect.name == 'postgresql'
    for old, new, column in indexes:
        if postgres:
            op.execute(f'ALTER INDEX {old} RENAME TO {new}')
        else:
            op.execute(f'DROP INDEX {old}')
            op.execute(f'CREATE INDEX {new} ON {new_table} ({column})')
    if postgres:
        for table, old, new in constraints:
            op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}')


def upgrade() -> None:
    _rename(('session_subscriptions', 'group_subscriptions'), COLUMNS, INDEXES, CONSTRAINTS)


def downgrade() -> None:
    columns = [(t if t != 'group_subscriptions' else 'session_subscriptions', new, old)
               for t, old, new in COLUMNS]
    indexes = [(new, old, _old_column(column)) for old, new, column in INDEXES]
    constraints = [(t if t != 'group_subscriptions' else 'session_subscriptions', new, old)
                   for t, old, new in CONSTRAINTS]
    _rename(('group_subscriptions', 'session_subscriptions'), columns, indexes, constraints)


def _old_column(column: str) -> str:
    return 'session_id' if column == 'group_session_id' else column
