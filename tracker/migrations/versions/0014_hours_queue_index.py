"""hours_entries: an index giving the approval queue in its order, and its hours by candidate

The (status, source) index is extended to (status, source, start, id, candidate_id, hours).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:20:00

"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

COLUMNS = ['status', 'source', 'start', 'id', 'candidate_id', 'hours']


def upgrade() -> None:
    op.create_index('ix_hours_entries_queue', 'hours_entries', COLUMNS, unique=False)
    # Its first two columns: the new index serves every query the old one did.
    op.drop_index('ix_hours_entries_status_source', table_name='hours_entries')


def downgrade() -> None:
    op.create_index(
        'ix_hours_entries_status_source', 'hours_entries', ['status', 'source'], unique=False
    )
    op.drop_index('ix_hours_entries_queue', table_name='hours_entries')
