"""The audit log cannot be rewritten unseen (issue 11, failure 2; ASVS V7.3.3).

Each test tampers with the database the way someone holding only the database would,
then expects ``verify-audit`` to fail and name what it found.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from tests.conftest import make_app
from tracker.audit.models import AuditEvent
from tracker.audit.operations import GENESIS, event_hash, read_checkpoint, record, verify_chain
from tracker.database import writing
from tracker.extensions import db


def _events(app, n):
    with app.app_context(), writing():
        for i in range(n):
            record(None, "probe.write", f"probe:{i}", after={"i": i})
        db.session.commit()


def _raw(app, *statements):
    """SQL as a database administrator: on PostgreSQL the append-only trigger is lifted first."""
    with app.app_context():
        with db.engine.begin() as conn:
            pg = conn.dialect.name == "postgresql"
            if pg:
                conn.execute(
                    text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
                )
            for sql in statements:
                conn.execute(text(sql))
            if pg:
                conn.execute(
                    text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
                )


def _verify(runner):
    result = runner.invoke(args=["verify-audit"])
    return result.exit_code, result.output


def test_intact_log_passes_and_checkpoint_follows_commits(app, runner):
    _events(app, 5)
    code, out = _verify(runner)
    assert code == 0 and "5 events" in out
    with app.app_context():
        point = read_checkpoint()
        head = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert point is not None and (point.id, point.hash) == (head.id, head.hash)


def test_rolled_back_event_does_not_move_the_checkpoint(app):
    _events(app, 2)
    with app.app_context():
        before = read_checkpoint()
        with writing():
            record(None, "probe.write", "probe:rolled-back")
            db.session.rollback()
        assert read_checkpoint() == before
        assert verify_chain().ok


def test_newest_50_events_deleted_is_detected(app, runner):
    _events(app, 60)
    _raw(app, "DELETE FROM audit_events WHERE id > (SELECT MAX(id) - 50 FROM audit_events)")
    code, out = _verify(runner)
    assert code == 1
    assert "newest events were removed" in out and "(50)" in out


def test_every_event_deleted_is_detected(app, runner):
    _events(app, 10)
    _raw(app, "DELETE FROM audit_events")
    code, out = _verify(runner)
    assert code == 1 and "every event was removed" in out


def test_event_edited_and_chain_recomputed_with_event_hash_is_detected(app, runner):
    _events(app, 8)
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        rows = []
        prev = GENESIS
        for ev in events:
            if ev.target == "probe:3":
                ev.after = {"i": 333}
            ev.prev_hash = prev
            ev.hash = event_hash(ev)
            rows.append((ev.id, ev.prev_hash, ev.hash, json.dumps(ev.after)))
            prev = ev.hash
        db.session.rollback()
    statements = [
        f"UPDATE audit_events SET prev_hash = 'x{i}', hash = 'y{i}' WHERE id = {i}"
        for i, *_ in rows
    ] + [
        f"UPDATE audit_events SET prev_hash = '{p}', hash = '{h}', after = '{a}' WHERE id = {i}"
        for i, p, h, a in rows
    ]
    _raw(app, *statements)
    code, out = _verify(runner)
    assert code == 1
    assert "recomputed without the audit key" in out
    assert "differs from the checkpoint" in out


def test_forged_event_appended_with_record_without_the_key_is_detected(app, runner, tmp_path):
    _events(app, 3)
    forger = make_app(AUDIT_KEY="a-guessed-key", AUDIT_CHECKPOINT=tmp_path / "forger.json")
    with forger.app_context(), writing():
        forged = record(None, "user.promote", "user:1", after={"role": "admin"})
        forged_id = forged.id
        db.session.commit()
    code, out = _verify(runner)
    assert code == 1
    assert f"event {forged_id}" in out and "forged" in out


def test_edited_content_is_detected(app, runner):
    _events(app, 3)
    _raw(
        app,
        "UPDATE audit_events SET action = 'x' WHERE id = (SELECT MIN(id) + 1 FROM audit_events)",
    )
    code, out = _verify(runner)
    assert code == 1 and "changed after it was written" in out


def test_forged_checkpoint_is_refused(app, runner):
    _events(app, 3)
    path = app.config["AUDIT_CHECKPOINT"]
    data = json.loads(path.read_text())
    data["id"] = 1
    path.write_text(json.dumps(data))
    code, out = _verify(runner)
    assert code == 1 and "not written with the audit key" in out


def test_postgresql_refuses_update_and_delete_on_the_audit_table(app):
    _events(app, 2)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the append-only trigger is PostgreSQL's (make test-postgres)")
        from sqlalchemy.exc import DBAPIError

        for sql in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text(sql))
        assert verify_chain().ok
