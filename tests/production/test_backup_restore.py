"""`flask --app tracker backup FILE` / `restore FILE` round trip on the suite's database."""

from __future__ import annotations

import os
import stat

from sqlalchemy import func, select

from tracker.accounts.models import Organization
from tracker.audit.operations import verify_chain
from tracker.extensions import db


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _org_names(app):
    with app.app_context():
        names = db.session.scalars(select(Organization.name).order_by(Organization.name)).all()
        db.session.remove()
        return names


def test_backup_then_restore_brings_back_the_old_data(app, runner, factory, tmp_path, figures):
    factory.org("Before Backup Bank")
    backup = tmp_path / "tracker.backup"
    out = _ok(runner.invoke(args=["backup", str(backup)]))
    assert "Backed up" in out
    assert backup.stat().st_size > 0
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert not (tmp_path / "tracker.backup.part").exists()

    factory.org("After Backup Bank")
    assert _org_names(app) == ["After Backup Bank", "Before Backup Bank"]

    assert "Restored" in _ok(runner.invoke(args=["restore", str(backup)]))
    assert _org_names(app) == ["Before Backup Bank"]

    # The restored database takes writes again and its audit chain holds.
    factory.org("After Restore Bank")
    with app.app_context():
        chain = verify_chain()
        count = db.session.scalar(select(func.count()).select_from(Organization))
    assert chain.ok, chain
    assert count == 2
    figures(
        "backup_restore",
        {"backup_bytes": backup.stat().st_size, "restored_ok": True, "audit_chain_ok": chain.ok},
    )


def test_restore_refuses_a_file_that_is_not_a_backup(runner, factory, tmp_path, app):
    factory.org("Keep Me Bank")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all\n" * 10)
    result = runner.invoke(args=["restore", str(junk)])
    assert result.exit_code != 0
    missing = runner.invoke(args=["restore", str(tmp_path / "missing.backup")])
    assert missing.exit_code != 0 and "no such backup file" in missing.output
    assert _org_names(app) == ["Keep Me Bank"]
