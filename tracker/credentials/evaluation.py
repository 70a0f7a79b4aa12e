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
from tracker.credentials.catalog import Catalog
from tracker.errors import NotFoundError, ValidationError
from tracker.extensions import db
from tracker.records.adapter import for_credential, load_records
from tracker.records.models import Enrolment
from tracker.requirements_engine import Definition, EngineError, evaluate, evaluate_pathways


@dataclass
class Progress:
    """One candidate's evaluation for one enrolment."""

    candidate: User
    enrolment: Enrolment
    result: dict[str, Any] | None
    error: str | None = None


def _definition(catalog: Catalog, credential: str, version: str | None) -> Definition:
    definition = catalog.get(credential, version)
    if definition is None:
        what = f"{credential}@{version}" if version else credential
        raise NotFoundError(f"credential {what!r} is not loaded")
    return definition


def evaluate_records(
    catalog: Catalog,
    credential: str,
    records: dict[str, Any],
    as_of: date,
    pathway: str | None,
    *,
    lang: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """The engine's result under the given rules version (the current one when None);
    titles and details in `lang` (English when None)."""
    return evaluate_records_pathways(
        catalog, credential, records, as_of, [pathway], lang=lang, version=version
    )[pathway]


def evaluate_records_pathways(
    catalog: Catalog,
    credential: str,
    records: dict[str, Any],
    as_of: date,
    pathways: Sequence[str | None],
    *,
    lang: str | None = None,
    version: str | None = None,
) -> dict[str | None, dict[str, Any]]:
    """evaluate_records for several pathways at once ({pathway: result}): the engine reads
    the records, and evaluates the other credentials they hold, once for all."""
    definition = _definition(catalog, credential, version)
    try:
        return evaluate_pathways(
            definition,
            for_credential(records, credential),
            as_of,
            pathways,
            catalog=catalog.library,
            lang=lang,
        )
    except EngineError as exc:
        raise ValidationError("records", str(exc)) from exc


def evaluate_what_if(
    catalog: Catalog,
    candidate: User,
    credential: str,
    as_of: date,
    planned: dict[str, list[dict[str, Any]]],
    *,
    pathway: str | None = None,
    version: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """The result with hypothetical records added (credential-format.md §6.7): "I pass the
    SIE on 1 March", "40 hours a week from now". Nothing is saved or cached."""
    enrolment = enrolment_for(candidate, credential)
    version = version or (enrolment.version if enrolment else None)
    definition = catalog.get(credential, version)
    if definition is None:
        raise NotFoundError(f"credential {credential!r} is not loaded")
    if pathway is None and enrolment is not None and enrolment.pathway in definition.pathways:
        pathway = enrolment.pathway
    elif pathway is not None and pathway not in definition.pathways:
        raise ValidationError("pathway", f"unknown pathway {pathway!r}")
    records = for_credential(load_records([candidate.id])[candidate.id], credential)
    for kind, items in planned.items():
        records[kind] = [
            *records.get(kind, []),
            *({**item, "id": f"planned-{kind}-{n}", "planned": True} for n, item in
              enumerate(items, 1)),
        ]  # fmt: skip
        if kind == "experience":
            for item in records[kind]:
                if item.get("planned"):
                    item.setdefault("status", "approved")
                    item.setdefault("source", "employment")
    try:
        return evaluate(definition, records, as_of, pathway=pathway, catalog=catalog.library,
                        lang=lang, planned=True)  # fmt: skip
    except EngineError as exc:
        raise ValidationError("planned", str(exc)) from exc


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
    *,
    lang: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """evaluate_records through the result cache; records are loaded only on a miss."""
    return evaluate_cached_pathways(
        catalog, candidate, credential, as_of, [pathway], records, lang=lang, version=version
    )[pathway]


def evaluate_cached_pathways(
    catalog: Catalog,
    candidate: User,
    credential: str,
    as_of: date,
    pathways: Sequence[str | None],
    records: dict[str, Any] | None = None,
    *,
    lang: str | None = None,
    version: str | None = None,
) -> dict[str | None, dict[str, Any]]:
    """evaluate_cached for several pathways ({pathway: result}): the misses are evaluated
    together (a progress page shows the candidate's pathway beside the others)."""
    keys = {
        p: cache.result_key(candidate, credential, p, as_of, catalog.fingerprint, lang, version)
        for p in pathways
    }
    found: dict[str | None, dict[str, Any]] = {}
    for p, key in keys.items():
        hit = cache.results.get(key)
        if hit is not None:
            found[p] = hit
    missing = [p for p in pathways if p not in found]
    if missing:
        if records is None:
            records = load_records([candidate.id])[candidate.id]
        fresh = evaluate_records_pathways(
            catalog, credential, records, as_of, missing, lang=lang, version=version
        )
        for p in missing:
            cache.results.put(keys[p], fresh[p])
            found[p] = fresh[p]
    return {p: found[p] for p in pathways}


def evaluate_candidate(
    catalog: Catalog,
    candidate: User,
    credential: str,
    as_of: date,
    pathway: str | None = None,
    *,
    lang: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """The result for one candidate under the enrolment's rules version and pathway, unless
    another version or pathway is asked for (what-if)."""
    enrolment = enrolment_for(candidate, credential)
    if version is None and enrolment is not None:
        version = enrolment.version
    definition = _definition(catalog, credential, version)
    if pathway is None:
        pathway = enrolment.pathway if enrolment else None
        if pathway is not None and pathway not in definition.pathways:
            pathway = None  # the version's first pathway
    elif pathway not in definition.pathways:
        raise ValidationError("pathway", f"unknown pathway {pathway!r}")
    return evaluate_cached(catalog, candidate, credential, as_of, pathway, lang=lang,
                           version=definition.version)  # fmt: skip


def evaluate_cohort(catalog: Catalog, candidates: Iterable[User], as_of: date) -> list[Progress]:
    """Every enrolment of every candidate, in a constant number of queries.

    Cached results are reused; the records of the candidates with a miss are loaded in bulk,
    A whole cold cohort is evaluated by refresh tasks on the queue, in batches
    (candidates/cohort.py), never in a request.
    """
    people = {c.id: c for c in candidates}
    if not people:
        return []
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.candidate_id.in_(people)).order_by(Enrolment.id)
    ).all()
    keys = [
        cache.result_key(
            people[e.candidate_id],
            e.credential,
            e.pathway,
            as_of,
            catalog.fingerprint,
            version=e.version,
        )
        for e in enrolments
    ]
    found = [cache.results.get(key) for key in keys]
    missing = {e.candidate_id for e, hit in zip(enrolments, found, strict=True) if hit is None}
    with collector_paused(len(missing) >= BULK_THRESHOLD):
        return _evaluate_misses(catalog, people, enrolments, keys, found, missing, as_of)


# Loading and evaluating a large cohort allocates millions of short-lived, acyclic objects
# (one dict and one record per experience entry); the cyclic garbage collector would scan
# them again and again for nothing (about a quarter of the time for 5,000 candidates).
BULK_THRESHOLD = 200


@contextmanager
def collector_paused(active: bool) -> Iterator[None]:
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
    records = load_records(missing, typed=True) if missing else {}
    out: list[Progress] = []
    for enrolment, key, hit in zip(enrolments, keys, found, strict=True):
        candidate = people[enrolment.candidate_id]
        if hit is not None:
            out.append(Progress(candidate, enrolment, hit))
            continue
        try:
            result = evaluate_records(
                catalog,
                enrolment.credential,
                records[candidate.id],
                as_of,
                enrolment.pathway,
                version=enrolment.version,
            )
        except (NotFoundError, ValidationError) as exc:
            out.append(Progress(candidate, enrolment, None, exc.message))
        else:
            cache.results.put(key, result)
            out.append(Progress(candidate, enrolment, result))
    return out
