"""security: keyed audit chain (checkpoint, append-only on PostgreSQL), login sessions, login throttle

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 22:40:00

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None

_events = sa.table(
    'audit_events',
    sa.column('id', sa.Integer),
    sa.column('at', sa.DateTime),
    sa.column('actor_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('target', sa.String),
    sa.column('candidate_id', sa.Integer),
    sa.column('organization_id', sa.Integer),
    sa.column('before', sa.JSON),
    sa.column('after', sa.JSON),
    sa.column('prev_hash', sa.String),
    sa.column('hash', sa.String),
)

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def _rechain(conn: sa.engine.Connection) -> None:
    """Existing events were chained with plain SHA-256; chain them again with the audit key."""
    from flask import current_app

    from tracker.audit.operations import GENESIS, Checkpoint, event_mac, write_checkpoint

    key = str(current_app.config['AUDIT_KEY']).encode()
    prev = GENESIS
    last = None
    rows = conn.execute(sa.select(_events).order_by(_events.c.id)).mappings().all()
    # Two passes so that the unique constraints never see a half-rewritten chain.
    for row in rows:
        conn.execute(
            _events.update()
            .where(_events.c.id == row['id'])
            .values(prev_hash='tmp-p-%d' % row['id'], hash='tmp-h-%d' % row['id'])
        )
    for row in rows:
        event = SimpleNamespace(**{**row, 'prev_hash': prev})
        mac = event_mac(event, key)  # type: ignore[arg-type]  # a row, with an event's fields
        conn.execute(
            _events.update().where(_events.c.id == row['id']).values(prev_hash=prev, hash=mac)
        )
        prev, last = mac, (row['id'], mac)
    if last is not None:
        from pathlib import Path

        write_checkpoint(
            Path(current_app.config['AUDIT_CHECKPOINT']), key, Checkpoint(*last), force=True
        )


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=320), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.Column('blocked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )
    conn = op.get_bind()
    _rechain(conn)
    if conn.dialect.name == 'postgresql':
        op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.drop_table('login_throttle')
    op.drop_table('login_sessions')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION IF EXISTS audit_events_append_only()')
