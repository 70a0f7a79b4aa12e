"""Loading and evaluating a whole cohort from the database (SQLite), and how it grows.

`run(app, dataset)` expects the generated database of bench/datagen.py. The figure is the
cold case (empty result cache): every candidate's records loaded and every enrolment
evaluated, as after a restart or a change to the definitions.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.bench_pages import counting, figure
from bench.datagen import Dataset

REPEATS = 3


def _timed(app: Any, ids: list[int], clear: bool = True) -> tuple[float, int, int]:
    """Seconds, SQL statements and results for evaluate_cohort over these candidates."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.credentials import cache
    from tracker.credentials.catalog import current_catalog
    from tracker.credentials.evaluation import evaluate_cohort
    from tracker.extensions import db
    from tracker.timeutil import today

    with app.test_request_context():
        if clear:
            cache.results.clear()
        catalog = current_catalog()
        with counting(db.engine) as seen:
            started = time.perf_counter()
            people = db.session.scalars(select(User).where(User.id.in_(ids))).all()
            progress = evaluate_cohort(catalog, people, today())
            elapsed = time.perf_counter() - started
        errors = [p.error for p in progress if p.error]
        if errors:
            raise RuntimeError(f"evaluation errors: {errors[:3]}")
        db.session.remove()
    return elapsed, len(seen), len(progress)


def run(app: Any, dataset: Dataset) -> dict[str, Any]:
    from tracker.credentials import cache

    ids = dataset.candidate_ids
    old_size = cache.results.maxsize
    cache.results.maxsize = max(old_size, 2 * len(ids))
    try:
        cold = [_timed(app, ids) for _ in range(REPEATS)]
        warm = [_timed(app, ids, clear=False) for _ in range(REPEATS)]
        scaling = []
        for n in (len(ids) // 10, len(ids) // 4, len(ids) // 2):
            seconds, statements, _ = _timed(app, ids[:n])
            scaling.append({"candidates": n, "seconds": round(seconds, 3), "queries": statements})
        scaling.append(
            {
                "candidates": len(ids),
                "seconds": round(statistics.median(c[0] for c in cold), 3),
                "queries": cold[0][1],
            }
        )
    finally:
        cache.results.maxsize = old_size
        cache.results.clear()
    seconds = [round(c[0], 3) for c in cold]
    return {
        "cohort_evaluation_s": figure(
            statistics.median(seconds),
            "s",
            seconds,
            target=10,
            candidates=len(ids),
            evaluations=cold[0][2],
            queries=cold[0][1],
            scaling=scaling,
        ),
        "cohort_evaluation_warm_s": figure(
            statistics.median(round(w[0], 3) for w in warm),
            "s",
            [w[0] for w in warm],
            candidates=len(ids),
            queries=warm[0][1],
        ),
    }


def engine_scaling(weeks: tuple[int, ...] = (52, 130, 260, 520, 1040)) -> list[dict[str, Any]]:
    """Engine milliseconds per CFP evaluation against the number of weekly entries."""
    from bench.bench_engine import AS_OF, candidate, definition
    from tracker.requirements_engine import evaluate

    defn = definition()
    full = candidate()
    entries = full["experience"]
    out = []
    for n in weeks:
        records = dict(full)
        records["experience"] = [
            {
                **entries[i % len(entries)],
                "id": f"x{i}",
                "start": _shift(entries[i % len(entries)]["start"], i // len(entries)),
                "end": _shift(entries[i % len(entries)]["end"], i // len(entries)),
            }
            for i in range(n)
        ]
        evaluate(defn, records, AS_OF)
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(20):
                evaluate(defn, records, AS_OF)
            samples.append((time.perf_counter() - started) * 1000 / 20)
        out.append({"entries": n, "ms": round(statistics.median(samples), 3)})
    return out


def _shift(day: str, decades: int) -> str:
    """The same week `decades` × 520 weeks earlier (entries beyond ten years)."""
    from datetime import date, timedelta

    return (date.fromisoformat(day) - timedelta(weeks=520 * decades)).isoformat()


def refresh_table(app: Any, dataset: Dataset, batch: int = 500) -> dict[str, Any]:
    """Fill enrolment_results for every candidate (what refresh_all's tasks do), timed, so
    that the page benchmarks read current rows as a running installation would."""
    from tracker.candidates.cohort import refresh_results
    from tracker.database import writing
    from tracker.extensions import db

    ids = dataset.candidate_ids
    started = time.perf_counter()
    with app.app_context(), writing():
        for n in range(0, len(ids), batch):
            refresh_results(ids[n : n + batch])
            db.session.commit()
    seconds = round(time.perf_counter() - started, 3)
    return {"results_refresh_s": figure(seconds, "s", [seconds], candidates=len(ids))}
