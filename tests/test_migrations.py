"""Migration 0003 (one hours-entry table) on real data, on SQLite and on PostgreSQL.

An empty database is upgraded to 0002 with Alembic; experience entries and internships
with overlapping ids, decisions and notes, evidence files of both, other records and a
hash-chained audit log are written the way version 0002 stored them; then the database is
upgraded to head. Every row must still be there with its data; internships are renumbered
above every old id and remember theirs in `former_id`; their evidence follows them; the
audit log keeps every event and `verify-audit` finds it intact. Under `make
test-postgres` (TRACKER_TEST_DATABASE_URL) the same test runs on a database of its own
on that server.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import make_app
from tracker.database import writing
from tracker.extensions import db

# (id, candidate, start, end, hours, category, supervised, employer, description, status,
#  decided_by, decided_at, reason)
EXPERIENCE = [
    (1, "ann", date(2021, 1, 4), date(2021, 1, 29), 160.0, "financial-planning", False,
     "Acme", "Client reviews", "approved", "coord", datetime(2021, 2, 1, 9, 30), None),
    (2, "ann", date(2021, 2, 1), date(2021, 2, 26), 150.5, "financial-planning", True,
     "Acme", "", "rejected", "coord", datetime(2021, 3, 1, 10, 0), "No timesheet attached"),
    (3, "bob", date(2022, 5, 2), date(2022, 5, 6), 38.25, "financial-planning", False,
     "", "Onboarding", "pending", None, None, None),
    (7, "bob", date(2022, 6, 6), date(2022, 6, 10), 40.0, "financial-planning", False,
     "Beta Bank", "Plans", "approved", "coord", datetime(2022, 6, 13, 8, 0), None),
]  # fmt: skip
# (id, candidate, mentor, host, start, end, hours, category, supervised, status,
#  created_by, decided_by, decided_at, comment)
INTERNSHIPS = [
    (1, "ann", "mia", "Wealth desk", date(2021, 6, 1), date(2021, 8, 31), 480.0,
     "financial-planning", True, "approved", "ann", "mia", datetime(2021, 9, 2, 12, 0),
     "Thorough work"),
    (2, "bob", "mia", "Trust team", date(2022, 1, 3), date(2022, 3, 31), 300.0,
     "financial-planning", True, "rejected", "coord", "mia", datetime(2022, 4, 1, 15, 0),
     "Dates do not match the letter"),
    (5, "ann", "mia", "Tax desk", date(2023, 1, 2), date(2023, 2, 28), 120.0,
     "financial-planning", False, "pending", "ann", None, None, None),
]  # fmt: skip
# (record_type, old record id, stored name)
EVIDENCE = [
    ("experience", 1, "exp1.pdf"),
    ("experience", 2, "exp2.png"),
    ("internships", 1, "int1.pdf"),
    ("internships", 2, "int2.pdf"),
    ("internships", 5, "int5.jpg"),
    ("degrees", 1, "deg1.pdf"),
]


def _url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a database of its own on the test server."""
    base = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    from tests.conftest import database_url

    server = make_url(database_url())
    name = f"tracker_migrate_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[str]:
    yield from _url(tmp_path)


