"""Security properties, each cited by its OWASP ASVS id in docs/security.md."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, extract_csrf, login, make_app
from tests.world import build_url, build_world
from tracker.audit.models import AuditEvent
from tracker.extensions import db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _page_rules(app):
    return [
        r
        for r in app.url_map.iter_rules()
        if not r.rule.startswith("/api/") and r.endpoint != "static"
    ]


@pytest.fixture()
def world(app, factory):
    return build_world(app, factory)


def _snapshot(app):
    with app.app_context():
        counts = {}
        for table in db.metadata.sorted_tables:
            counts[table.name] = db.session.execute(
                select(func.count()).select_from(table)
            ).scalar()
        return counts


def test_every_state_changing_page_route_refuses_missing_or_wrong_csrf(app, world):
    """ASVS 4.0 V4.2.2 / V50.x: CSRF on every form post."""
    checked = 0
    client = app.test_client()
    login(client, world.users["admin"].email)
    for rule in _page_rules(app):
        for method in sorted(rule.methods & STATE_CHANGING):
            url = build_url(rule, world.params())
            missing = client.open(url, method=method, data={})
            wrong = client.open(url, method=method, data={"csrf_token": "forged"})
            assert missing.status_code == 400, (method, url, missing.status_code)
            assert wrong.status_code == 400, (method, url, wrong.status_code)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "role", ["anonymous", "candidate", "coordinator_same_org", "mentor_assigned", "admin"]
)
def test_no_get_changes_state(app, world, role):
    """ASVS V4.2 / V13.x: GET is safe.

    Only logs may grow: refusal audit events, and the record of each issued statement
    (downloading a statement is logged so that it can be verified later).
    """
    client = app.test_client()
    if role != "anonymous":
        login(client, world.users[role].email)
    before = _snapshot(app)
    params = world.params()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        client.get(build_url(rule, params))
    after = _snapshot(app)
    with app.app_context():
        logged = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["auth.refused", "statement.issue"]))
        )
    before["audit_events"] += logged
    after.pop("issued_statements", None)
    before.pop("issued_statements", None)
    assert after == before


def test_security_headers_on_html(app, client):
    """ASVS V14.4: CSP without inline script, frame-ancestors, nosniff, referrer policy."""
    page = client.get("/login")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in page.headers
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_templates_have_no_inline_script_or_style():
    from pathlib import Path

    for path in Path("tracker/templates").rglob("*.html"):
        if path.parent.name == "statements" and path.name.startswith("statement"):
            continue  # rendered to PDF by WeasyPrint, never served as a page
        text = path.read_text()
        assert "<script>" not in text and not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert " style=" not in text, path


def test_cookies_httponly_samesite_and_secure_over_https(app, factory):
    """ASVS V3.4.1-3: HttpOnly, SameSite=Lax; Secure when served over HTTPS."""
    org = factory.org()
    user = factory.user("candidate", org)
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    token = extract_csrf(page.get_data(as_text=True))
    r = client.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # strict CSRF check on HTTPS
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "remember": "y"},
    )
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie, cookie
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember
    assert app.config["REMEMBER_COOKIE_DURATION"] <= 30 * 24 * 3600


def test_sessions_end_on_password_change_and_deactivation(app, factory):
    """ASVS V3.3.3 / V3.3.1: sessions invalidated by password change and deactivation."""
    from tracker.accounts.models import User
    from tracker.accounts.operations import set_active, set_password

    org = factory.org()
    admin = factory.user("admin")
    user = factory.user("candidate", org)
    client = app.test_client()
    login(client, user.email)
    assert client.get("/").status_code == 200
    factory.run(
        lambda: set_password(
            db.session.get(User, admin.id),
            db.session.get(User, user.id),
            "a-brand-new-passphrase-9",
        )
    )
    assert client.get("/").status_code == 302
    login(client, user.email, "a-brand-new-passphrase-9")
    assert client.get("/").status_code == 200
    factory.run(
        lambda: set_active(db.session.get(User, admin.id), db.session.get(User, user.id), False)
    )
    assert client.get("/").status_code == 302


def test_passwords_use_scrypt_at_owasp_strength_and_policy(app):
    """ASVS V2.4.1 / V2.1.1 / V2.1.7."""
    from tracker.accounts import passwords
    from tracker.errors import ValidationError

    assert passwords.METHOD == "scrypt:32768:8:3"
    assert (
        make_app(PASSWORD_HASH_METHOD=passwords.METHOD).config["PASSWORD_HASH_METHOD"]
        == "scrypt:32768:8:3"
    )
    fresh = passwords.generate_password_hash("x" * 12, method=passwords.METHOD)
    assert fresh.startswith("scrypt:32768:8:3$")
    for bad in ("short", "password1234", "123456789012", "aaaaaaaaaaaaaaaa"):
        with pytest.raises(ValidationError, match="password"):
            passwords.check_policy(bad)
    passwords.check_policy("correct-horse-battery-42")


def test_login_throttled_per_account_and_ip(factory):
    """ASVS V2.2.1: at most 5 failures a minute per account and IP."""
    from tests.conftest import _reset

    app = make_app(RATELIMIT_ENABLED=True)
    _reset(app)
    from tests.conftest import Factory

    f = Factory(app)
    org = f.org()
    user = f.user("candidate", org)
    client = app.test_client()
    codes = [login(client, user.email, "wrong-password-xyz").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # Another account from the same IP is not locked out by the first one's failures.
    other = f.user("candidate", org)
    assert login(client, other.email).status_code == 302
    with app.app_context():
        failures = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "auth.login_failed")
        )
        assert failures == 5


def test_logins_failures_and_refusals_are_audited(app, factory):
    """ASVS V7.2.1 / V7.2.2."""
    org = factory.org()
    user = factory.user("candidate", org)
    client = app.test_client()
    login(client, user.email, "wrong-password-xyz")
    login(client, user.email)
    client.get("/cohort")  # a candidate is refused the cohort page
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "auth.login_failed" in actions and "auth.login" in actions and "auth.refused" in actions


def test_uploads_served_as_attachments_with_stored_type(app, world):
    """ASVS V12.5.2."""
    client = app.test_client()
    login(client, world.users["candidate"].email)
    r = client.get(f"/evidence/{world.ids['evidence']}")
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
