"""evidence_files: an index on (record_type, record_id) for the files of a page's records

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 07:45:00

"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_evidence_files_record', 'evidence_files', ['record_type', 'record_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_evidence_files_record', table_name='evidence_files')