def _write_0002_world(app: Any) -> dict[str, int]:
    """Everything by SQL, as version 0002 stored it: an organization and its people, the
    two hours tables, other records, evidence files, and a plain SHA-256 audit chain (the
    chain 0008 re-keys)."""
    from types import SimpleNamespace

    from werkzeug.security import generate_password_hash

    from tracker.audit.operations import GENESIS, event_hash

    with app.app_context(), writing():
        db.session.execute(
            text("INSERT INTO organizations (id, name, active, created_at) "
                 "VALUES (1, 'Migration Bank', true, :created)"),
            {"created": datetime(2020, 1, 1)},
        )  # fmt: skip
        people = {}
        password = generate_password_hash("correct-horse-battery-42")
        for n, (key, role) in enumerate((("coord", "coordinator"), ("mia", "mentor"),
                                         ("ann", "candidate"), ("bob", "candidate")),
                                        start=1):  # fmt: skip
            db.session.execute(
                text("INSERT INTO users (id, email, name, role, organization_id, "
                     "password_hash, active, session_version, created_at) VALUES (:id, "
                     ":email, :name, :role, 1, :pw, true, 1, :created)"),
                {"id": n, "email": f"{key}@migrate.test", "name": key.title(), "role": role,
                 "pw": password, "created": datetime(2020, 1, 1)},
            )  # fmt: skip
            people[key] = n
        for row in EXPERIENCE:
            (rid, who, start, end, hours, category, supervised, employer, description,
             status, decider, decided_at, reason) = row  # fmt: skip
            db.session.execute(
                text('INSERT INTO experience_entries (id, candidate_id, start, "end", hours, '
                     "category, source, supervised, employer, description, status, "
                     "decided_by_id, decided_at, reason, created_at) VALUES (:id, :c, :s, :e, "
                     ":h, :cat, 'employment', :sup, :emp, :d, :st, :by, :at, :r, :created)"),
                {"id": rid, "c": people[who], "s": start, "e": end, "h": hours,
                 "cat": category, "sup": supervised, "emp": employer, "d": description,
                 "st": status, "by": people.get(decider), "at": decided_at, "r": reason,
                 "created": datetime(2021, 1, 1, 8, rid)},
            )  # fmt: skip
        for row in INTERNSHIPS:
            (rid, who, mentor, host, start, end, hours, category, supervised, status,
             creator, decider, decided_at, comment) = row  # fmt: skip
            db.session.execute(
                text('INSERT INTO internships (id, candidate_id, mentor_id, host, start, "end", '
                     "hours, category, supervised, status, created_by_id, decided_by_id, "
                     "decided_at, comment, created_at) VALUES (:id, :c, :m, :host, :s, :e, "
                     ":h, :cat, :sup, :st, :cb, :by, :at, :note, :created)"),
                {"id": rid, "c": people[who], "m": people[mentor], "host": host, "s": start,
                 "e": end, "h": hours, "cat": category, "sup": supervised, "st": status,
                 "cb": people[creator], "by": people.get(decider), "at": decided_at,
                 "note": comment, "created": datetime(2021, 5, 1, 8, rid)},
            )  # fmt: skip
        db.session.execute(
            text("INSERT INTO degrees (id, candidate_id, level, field, institution, accredited, "
                 "conferred_on, created_at) VALUES (1, :c, 'bachelor', 'Finance', 'U', true, "
                 ":on, :created)"),
            {"c": people["ann"], "on": date(2018, 6, 1), "created": datetime(2020, 1, 1)},
        )  # fmt: skip
        db.session.execute(
            text("INSERT INTO waivers (id, candidate_id, credential, requirement, reason, "
                 "approved_by_id, approved_on, created_at) VALUES (1, :c, 'cfp', 'degree', "
                 "'Foreign degree', :by, :on, :created)"),
            {"c": people["bob"], "by": people["coord"], "on": date(2022, 2, 1),
             "created": datetime(2022, 2, 1)},
        )  # fmt: skip
        for n, (kind, rid, stored) in enumerate(EVIDENCE, start=1):
            owner = next((r[1] for r in (EXPERIENCE if kind == "experience" else INTERNSHIPS)
                          if r[0] == rid), "ann")  # fmt: skip
            db.session.execute(
                text("INSERT INTO evidence_files (id, candidate_id, record_type, record_id, "
                     "original_name, stored_name, content_type, size, sha256, uploaded_by_id, "
                     "created_at) VALUES (:id, :c, :kind, :rid, :name, :stored, "
                     "'application/pdf', 100, :sha, :c, :created)"),
                {"id": n, "c": people[owner], "kind": kind, "rid": rid, "name": f"{stored}",
                 "stored": stored, "sha": f"{n:064x}", "created": datetime(2023, 1, 1)},
            )  # fmt: skip
        events = [
            ("coord", "experience.approve", "experience:1", {"status": "pending"},
             {"status": "approved", "hours": 160.0}),
            ("coord", "experience.reject", "experience:2", {"status": "pending"},
             {"status": "rejected", "reason": "No timesheet attached"}),
            ("mia", "internship.signoff", "internship:1", {"status": "pending"},
             {"status": "approved"}),
            ("ann", "evidence.upload", "internships:1", None,
             {"evidence_id": 3, "name": "int1.pdf"}),
        ]  # fmt: skip
        prev = GENESIS
        for n, (actor, action, target, before, after) in enumerate(events, start=1):
            event = SimpleNamespace(
                at=datetime(2023, 2, 1, 9, n), actor_id=people[actor], action=action,
                target=target, candidate_id=people["ann"], organization_id=1, before=before,
                after=after, prev_hash=prev,
            )  # fmt: skip
            digest = event_hash(event)  # type: ignore[arg-type]
            db.session.execute(
                text("INSERT INTO audit_events (id, at, actor_id, action, target, "
                     "candidate_id, organization_id, before, after, prev_hash, hash) VALUES "
                     "(:id, :at, :actor, :action, :target, :c, 1, :before, :after, :prev, "
                     ":hash)"),
                {"id": n, "at": event.at, "actor": event.actor_id, "action": action,
                 "target": target, "c": people["ann"],
                 "before": None if before is None else json.dumps(before),
                 "after": json.dumps(after), "prev": prev, "hash": digest},
            )  # fmt: skip
            prev = digest
        db.session.commit()
    return people


