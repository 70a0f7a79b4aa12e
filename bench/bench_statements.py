"""Benchmark: PDF progress statements.

    .venv/bin/python bench/bench_statements.py [REPEATS]

statement_s               median seconds for one statement, end to end: evaluate, record
                          (IssuedStatement + audit event), HTML, QR code, PDF/UA-1
statement_overhead_ratio  that time ÷ WeasyPrint alone rendering the same HTML (same run)
cohort_statements_speedup cohort ZIP (rendering + zipping plain documents) with 2 worker
                          processes vs 1

Runs on a throw-away SQLite database loaded with the demo data (seed/demo.yaml).
Targets: statement ≤ 0.5 s, overhead ≤ 1.15, speedup ≥ 1.7.
"""

from __future__ import annotations

import copy
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATEMENT_EMAIL = "ben.okafor@demo.tracker"  # a three-page CFP statement
STATEMENT_CREDENTIAL = "cfp"
COHORT_SIZE = 24


def _metric(runs: list[float], unit: str, value: float | None = None) -> dict[str, Any]:
    median = statistics.median(runs)
    return {
        "value": round(median if value is None else value, 4),
        "unit": unit,
        "runs": [round(r, 4) for r in runs],
        "median": round(median, 4),
    }


def _app(tmp: Path) -> Any:
    os.environ.setdefault("TRACKER_INSTANCE_DIR", str(tmp / "instance"))
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.seeding import load_demo

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "SECRET_KEY": "bench-only",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with writing():
            load_demo()
            db.session.commit()
    return app


def _one_statement(app: Any) -> tuple[float, str]:
    """Seconds for one statement end to end, and its HTML (for the WeasyPrint-alone run)."""
    from tracker.accounts.operations import user_by_email
    from tracker.credentials.catalog import current_catalog
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.statements.operations import issue_statement
    from tracker.statements.pdf import html_to_pdf, render_html
    from tracker.timeutil import today

    with app.app_context(), writing():
        started = time.perf_counter()
        candidate = user_by_email(STATEMENT_EMAIL)
        document = issue_statement(
            None,
            candidate,
            current_catalog(),
            STATEMENT_CREDENTIAL,
            today(),
            base_url="https://tracker.example",
            via="bench",
        )
        html = render_html(document)
        pdf = html_to_pdf(html)
        db.session.commit()
        elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF")
    return elapsed, html


def _weasyprint_alone(app: Any, html: str) -> float:
    from weasyprint import HTML

    from tracker.statements.pdf import PDF_VARIANT, make_fetcher, static_root

    with app.app_context():
        root = static_root()
    started = time.perf_counter()
    HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=make_fetcher(root)).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    return time.perf_counter() - started


def _cohort_documents(app: Any) -> list[dict[str, Any]]:
    """COHORT_SIZE documents: the demo organization's statements, repeated with fresh codes."""
    from tracker.accounts.models import Role, User
    from tracker.credentials.catalog import current_catalog
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.statements.operations import issue_cohort
    from tracker.timeutil import today

    with app.app_context(), writing():
        coordinator = db.session.scalar(db.select(User).where(User.role == Role.COORDINATOR))
        candidates = list(
            db.session.scalars(
                db.select(User).where(
                    User.role == Role.CANDIDATE,
                    User.organization_id == coordinator.organization_id,
                )
            )
        )
        base, _problems = issue_cohort(
            coordinator, candidates, current_catalog(), today(), base_url="https://t.example"
        )
        db.session.commit()
    documents = []
    while len(documents) < COHORT_SIZE:
        doc = copy.deepcopy(base[len(documents) % len(base)])
        doc["verification"]["code"] = secrets.token_urlsafe(24)
        documents.append(doc)
    return documents


def _cohort(app: Any, documents: list[dict[str, Any]], workers: int, tmp: Path) -> float:
    from tracker.statements.jobs import build_zip, worker_config

    target = tmp / f"cohort-{workers}.zip"
    started = time.perf_counter()
    build_zip(documents, target, workers=workers, config=worker_config(app))
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def run(repeats: int = 5) -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix="bench-statements-") as name:
        tmp = Path(name)
        app = _app(tmp)
        _elapsed, html = _one_statement(app)  # warm-up: imports, fonts, catalog
        _weasyprint_alone(app, html)
        statement_runs: list[float] = []
        alone_runs: list[float] = []
        for _ in range(repeats):
            elapsed, html = _one_statement(app)
            statement_runs.append(elapsed)
            alone_runs.append(_weasyprint_alone(app, html))
        ratios = [s / a for s, a in zip(statement_runs, alone_runs, strict=True)]

        documents = _cohort_documents(app)
        _cohort(app, documents[:2], 2, tmp)  # starts the fork server once, as a server would
        speedups: list[float] = []
        cohort_repeats = max(1, min(repeats, 3))
        for _ in range(cohort_repeats):
            one = _cohort(app, documents, 1, tmp)
            two = _cohort(app, documents, 2, tmp)
            speedups.append(one / two)
    return {
        "statement_s": _metric(statement_runs, "s"),
        "statement_overhead_ratio": _metric(
            ratios, "ratio", statistics.median(statement_runs) / statistics.median(alone_runs)
        ),
        "cohort_statements_speedup": _metric(speedups, "x"),
    }


if __name__ == "__main__":
    results = run(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    for key, metric in results.items():
        runs = ", ".join(f"{r:g}" for r in metric["runs"])
        print(f"{key:<28} {metric['value']:>8g} {metric['unit']:<6} (median; runs: {runs})")
