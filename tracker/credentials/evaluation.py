"""Evaluating candidates against the catalog: records in, the engine's result JSON out."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.credentials import cache
from tracker.credentials.catalog import Catalog, current_catalog
from tracker.credentials.parallel import Outcome, evaluate_in_workers
from tracker.credentials.parallel import workers_for as parallel_workers_for
from tracker.errors import NotFoundError, ValidationError
from tracker.extensions import db
from tracker.records.adapter import for_credential, load_records
from tracker.records.models import Enrolment
from tracker.requirements_engine import EngineError, evaluate
from tracker.workers import worker_app


@dataclass
class Progress:
    """One candidate's evaluation for one enrolment."""

    candidate: User
    enrolment: Enrolment
    result: dict[str, Any] | None
    error: str | None = None


def evaluate_records(
    catalog: Catalog, credential: str, records: dict[str, Any], as_of: date, pathway: str | None
) -> dict[str, Any]:
    definition = catalog.get(credential)
    if definition is None:
        raise NotFoundError(f"credential {credential!r} is not loaded")
    try:
        return evaluate(
            definition,
            for_credential(records, credential),
            as_of,
            pathway=pathway,
            catalog=catalog.definitions,
        )
    except EngineError as exc:
        raise ValidationError("records", str(exc)) from exc


def enrolment_for(candidate: User, credential: str) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.candidate_id == candidate.id, Enrolment.credential == credential
        )
    )


def evaluate_cached(
    catalog: Catalog,
    candidate: User,
    credential: str,
    as_of: date,
    pathway: str | None,
    records: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """evaluate_records through the result cache; records are loaded only on a miss."""
    key = cache.result_key(candidate, credential, pathway, as_of, catalog.fingerprint)
    result = cache.results.get(key)
    if result is None:
        if records is None:
            records = load_records([candidate.id])[candidate.id]
        result = evaluate_records(catalog, credential, records, as_of, pathway)
        cache.results.put(key, result)
    return result


def evaluate_candidate(
    catalog: Catalog, candidate: User, credential: str, as_of: date, pathway: str | None = None
) -> dict[str, Any]:
    """The result for one candidate; the enrolment's pathway unless another is asked for."""
    if catalog.get(credential) is None:
        raise NotFoundError(f"credential {credential!r} is not loaded")
    if pathway is None:
        enrolment = enrolment_for(candidate, credential)
        pathway = enrolment.pathway if enrolment else None
    else:
        definition = catalog.get(credential)
        if definition is not None and pathway not in definition.pathways:
            raise ValidationError("pathway", f"unknown pathway {pathway!r}")
    return evaluate_cached(catalog, candidate, credential, as_of, pathway)


def evaluate_cohort(
    catalog: Catalog, candidates: Iterable[User], as_of: date, *, parallel: bool = True
) -> list[Progress]:
    """Every enrolment of every candidate, in a constant number of queries.

    Cached results are reused; the records of the candidates with a miss are loaded in bulk,
    or, for a large cold cohort, loaded and evaluated by worker processes (see parallel.py).
    """
    people = {c.id: c for c in candidates}
    if not people:
        return []
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.candidate_id.in_(people)).order_by(Enrolment.id)
    ).all()
    keys = [
        cache.result_key(
            people[e.candidate_id], e.credential, e.pathway, as_of, catalog.fingerprint
        )
        for e in enrolments
    ]
    found = [cache.results.get(key) for key in keys]
    missing = {e.candidate_id for e, hit in zip(enrolments, found, strict=True) if hit is None}
    workers = parallel_workers_for(len(missing)) if parallel else 1
    if workers > 1:
        outcomes = evaluate_in_workers(_evaluate_chunk, sorted(missing), as_of, workers)
        return _collect(people, enrolments, keys, found, outcomes)
    with _collector_paused(len(missing) >= BULK_THRESHOLD):
        return _evaluate_misses(catalog, people, enrolments, keys, found, missing, as_of)


def _evaluate_chunk(candidate_ids: list[int], as_of: date) -> dict[int, Outcome]:
    """In a worker process: load and evaluate these candidates (see parallel.py)."""
    with worker_app().app_context():
        people = db.session.scalars(select(User).where(User.id.in_(candidate_ids))).all()
        progress = evaluate_cohort(current_catalog(), people, as_of, parallel=False)
        return {p.enrolment.id: (p.result, p.error) for p in progress}


def _collect(
    people: dict[int, User],
    enrolments: Sequence[Enrolment],
    keys: list[Any],
    found: list[dict[str, Any] | None],
    outcomes: dict[int, tuple[dict[str, Any] | None, str | None]],
) -> list[Progress]:
    """Cached results and the workers' outcomes, in enrolment order; results are cached."""
    out: list[Progress] = []
    for enrolment, key, hit in zip(enrolments, keys, found, strict=True):
        candidate = people[enrolment.candidate_id]
        if hit is not None:
            out.append(Progress(candidate, enrolment, hit))
            continue
        result, error = outcomes.get(enrolment.id, (None, "not evaluated"))
        if result is not None:
            cache.results.put(key, result)
        out.append(Progress(candidate, enrolment, result, error))
    return out


# Loading and evaluating a large cohort allocates millions of short-lived, acyclic objects
# (one dict and one record per experience entry); the cyclic garbage collector would scan
# them again and again for nothing (about a quarter of the time for 5,000 candidates).
BULK_THRESHOLD = 200


@contextmanager
def _collector_paused(active: bool) -> Iterator[None]:
    was_enabled = gc.isenabled()
    if active and was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if active and was_enabled:
            gc.enable()


def _evaluate_misses(
    catalog: Catalog,
    people: dict[int, User],
    enrolments: Sequence[Enrolment],
    keys: list[Any],
    found: list[dict[str, Any] | None],
    missing: set[int],
    as_of: date,
) -> list[Progress]:
    records = load_records(missing) if missing else {}
    out: list[Progress] = []
    for enrolment, key, hit in zip(enrolments, keys, found, strict=True):
        candidate = people[enrolment.candidate_id]
        if hit is not None:
            out.append(Progress(candidate, enrolment, hit))
            continue
        try:
            result = evaluate_records(
                catalog, enrolment.credential, records[candidate.id], as_of, enrolment.pathway
            )
        except (NotFoundError, ValidationError) as exc:
            out.append(Progress(candidate, enrolment, None, exc.message))
        else:
            cache.results.put(key, result)
            out.append(Progress(candidate, enrolment, result))
    return out
