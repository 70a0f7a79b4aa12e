"""With TRACKER_REDIS_URL, login throttling is counted in Redis (a real redis-server on
loopback, started and stopped here)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from tests.conftest import PASSWORD, Factory, _reset, extract_csrf, make_app
from tests.security.server import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture()
def redis_url(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError("redis-server did not start") from None
            time.sleep(0.1)
    try:
        yield f"redis://127.0.0.1:{port}/0", client
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _attempt(app, email, password, source="10.1.1.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = source
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_throttling_is_counted_in_redis(_schema, redis_url):
    url, client = redis_url
    app = make_app(RATELIMIT_ENABLED=True, REDIS_URL=url)
    _reset(app)
    factory = Factory(app)
    user = factory.user("candidate", factory.org())
    codes = [_attempt(app, user.email, "wrong-password-xyz").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    keys = {k.decode() for k in client.keys("tracker:throttle:*")}
    assert f"tracker:throttle:pause:acct:{user.email}|10.1.1.1" in keys
    assert 50_000 <= client.pttl(f"tracker:throttle:pause:acct:{user.email}|10.1.1.1") <= 60_000
    # Another process of the app (a second server) sees the same pause.
    other = make_app(RATELIMIT_ENABLED=True, REDIS_URL=url)
    assert _attempt(other, user.email, PASSWORD).status_code == 429
    assert _attempt(other, user.email, PASSWORD, source="10.2.2.2").status_code == 302
    with app.app_context():
        from sqlalchemy import func, select

        from tracker.accounts.models import LoginThrottle
        from tracker.extensions import db

        assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0
