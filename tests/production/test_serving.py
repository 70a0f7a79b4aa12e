"""Production serving settings: SQLite WAL and busy timeout, health check, JSON request logs."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from tracker.database import SQLITE_BUSY_TIMEOUT_MS
from tracker.extensions import db
from tracker.logging_setup import REQUEST_LOGGER, JsonLinesFormatter


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_requests_are_logged_as_json_lines(client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    request = [e for e in entries if e.get("logger") == REQUEST_LOGGER]
    assert len(request) == 1, lines
    entry = request[0]
    assert entry["method"] == "GET" and entry["path"] == "/healthz" and entry["status"] == 200
    assert isinstance(entry["ms"], float) and entry["level"] == "info" and entry["ts"]


def test_logging_is_configured_once_however_many_apps(app):
    from tests.conftest import make_app

    make_app()
    make_app()
    handlers = logging.getLogger(REQUEST_LOGGER).handlers
    assert sum(isinstance(h.formatter, JsonLinesFormatter) for h in handlers) == 1


def test_json_formatter_keeps_exceptions_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exc"]
