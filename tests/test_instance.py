"""Where Tracker keeps its files and who may read them: the instance folder (0700), the
SQLite database and its companions (0600), and the shipped data of seed/."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_app
from tracker import config, create_app
from tracker.config import PROJECT_ROOT, load_settings, shipped_path
from tracker.extensions import db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def open_umask() -> Iterator[None]:
    """umask 000: the modes below must not depend on the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_flask_puts_the_instance_folder_next_to_the_package_in_a_checkout():
    assert Flask("tracker").instance_path == str(PROJECT_ROOT / "instance")


def test_instance_folder_defaults_to_flasks(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_INSTANCE_DIR")
    flask_default = tmp_path / "var" / "tracker-instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(flask_default))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.instance_path == str(flask_default)
    assert (flask_default / "secret_key").is_file()


def test_instance_dir_setting_may_be_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_INSTANCE_DIR", "here")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.instance_path == str(tmp_path / "here")


def test_instance_folder_holds_database_secret_key_and_uploads(tmp_path, monkeypatch):
    for var in ("TRACKER_DATABASE_URL", "TRACKER_SECRET_KEY", "TRACKER_UPLOAD_DIR"):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings(tmp_path / "inst")
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'tracker.db'}"
    assert settings["UPLOAD_DIR"] == tmp_path / "inst" / "uploads"
    assert (tmp_path / "inst" / "secret_key").is_file()


def test_instance_folder_is_created_0700(tmp_path, open_umask):
    load_settings(tmp_path / "deep" / "instance", environ={"TRACKER_SECRET_KEY": "k"})
    assert mode(tmp_path / "deep" / "instance") == 0o700


def test_an_existing_instance_folder_keeps_its_mode(tmp_path, open_umask):
    (tmp_path / "instance").mkdir(mode=0o750)
    load_settings(tmp_path / "instance", environ={"TRACKER_SECRET_KEY": "k"})
    assert mode(tmp_path / "instance") == 0o750


def _files(path: Path) -> dict[str, int]:
    return {p.name: mode(p) for p in sorted(path.parent.glob(path.name + "*"))}


def test_database_and_companions_are_0600_after_init_db_and_a_write(tmp_path, open_umask):
    path = tmp_path / "tracker.db"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    runner = app.test_cli_runner()
    try:
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert mode(path) == 0o600
        result = runner.invoke(args=["create-org", "Acme Advisers"])
        assert result.exit_code == 0, result.output
        files = _files(path)
        assert {"tracker.db", "tracker.db-wal", "tracker.db-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files
    finally:
        with app.app_context():
            db.engine.dispose()


def test_database_files_made_looser_are_tightened_on_connect(tmp_path):
    path = tmp_path / "old.db"
    old = os.umask(0o022)
    try:
        made_elsewhere = sqlite3.connect(path)
        made_elsewhere.execute("PRAGMA journal_mode=WAL")
        made_elsewhere.execute("CREATE TABLE t (x)")
        made_elsewhere.commit()
    finally:
        os.umask(old)
    try:
        assert set(_files(path).values()) == {0o644}  # database, -wal and -shm
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        with app.app_context():
            db.session.execute(db.text("SELECT count(*) FROM t"))
            db.session.remove()
            assert len(_files(path)) == 3 and set(_files(path).values()) == {0o600}
            db.engine.dispose()
    finally:
        made_elsewhere.close()


def test_in_memory_database_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.session.remove()
    assert list(tmp_path.iterdir()) == []


def test_shipped_data_is_the_checkouts_seed_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_CREDENTIALS_DIR", raising=False)
    assert shipped_path("credentials") == PROJECT_ROOT / "seed" / "credentials"
    assert shipped_path("demo.yaml").is_file()
    assert load_settings(tmp_path)["CREDENTIALS_DIR"] == shipped_path("credentials")


def test_an_installed_package_reads_its_packaged_copy(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "tracker"
    (package / "seed" / "credentials").mkdir(parents=True)
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    assert shipped_path("credentials") == package / "seed" / "credentials"
    assert shipped_path("demo.yaml") == package / "seed" / "demo.yaml"
