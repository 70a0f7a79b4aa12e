from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, bearer
from tracker.accounts.models import Organization, User
from tracker.extensions import db


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_init_db_twice(runner):
    assert "up to date" in _ok(runner.invoke(args=["init-db"]))
    assert "up to date" in _ok(runner.invoke(args=["init-db"]))


def test_create_org_prints_id(app, runner):
    org_id = int(_ok(runner.invoke(args=["create-org", "North Bank"])))
    with app.app_context():
        assert db.session.get(Organization, org_id).name == "North Bank"


def test_create_org_duplicate_name_fails(runner):
    _ok(runner.invoke(args=["create-org", "North Bank"]))
    result = runner.invoke(args=["create-org", "north bank"])
    assert result.exit_code != 0
    assert "already exists" in result.output


@pytest.mark.parametrize("role", ["candidate", "mentor", "coordinator", "admin"])
def test_create_user_each_role(app, runner, role):
    org_id = _ok(runner.invoke(args=["create-org", "Org"]))
    args = [
        "create-user",
        "--email",
        f"{role}@x.com",
        "--name",
        role.title(),
        "--role",
        role,
        "--password",
        PASSWORD,
    ]
    if role != "admin":
        args += ["--org", org_id]
    user_id = int(_ok(runner.invoke(args=args)))
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role.value == role
        assert user.password_hash != PASSWORD and user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "wizard", "--org", "{org}"], "unknown role"),
        (["--role", "candidate"], "must belong to an organization"),
        (["--role", "candidate", "--org", "9999"], "organization 9999 does not exist"),
        (["--role", "candidate", "--org", "abc"], "not an organization id"),
    ],
)
def test_create_user_bad_input(runner, extra, message):
    org_id = _ok(runner.invoke(args=["create-org", "Org"]))
    args = ["create-user", "--email", "a@x.com", "--name", "A", "--password", PASSWORD]
    args += [e.format(org=org_id) for e in extra]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_create_user_duplicate_email_and_weak_password(runner):
    org_id = _ok(runner.invoke(args=["create-org", "Org"]))
    base = ["create-user", "--name", "A", "--role", "mentor", "--org", org_id]
    _ok(runner.invoke(args=base + ["--email", "a@x.com", "--password", PASSWORD]))
    dup = runner.invoke(args=base + ["--email", "A@x.com", "--password", PASSWORD])
    assert dup.exit_code != 0 and "already exists" in dup.output
    weak = runner.invoke(args=base + ["--email", "b@x.com", "--password", "short"])
    assert weak.exit_code != 0 and "password" in weak.output
    bad = runner.invoke(args=base + ["--email", "not-an-email", "--password", PASSWORD])
    assert bad.exit_code != 0 and "email" in bad.output


def test_create_token_and_me(app, runner, client):
    org_id = _ok(runner.invoke(args=["create-org", "Org"]))
    _ok(
        runner.invoke(
            args=[
                "create-user",
                "--email",
                "c@x.com",
                "--name",
                "C",
                "--role",
                "coordinator",
                "--org",
                org_id,
                "--password",
                PASSWORD,
            ]
        )
    )
    token = _ok(runner.invoke(args=["create-token", "c@x.com"]))
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.get_json()["email"] == "c@x.com"
    assert me.get_json()["organization_id"] == int(org_id)


def test_create_token_unknown_email(runner):
    result = runner.invoke(args=["create-token", "nobody@x.com"])
    assert result.exit_code != 0
    assert "no user" in result.output


def test_seed_demo_is_idempotent(app, runner):
    first = _ok(runner.invoke(args=["seed-demo"]))
    assert "coordinator@demo.tracker" in first
    with app.app_context():
        counts = {
            m.__tablename__: db.session.query(m).count()
            for m in db.Model.__subclasses__()
            if m.__tablename__ != "audit_events"
        }
    second = _ok(runner.invoke(args=["seed-demo"]))
    assert "0 users created" in second
    with app.app_context():
        again = {
            m.__tablename__: db.session.query(m).count()
            for m in db.Model.__subclasses__()
            if m.__tablename__ != "audit_events"
        }
    assert counts == again
    assert counts["users"] == 10 and counts["hours_entries"] > 100


def test_verify_audit(app, runner):
    _ok(runner.invoke(args=["create-org", "Org A"]))
    _ok(runner.invoke(args=["create-org", "Org B"]))
    _ok(runner.invoke(args=["create-org", "Org C"]))
    assert "3 events" in _ok(runner.invoke(args=["verify-audit"]))
    from sqlalchemy import text

    with app.app_context():
        pg = db.engine.dialect.name == "postgresql"
        trigger = "TRIGGER audit_events_append_only"
        if pg:  # as the database's owner would, past the append-only trigger
            db.session.execute(text(f"ALTER TABLE audit_events DISABLE {trigger}"))
        db.session.execute(
            text(
                "UPDATE audit_events SET action = 'x' WHERE id = "
                "(SELECT MIN(id) + 1 FROM audit_events)"
            )
        )
        if pg:
            db.session.execute(text(f"ALTER TABLE audit_events ENABLE {trigger}"))
        db.session.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "broken at event" in result.output and "changed" in result.output
