"""Login throttling per account and source, with exponential back-off, shared by every
worker (issue 11, failure 6 and the lock-out by strangers; ASVS V2.2.1)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import update

from tests.conftest import PASSWORD, Factory, _reset, extract_csrf, make_app
from tests.security.server import gunicorn, request, run_cli
from tracker.accounts import throttle
from tracker.accounts.models import LoginThrottle
from tracker.extensions import db
from tracker.timeutil import utcnow


@pytest.fixture()
def limited(_schema):
    app = make_app(RATELIMIT_ENABLED=True)
    _reset(app)
    return app, Factory(app)


def _attempt(app, email, password, source):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = source
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_pause_doubles_after_the_free_allowance():
    rule = throttle.ACCOUNT_AND_SOURCE
    assert [throttle.pause_after(rule, n) for n in range(1, 9)] == [
        0, 0, 0, 0, 60, 120, 240, 480,
    ]  # fmt: skip
    assert throttle.pause_after(rule, 40) == rule.cap


def test_five_failures_then_back_off_with_retry_after(limited):
    app, factory = limited
    user = factory.user("candidate", factory.org())
    codes = [
        _attempt(app, user.email, "wrong-password-xyz", "10.0.0.1").status_code for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    refused = _attempt(app, user.email, PASSWORD, "10.0.0.1")  # even the right password waits
    assert refused.status_code == 429
    assert 50 <= int(refused.headers["Retry-After"]) <= 60
    assert "try again in" in refused.get_data(as_text=True)

    # A minute later one more failure pauses it for two minutes: back-off, not a lock.
    with app.app_context():
        db.session.execute(update(LoginThrottle).values(blocked_until=utcnow()))
        db.session.commit()
    assert _attempt(app, user.email, "wrong-password-xyz", "10.0.0.1").status_code == 401
    again = _attempt(app, user.email, "wrong-password-xyz", "10.0.0.1")
    assert again.status_code == 429 and 110 <= int(again.headers["Retry-After"]) <= 120

    # When the pause is over, the right password works and clears the count.
    with app.app_context():
        db.session.execute(update(LoginThrottle).values(blocked_until=utcnow() - timedelta(1)))
        db.session.commit()
    assert _attempt(app, user.email, PASSWORD, "10.0.0.1").status_code == 302


def test_a_stranger_cannot_lock_the_owner_out(limited):
    app, factory = limited
    victim = factory.user("candidate", factory.org())
    for _ in range(30):
        _attempt(app, victim.email, "guess-guess-guess", "203.0.113.9")
    assert _attempt(app, victim.email, "guess-guess-guess", "203.0.113.9").status_code == 429
    assert _attempt(app, victim.email, PASSWORD, "198.51.100.7").status_code == 302


def test_another_account_from_the_same_source_is_not_slowed(limited):
    app, factory = limited
    org = factory.org()
    first, second = factory.user("candidate", org), factory.user("candidate", org)
    for _ in range(6):
        _attempt(app, first.email, "wrong-password-xyz", "10.0.0.2")
    assert _attempt(app, second.email, PASSWORD, "10.0.0.2").status_code == 302


def test_one_source_spraying_many_accounts_is_slowed(limited):
    app, _factory = limited
    codes = [
        _attempt(app, f"nobody{i}@x.test", "wrong-password-xyz", "10.9.9.9").status_code
        for i in range(throttle.SOURCE.free + 1)
    ]
    assert codes[: throttle.SOURCE.free] == [401] * throttle.SOURCE.free
    assert codes[-1] == 429


def test_five_a_minute_holds_across_three_gunicorn_workers(tmp_path):
    """15 wrong passwords in well under a minute, spread over 3 workers: 5 are tried."""
    run_cli(tmp_path, "init-db")
    run_cli(tmp_path, "create-user", "--email", "target@x.test", "--name", "Target",
            "--role", "admin", "--password", PASSWORD)  # fmt: skip
    with gunicorn(tmp_path, workers=3) as port:
        statuses = []
        for _ in range(15):
            status, headers, page = request(port, "GET", "/login")
            cookie = headers["Set-Cookie"].split(";", 1)[0]
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            body = urlencode(
                {"email": "target@x.test", "password": "wrong-password-xyz", "csrf_token": token}
            )
            status, _headers, _page = request(
                port,
                "POST",
                "/login",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                },
            )
            statuses.append(status)
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 10, statuses
