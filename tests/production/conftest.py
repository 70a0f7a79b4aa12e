"""Helpers for the fault and load tests: figures written to test-artifacts/ and printed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tracker.config import PROJECT_ROOT
from tracker.extensions import db

FIGURES_FILE = PROJECT_ROOT / "test-artifacts" / "production-figures.json"
_SESSION_FIGURES: dict[str, dict[str, Any]] = {}


def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def write_figures(name: str, figures: dict[str, Any], path: Path = FIGURES_FILE) -> None:
    """Print one summary line and merge the figures into the JSON file under `name`."""
    print(f"\nFIGURES {name}: {json.dumps(figures, sort_keys=True)}")
    _SESSION_FIGURES[name] = figures
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        existing = json.loads(path.read_text())
    except (OSError, ValueError):
        existing = {}
    existing[name] = figures
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    partial.replace(path)


@pytest.fixture()
def figures(app: Flask, record_property: Any) -> Callable[[str, dict[str, Any]], None]:
    """figures("name", {...}) records under "name[sqlite]" or "name[postgresql]"."""
    kind = dialect(app)

    def record(name: str, values: dict[str, Any]) -> None:
        values = {"database": kind, **values}
        for key, value in values.items():
            record_property(key, value)
        write_figures(f"{name}[{kind}]", values)

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Show the fault and load figures in the run's summary, captured output or not."""
    if not _SESSION_FIGURES:
        return
    terminalreporter.section("fault and load figures")
    for name, values in sorted(_SESSION_FIGURES.items()):
        terminalreporter.write_line(f"{name}: {json.dumps(values, sort_keys=True)}")
    terminalreporter.write_line(f"(also in {FIGURES_FILE.relative_to(PROJECT_ROOT)})")
