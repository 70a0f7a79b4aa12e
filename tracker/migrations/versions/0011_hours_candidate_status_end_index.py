"""hours_entries: an index on (candidate_id, status, end, hours) for the approval queue's checks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:10:00

"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_hours_entries_candidate_status_end_hours', 'hours_entries', ['candidate_id', 'status', 'end', 'hours'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_hours_entries_candidate_status_end_hours', table_name='hours_entries')
