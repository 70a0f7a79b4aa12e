"""users: (lower(name), id) indexes, overall and per organization, for cohort pages

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:20:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_users_lower_name', 'users', [sa.text('lower(name)'), 'id'], unique=False)
    op.create_index(
        'ix_users_org_lower_name', 'users', ['organization_id', sa.text('lower(name)'), 'id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_users_org_lower_name', table_name='users')
    op.drop_index('ix_users_lower_name', table_name='users')