def _audit(app: Any) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT id, at, actor_id, action, target, candidate_id, organization_id "
            "FROM audit_events ORDER BY id"
        ))  # fmt: skip
        return [tuple(r) for r in rows]


def test_0003_keeps_every_entry_internship_evidence_file_and_audit_event(database, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=database, UPLOAD_DIR=tmp_path / "uploads")
    migrations = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=migrations, revision="0002")
    people = _write_0002_world(app)
    audit_before = _audit(app)
    assert len(audit_before) >= 4
    with app.app_context():
        upgrade(directory=migrations)  # head
        names = set(db.inspect(db.engine).get_table_names())
        assert "hours_entries" in names
        assert not {"experience_entries", "internships"} & names
        rows = {
            r.id: r for r in db.session.execute(text("SELECT * FROM hours_entries ORDER BY id"))
        }
    offset = max(r[0] for r in EXPERIENCE + INTERNSHIPS)
    assert len(rows) == len(EXPERIENCE) + len(INTERNSHIPS)

    for (rid, who, start, end, hours, category, supervised, employer, description, status,
         decider, decided_at, reason) in EXPERIENCE:  # fmt: skip
        row = rows[rid]
        assert (row.source, row.candidate_id, _day(row.start), _day(row.end), row.hours) == (
            "employment", people[who], start, end, hours)  # fmt: skip
        assert (row.category, bool(row.supervised), row.workplace, row.description) == (
            category, supervised, employer, description)  # fmt: skip
        assert (row.status, row.decided_by_id, _moment(row.decided_at), row.note) == (
            status, people.get(decider), decided_at, reason)  # fmt: skip
        assert (row.mentor_id, row.created_by_id, row.version, row.former_id) == (
            None, people[who], 1, None)  # fmt: skip
        assert _moment(row.created_at) == datetime(2021, 1, 1, 8, rid)

    for (rid, who, mentor, host, start, end, hours, category, supervised, status, creator,
         decider, decided_at, comment) in INTERNSHIPS:  # fmt: skip
        row = rows[rid + offset]
        assert row.id > offset, "renumbered above every old id of both tables"
        assert (row.source, row.former_id, row.candidate_id, row.mentor_id) == (
            "internship", f"internship:{rid}", people[who], people[mentor])  # fmt: skip
        assert (_day(row.start), _day(row.end), row.hours, row.category, row.workplace) == (
            start, end, hours, category, host)  # fmt: skip
        assert (bool(row.supervised), row.status, row.created_by_id, row.decided_by_id) == (
            supervised, status, people[creator], people.get(decider))  # fmt: skip
        assert (_moment(row.decided_at), row.note, row.description, row.version) == (
            decided_at, comment, "", 1)  # fmt: skip

    with app.app_context():
        evidence = {
            r.stored_name: (r.record_type, r.record_id)
            for r in db.session.execute(text("SELECT * FROM evidence_files"))
        }
        degree = db.session.execute(text("SELECT * FROM degrees")).one()
        waiver = db.session.execute(text("SELECT * FROM waivers")).one()
    for kind, rid, stored in EVIDENCE:
        moved = rid + offset if kind == "internships" else rid
        assert evidence[stored] == (kind, moved), stored
    assert (degree.version, degree.verified_by_id, degree.verified_on) == (1, None, None)
    assert (waiver.version, waiver.expires_on, waiver.revoked_on, waiver.revoke_reason) == (
        1, None, None, None)  # fmt: skip

    # The same events (0008 chains them again, with the audit key), and the chain is intact.
    assert _audit(app) == audit_before
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0 and "intact" in result.output, result.output

    # The app reads the merged table: old audit targets lead to the row by former_id, the
    # evidence is found on the renumbered internship, and new rows are numbered after all.
    from tracker.candidates import evidence as evidence_ops
    from tracker.records.models import ExperienceEntry, HoursEntry, Internship

    with app.app_context(), writing():
        signed = db.session.scalars(
            db.select(Internship).where(Internship.former_id == "internship:1")
        ).one()
        assert (signed.id, signed.host, signed.status.value) == (1 + offset, "Wealth desk",
                                                                 "approved")  # fmt: skip
        files = evidence_ops.of_records("internships", [signed.id])[signed.id]
        assert [f.stored_name for f in files] == ["int1.pdf"]
        assert db.session.get(ExperienceEntry, 2).note == "No timesheet attached"
        assert db.session.get(ExperienceEntry, 1 + offset) is None
        fresh = ExperienceEntry(candidate_id=people["bob"], start=date(2024, 1, 8),
                                end=date(2024, 1, 12), hours=40, category="financial-planning")  # fmt: skip
        db.session.add(fresh)
        db.session.flush()
        assert fresh.id > max(rows)
        assert db.session.scalar(db.select(db.func.count()).select_from(HoursEntry)) == (
            len(rows) + 1
        )
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
