"""One hours-entry table for experience entries and internships; record versions;
verification and waiver-lifecycle columns

Experience entries keep their ids. Internships are renumbered above every old id of both
tables (so that an old internship id never names another internship), and remember where
they came from in `former_id` ("internship:3"); their evidence files follow them. Audit
events are never rewritten (the log is hash-chained): old events keep naming
"internship:3", and the row's `former_id` leads from them to the row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATUS = sa.Enum('pending', 'approved', 'rejected', name='entrystatus', native_enum=False,
                 length=12)
VERIFIABLE = ('degrees', 'courses', 'exam_results', 'attestations', 'held_credentials')


def upgrade() -> None:
    op.create_table(
        'hours_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=False),
        sa.Column('hours', sa.Float(), nullable=False),
        sa.Column('category', sa.String(length=64), nullable=False),
        sa.Column('supervised', sa.Boolean(), nullable=False),
        sa.Column('workplace', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('status', STATUS, nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('former_id', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['candidate_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mentor_id'], ['users.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('hours_entries', schema=None) as batch_op:
        batch_op.create_index('ix_hours_entries_candidate_id', ['candidate_id'])
        batch_op.create_index('ix_hours_entries_status', ['status'])
        batch_op.create_index('ix_hours_entries_source', ['source'])
        batch_op.create_index('ix_hours_entries_mentor_id', ['mentor_id'])

    conn = op.get_bind()
    offset = conn.execute(sa.text(
        'SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM experience_entries '
        'UNION ALL SELECT MAX(id) FROM internships) AS both_tables'
    )).scalar() or 0
    conn.execute(sa.text(
        'INSERT INTO hours_entries (id, candidate_id, source, start, "end", hours, category, '
        'supervised, workplace, description, mentor_id, created_by_id, status, decided_by_id, '
        'decided_at, note, version, former_id, created_at) '
        'SELECT id, candidate_id, \'employment\', start, "end", hours, category, supervised, '
        'employer, description, NULL, candidate_id, status, decided_by_id, decided_at, reason, '
        '1, NULL, created_at FROM experience_entries'
    ))
    conn.execute(sa.text(
        'INSERT INTO hours_entries (id, candidate_id, source, start, "end", hours, category, '
        'supervised, workplace, description, mentor_id, created_by_id, status, decided_by_id, '
        'decided_at, note, version, former_id, created_at) '
        'SELECT id + :offset, candidate_id, \'internship\', start, "end", hours, category, '
        'supervised, host, \'\', mentor_id, created_by_id, status, decided_by_id, decided_at, '
        'comment, 1, \'internship:\' || CAST(id AS VARCHAR(12)), created_at FROM internships'
    ).bindparams(offset=offset))
    conn.execute(sa.text(
        "UPDATE evidence_files SET record_id = record_id + :offset "
        "WHERE record_type = 'internships'"
    ).bindparams(offset=offset))
    if conn.dialect.name == 'postgresql':
        conn.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('hours_entries', 'id'), "
            "COALESCE((SELECT MAX(id) FROM hours_entries), 0) + 1, false)"
        ))
    op.drop_table('internships')
    op.drop_table('experience_entries')

    for table in (*VERIFIABLE, 'waivers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), nullable=False, server_default='1')
            )
    for table in VERIFIABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('verified_on', sa.Date(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_verified_by', 'users', ['verified_by_id'],
                                        ['id'])
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_waivers_revoked_by', 'users', ['revoked_by_id'], ['id'])


def downgrade() -> None:
    raise NotImplementedError('0003 merges two tables; restore a backup to go back')
