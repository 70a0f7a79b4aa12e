"""Only trusted hosts are answered, and statements link to TRACKER_PUBLIC_URL or a trusted
host only (issue 11, failure 3)."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tracker.config import ConfigError, load_settings


@pytest.mark.parametrize("path", ["/login", "/verify/abc", "/api/v1/credentials"])
def test_a_forged_host_gets_400(app, path):
    response = app.test_client().get(path, headers={"Host": "verify.evil.example"})
    assert response.status_code == 400


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "localhost:5000", "127.0.0.1:8000"])
def test_the_default_trusted_hosts_are_answered(app, host):
    assert app.test_client().get("/login", headers={"Host": host}).status_code == 200


def test_trusted_hosts_setting_and_the_public_url_host(tmp_path):
    settings = load_settings(tmp_path / "i", {"TRACKER_TRUSTED_HOSTS": "tracker.bank.test, .corp"})
    assert settings["TRUSTED_HOSTS"] == ["tracker.bank.test", ".corp"]
    app = make_app(PUBLIC_URL="https://verify.bank.test/", TRUSTED_HOSTS=["localhost"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": "verify.bank.test"}).status_code == 200
    assert client.get("/login", headers={"Host": "127.0.0.1"}).status_code == 400
    with pytest.raises(ConfigError, match="TRACKER_PUBLIC_URL"):
        load_settings(tmp_path / "j", {"TRACKER_PUBLIC_URL": "verify.bank.test"})
    with pytest.raises(ConfigError, match="TRACKER_TRUSTED_HOSTS"):
        load_settings(tmp_path / "k", {"TRACKER_TRUSTED_HOSTS": "a b/c"})
