"""`import`: columns from the schemas, all or nothing, every bad row listed, BOM, `;`,
decimal comma; 1,000 rows in one go."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry


def _count(app, column):
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


def _run(runner, path, *args):
    return runner.invoke(args=["import", str(path), *args])


def _world(factory):
    org = factory.org("Import Org")
    cand = factory.user("candidate", org, email="ivy@import.test", name="Ivy")
    coord = factory.user("coordinator", org, email="coord@import.test")
    return org, cand, coord


def test_a_thousand_rows_import_in_one_go(app, runner, factory, tmp_path):
    org, cand, _coord = _world(factory)
    lines = ["email,start,end,hours,category,supervised,employer"]
    for n in range(1000):
        year, day = 2010 + n // 300, n % 300
        from datetime import date, timedelta

        start = date(year, 1, 1) + timedelta(days=day)
        lines.append(f"ivy@import.test,{start},{start},7.5,financial-planning,false,Acme")
    path = tmp_path / "hours.csv"
    path.write_text("\n".join(lines) + "\n")
    result = _run(runner, path, "--kind", "experience", "--org", str(org.id))
    assert result.exit_code == 0, result.output
    assert "Imported 1000 experience row(s)." in result.output
    assert _count(app, ExperienceEntry.id) == 1000
    with app.app_context():
        statuses = set(db.session.scalars(select(ExperienceEntry.status)))
        imports = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "experience.import")
        )
    assert statuses == {EntryStatus.PENDING} and imports == 1000


def test_three_bad_rows_are_listed_and_nothing_is_written(app, runner, factory, tmp_path):
    org, _cand, _coord = _world(factory)
    path = tmp_path / "bad.csv"
    path.write_text(
        "email,start,end,hours,category,supervised\n"
        "ivy@import.test,2025-01-01,2025-01-31,120,financial-planning,false\n"
        "ivy@import.test,2025-02-01,2025-02-28,lots,financial-planning,false\n"
        "ivy@import.test,2025-03-01,2025-03-31,120,financial-planning,maybe\n"
        "ivy@import.test,2025-04-01,2025-04-30,120,financial-planning,true\n"
        "nobody@import.test,2025-05-01,2025-05-31,120,financial-planning,false\n"
    )
    result = _run(runner, path, "--kind", "experience", "--org", str(org.id))
    assert result.exit_code == 1
    listed = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0:2] for line in listed] == [
        ["line 3", " hours"], ["line 4", " supervised"], ["line 6", " email"],
    ]  # fmt: skip
    assert _count(app, ExperienceEntry.id) == 0


def test_bom_semicolons_decimal_comma_dry_run_and_approved(app, runner, factory, tmp_path):
    org, _cand, coord = _world(factory)
    path = tmp_path / "pl.csv"
    path.write_bytes(
        "\ufeffEmail;start;end;hours;category;supervised;description\n"
        "ivy@import.test;2025-01-06;2025-01-10;37,5;financial-planning;true;Planowanie\n".encode()
    )
    dry = _run(runner, path, "--kind", "experience", "--org", str(org.id), "--dry-run")
    assert dry.exit_code == 0 and "1 row(s) are good" in dry.output
    assert _count(app, ExperienceEntry.id) == 0
    done = _run(runner, path, "--kind", "experience", "--org", str(org.id),
                "--approved-by", "coord@import.test")  # fmt: skip
    assert done.exit_code == 0, done.output
    with app.app_context():
        entry = db.session.scalar(select(ExperienceEntry))
        assert entry.hours == 37.5 and entry.supervised is True
        assert entry.status == EntryStatus.APPROVED and entry.decided_by_id == coord.id


def test_unknown_and_missing_columns_are_named_on_line_one(runner, factory, tmp_path):
    org, *_ = _world(factory)
    path = tmp_path / "cols.csv"
    path.write_text("email,start,hours,colour\nivy@import.test,2025-01-01,5,red\n")
    result = _run(runner, path, "--kind", "experience", "--org", str(org.id))
    assert result.exit_code == 1
    assert "line 1: colour: unknown column" in result.output
    assert "line 1: end: column is missing" in result.output


def test_users_import_invites_those_without_a_password(app, runner, factory, tmp_path):
    org = factory.org("User Import Org")
    path = tmp_path / "users.csv"
    path.write_text(
        "email,name,role,password\n"
        "a@users.test,Ann Able,candidate,violet-harbour-lantern-93\n"
        "b@users.test,Ben Bold,mentor,\n"
    )
    result = _run(runner, path, "--kind", "users", "--org", str(org.id))
    assert result.exit_code == 0, result.output
    with app.app_context():
        events = list(db.session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "user.create")))  # fmt: skip
    assert [e.get("invited", False) for e in events] == [False, True]
    duplicate = _run(runner, path, "--kind", "users", "--org", str(org.id))
    assert duplicate.exit_code == 1
    assert "line 2: email:" in duplicate.output and "line 3: email:" in duplicate.output
