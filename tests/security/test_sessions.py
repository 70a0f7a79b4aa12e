"""Sessions end for every copy of their cookies at logout, and after idle time; the CSRF
token changes at login (issue 11, failures 1 and 7; ASVS V3.3.1, V3.3.2, V3.2.1)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.conftest import PASSWORD, extract_csrf, make_app
from tracker.accounts.models import LoginSession
from tracker.extensions import db
from tracker.timeutil import utcnow


def _login(client, email, remember=False):
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.status_code
    return token


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def _logout(client):
    token = extract_csrf(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def _with_cookie(app, name, value):
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def test_a_copied_session_cookie_stops_working_at_logout(app, factory):
    user = factory.user("candidate", factory.org())
    client = app.test_client()
    _login(client, user.email)
    copied = client.get_cookie("session").value
    assert _logged_in(_with_cookie(app, "session", copied))  # the copy works before logout
    _logout(client)
    assert not _logged_in(_with_cookie(app, "session", copied))


def test_a_copied_remember_me_cookie_stops_working_at_logout(app, factory):
    user = factory.user("candidate", factory.org())
    client = app.test_client()
    _login(client, user.email, remember=True)
    remember = client.get_cookie("remember_token").value
    assert _logged_in(_with_cookie(app, "remember_token", remember))
    _logout(client)
    assert not _logged_in(_with_cookie(app, "remember_token", remember))


def _age_sessions(app, user, by):
    with app.app_context():
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user.id)
            .values(last_seen_at=utcnow() - by)
        )
        db.session.commit()


def test_a_session_ends_after_the_idle_hours_without_use(app, factory):
    idle = make_app(SESSION_IDLE_HOURS=0.5)
    user = factory.user("candidate", factory.org())
    client = idle.test_client()
    _login(client, user.email, remember=True)
    _age_sessions(idle, user, timedelta(minutes=29))
    assert _logged_in(client)  # used within the half hour: still on, and touched
    _age_sessions(idle, user, timedelta(minutes=31))
    assert not _logged_in(client)
    remember = client.get_cookie("remember_token")
    if remember is not None:
        assert not _logged_in(_with_cookie(idle, "remember_token", remember.value))


def test_use_keeps_a_session_alive(app, factory):
    idle = make_app(SESSION_IDLE_HOURS=0.5)
    user = factory.user("candidate", factory.org())
    client = idle.test_client()
    _login(client, user.email)
    _age_sessions(idle, user, timedelta(minutes=20))
    assert _logged_in(client)
    with idle.app_context():
        seen = db.session.scalar(
            db.select(LoginSession.last_seen_at).where(LoginSession.user_id == user.id)
        )
    assert utcnow() - seen < timedelta(minutes=1)


def test_idle_hours_setting_default_and_fractions(monkeypatch, tmp_path):
    from tracker.config import ConfigError, load_settings

    assert load_settings(tmp_path / "i1", {})["SESSION_IDLE_HOURS"] == 12
    settings = load_settings(tmp_path / "i2", {"TRACKER_SESSION_IDLE_HOURS": "0.25"})
    assert settings["SESSION_IDLE_HOURS"] == 0.25
    for bad in ("0", "-1", "soon"):
        try:
            load_settings(tmp_path / "i3", {"TRACKER_SESSION_IDLE_HOURS": bad})
        except ConfigError as exc:
            assert "TRACKER_SESSION_IDLE_HOURS" in str(exc)
        else:
            raise AssertionError(bad)


def test_the_csrf_token_issued_before_login_fails_after_login(factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = factory.user("candidate", factory.org())
    client = app.test_client()
    before = _login(client, user.email)
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert _logged_in(client)
    after = extract_csrf(client.get("/").get_data(as_text=True))
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def test_a_write_after_idle_minutes_touches_the_session_without_waiting(app, factory):
    """A POST holds the write transaction when the session is touched (SQLite: no second
    writer may wait for it)."""
    import time

    user = factory.user("candidate", factory.org())
    client = app.test_client()
    _login(client, user.email)
    _age_sessions(app, user, timedelta(minutes=5))
    token = extract_csrf(client.get("/").get_data(as_text=True))
    _age_sessions(app, user, timedelta(minutes=5))
    started = time.monotonic()
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert time.monotonic() - started < 3
    assert not _logged_in(client)
