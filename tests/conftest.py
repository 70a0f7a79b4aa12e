"""Fixtures: an app on a throw-away database (SQLite by default, PostgreSQL when
TRACKER_TEST_DATABASE_URL is set), migrated once per session and emptied per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tracker import create_app
from tracker.config import PROJECT_ROOT
from tracker.config import database_url as normalize_url
from tracker.database import writing
from tracker.extensions import db

PASSWORD = "correct-horse-battery-42"
FAST_HASH = "scrypt:1024:8:1"

_TMP = Path(tempfile.mkdtemp(prefix="tracker-tests-"))
os.environ.setdefault("TRACKER_INSTANCE_DIR", str(_TMP / "instance"))


def database_url() -> str:
    raw = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if raw:
        return normalize_url(raw, "TRACKER_TEST_DATABASE_URL")
    return f"sqlite:///{_TMP / 'test.db'}"


def make_app(**overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "UPLOAD_DIR": _TMP / "uploads",
        "CREDENTIALS_DIR": PROJECT_ROOT / "seed" / "credentials",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


def _reset(app: Flask) -> None:
    Path(app.config["AUDIT_CHECKPOINT"]).unlink(missing_ok=True)
    # Shared page fragments (tracker/web/fragments.py) belong to the data just deleted.
    shutil.rmtree(Path(app.config["STORAGE_DIR"]) / "fragments", ignore_errors=True)
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(scope="session")
def _schema() -> Iterator[None]:
    from flask_migrate import upgrade

    app = make_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    yield
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture()
def app(_schema: None) -> Iterator[Flask]:
    app = make_app()
    _reset(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


class Factory:
    """Creates orgs, users and tokens through the real operations, committed."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _commit(self, fn: Any) -> Any:
        with self.app.app_context(), writing():
            result = fn()
            db.session.commit()
            if hasattr(result, "id"):
                db.session.refresh(result)
                db.session.expunge(result)
            return result

    def org(self, name: str = "Acme Advisers") -> Any:
        from tracker.accounts.operations import create_organization

        return self._commit(lambda: create_organization(None, name))

    def user(
        self, role: str, org: Any = None, email: str | None = None, name: str | None = None
    ) -> Any:
        from tracker.accounts.operations import create_user

        email = email or f"{role}-{os.urandom(4).hex()}@example.com"
        return self._commit(
            lambda: create_user(
                None,
                email=email,
                name=name or role.title(),
                role=role,
                password=PASSWORD,
                organization_id=org.id if org is not None else None,
            )
        )

    def token(self, user: Any) -> str:
        from tracker.accounts.models import User
        from tracker.accounts.operations import issue_token

        def make() -> str:
            _t, raw = issue_token(None, db.session.get(User, user.id))
            return raw

        with self.app.app_context(), writing():
            raw = make()
            db.session.commit()
            return raw

    def run(self, fn: Any) -> Any:
        """Run fn() inside an app context and a write transaction, then commit."""
        with self.app.app_context(), writing():
            result = fn()
            db.session.commit()
            return result


@pytest.fixture()
def factory(app: Flask) -> Factory:
    return Factory(app)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Log in through the real form (fetching its CSRF token first)."""
    page = client.get("/login")
    token = extract_csrf(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def extract_csrf(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
