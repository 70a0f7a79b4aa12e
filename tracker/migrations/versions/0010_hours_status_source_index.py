"""hours_entries: an index on (status, source) for the approval queues

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:10:00

"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_hours_entries_status_source', 'hours_entries', ['status', 'source'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_hours_entries_status_source', table_name='hours_entries')
