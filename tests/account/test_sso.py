"""Single sign-on against a real OpenID Connect provider process (oidc-provider-mock) on a
loopback port, through the full authorization-code flow with PKCE."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.notices.conftest import free_port

KNOWN = {"sub": "sso-known", "email": "Sso.User@Firm.test", "email_verified": True}
STRANGER = {"sub": "sso-stranger", "email": "stranger@firm.test", "email_verified": True}
UNVERIFIED = {"sub": "sso-unverified", "email": "sso.user@firm.test", "email_verified": False}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    port = free_port()
    command = [str(Path(sys.executable).with_name("oidc-provider-mock")), "--port", str(port)]
    for claims in (KNOWN, STRANGER, UNVERIFIED):
        command += ["--user-claims", json.dumps(claims)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the OIDC provider did not start"
            time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture()
def sso_app(_schema, provider):
    from tests.conftest import _reset, make_app

    app = make_app(OIDC_ISSUER=provider, OIDC_CLIENT_ID="tracker-test",
                   OIDC_CLIENT_SECRET="tracker-test-secret")  # fmt: skip
    _reset(app)
    return app


def _sign_in(app, sub):
    """Login page → provider (PKCE) → the user picks an identity → callback."""
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/sso"' in login_page
    start = client.get("/login/sso")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["redirect_uri"] == ["http://localhost/login/sso/callback"]
    chosen = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert chosen.status_code == 302, chosen.text
    back = urlsplit(chosen.headers["Location"])
    assert "code" in parse_qs(back.query)
    return client, client.get(f"{back.path}?{back.query}")


def test_sso_logs_in_a_known_user_by_verified_email(sso_app, factory):
    org = factory.org("SSO Org")
    factory.user("coordinator", org, email="sso.user@firm.test", name="Sso User")
    client, answer = _sign_in(sso_app, "sso-known")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/")
    assert "Sso User" in client.get("/").get_data(as_text=True)


def test_sso_refuses_unknown_and_unverified_emails(sso_app, factory):
    org = factory.org("SSO Org")
    factory.user("candidate", org, email="sso.user@firm.test")
    _client, stranger = _sign_in(sso_app, "sso-stranger")
    assert stranger.status_code == 403
    assert "No Tracker account uses stranger@firm.test" in stranger.get_data(as_text=True)
    _client, unverified = _sign_in(sso_app, "sso-unverified")
    assert unverified.status_code == 403
    assert "did not confirm an e-mail" in unverified.get_data(as_text=True)
    with sso_app.app_context():
        from sqlalchemy import func, select

        from tracker.accounts.models import User
        from tracker.extensions import db

        assert db.session.scalar(select(func.count(User.id))) == 1  # nobody was created


def test_without_settings_there_is_no_sso(client):
    assert client.get("/login/sso").status_code == 404
    assert 'href="/login/sso"' not in client.get("/login").get_data(as_text=True)
