from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tracker import create_app
from tracker.config import PROJECT_ROOT, load_settings


def test_testing_config_is_applied(app):
    assert app.testing
    assert not create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).testing


def test_defaults_follow_the_contract(tmp_path, monkeypatch):
    for var in (
        "TRACKER_DATABASE_URL",
        "TRACKER_SECRET_KEY",
        "TRACKER_CREDENTIALS_DIR",
        "TRACKER_UPLOAD_DIR",
    ):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings(tmp_path / "instance")
    assert (
        settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'tracker.db'}"
    )
    assert settings["CREDENTIALS_DIR"] == PROJECT_ROOT / "seed" / "credentials"
    assert settings["UPLOAD_DIR"] == tmp_path / "instance" / "uploads"


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    second = load_settings(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-env")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://u:p@localhost/db")
    monkeypatch.setenv("TRACKER_UPLOAD_DIR", str(tmp_path / "up"))
    settings = load_settings(tmp_path)
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/db"
    assert settings["UPLOAD_DIR"] == tmp_path / "up"


def test_bad_database_url_is_named(tmp_path, monkeypatch):
    import pytest

    from tracker.config import ConfigError

    monkeypatch.setenv("TRACKER_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match="TRACKER_DATABASE_URL"):
        load_settings(tmp_path)


def test_wsgi_module_builds_the_app(tmp_path):
    env = {
        **os.environ,
        "TRACKER_INSTANCE_DIR": str(tmp_path),
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import wsgi; print(type(wsgi.app).__name__)"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "Flask"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_no_external_assets_in_templates():
    for path in Path(PROJECT_ROOT, "tracker", "templates").rglob("*.html"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text, path
