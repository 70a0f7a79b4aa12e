"""Cold evaluation of a large cohort in worker processes, one per core.

After a restart or a change to the definitions, a cohort of thousands of candidates has to
be loaded and evaluated before any page can use the cache; split across the cores, each
worker loads and evaluates its share from the database and sends back the results.
Small cohorts, and tests unless they ask, stay in the calling process.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

from flask import current_app, has_app_context

from tracker.workers import default_workers, init_worker, process_context, worker_config

PARALLEL_THRESHOLD = 1000

Outcome = tuple[dict[str, Any] | None, str | None]


def workers_for(misses: int) -> int:
    """How many processes to evaluate this many uncached candidates with (1: in process)."""
    if not has_app_context():
        return 1
    config = current_app.config
    if misses < int(config.get("EVALUATION_PARALLEL_THRESHOLD", PARALLEL_THRESHOLD)):
        return 1
    configured = config.get("EVALUATION_WORKERS")
    if configured is None:
        return 1 if current_app.testing else default_workers()
    return max(1, int(configured))


ChunkEvaluator = Callable[[list[int], date], dict[int, Outcome]]


def evaluate_in_workers(
    evaluate_chunk: ChunkEvaluator, candidate_ids: list[int], as_of: date, workers: int
) -> dict[int, Outcome]:
    """{enrolment id: (result, error)} for every enrolment of these candidates.

    `evaluate_chunk` (a module-level function, so that it pickles) runs in each worker on
    its share of the ids; evaluation.py passes its own, so this module never imports it.
    """
    chunks = [candidate_ids[n::workers] for n in range(workers)]
    out: dict[int, Outcome] = {}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=process_context(),
        initializer=init_worker,
        initargs=(worker_config(current_app),),
    ) as pool:
        for part in pool.map(evaluate_chunk, chunks, [as_of] * workers):
            out.update(part)
    return out
