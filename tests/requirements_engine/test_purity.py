"""The engine imports nothing from the web stack or the rest of the app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tracker" / "requirements_engine"
FORBIDDEN = ("flask", "sqlalchemy", "wtforms", "jinja2", "weasyprint")

# The parent package `tracker` is the Flask app; stand in for it so that only the engine's
# own imports are measured.
SCRIPT = f"""
import importlib, sys, types
parent = types.ModuleType("tracker")
parent.__path__ = [{str(ROOT / "tracker")!r}]
sys.modules["tracker"] = parent
engine = importlib.import_module("tracker.requirements_engine")
from datetime import date
d = engine.parse_definition({{"id": "t", "name": "T", "version": "1",
    "requirements": [{{"id": "e", "exam": {{"code": "X"}}}}]}})
engine.evaluate(d, {{}}, date(2026, 1, 1))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
others = sorted(m for m in sys.modules if m.startswith("tracker.")
                and not m.startswith("tracker.requirements_engine"))
print(loaded, others)
"""


def test_engine_imports_no_web_stack_and_no_app_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert proc.stdout.strip() == "[] []"


def test_real_import_path_loads_no_web_stack() -> None:
    """`import tracker.requirements_engine` through the real parent package stays pure."""
    script = (
        "import sys, tracker.requirements_engine\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert proc.stdout.strip() == "[]"


def test_engine_sources_import_only_stdlib_yaml_and_themselves() -> None:
    allowed = set(sys.stdlib_module_names) | {"yaml"}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_evaluate_reads_no_clock() -> None:
    source = (PACKAGE / "evaluate.py").read_text(encoding="utf-8")
    assert "today(" not in source and "now(" not in source
