"""The cohort at a glance: one summary row per enrolment, for the cohort page, its CSV and
the coordinator's home page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field
from sqlalchemy import Select, and_, case, event, func, select
from sqlalchemy.orm import Session

from tracker import tasks
from tracker.accounts.models import User
from tracker.candidates.labels import next_due, waived_requirements
from tracker.credentials import cache, publishing
from tracker.credentials.catalog import Catalog, current_catalog
from tracker.credentials.evaluation import Progress, evaluate_cohort
from tracker.credentials.models import EnrolmentResult
from tracker.csv_cells import csv_safe
from tracker.extensions import db
from tracker.records.models import Enrolment, Waiver
from tracker.schema import Answer
from tracker.timeutil import today, utcnow
from tracker.web.fragments import freeze
from tracker.web.paging import Page


def _pending_hours(result: dict[str, Any]) -> float:
    total = 0.0

    def walk(nodes: list[dict[str, Any]]) -> None:
        nonlocal total
        for node in nodes:
            if node["kind"] == "hours" and node["status"] != "not_applicable":
                total = max(total, float(node.get("pending_hours") or 0))
            walk(node.get("children", []))

    walk(result["requirements"])
    return total


def projected_on(result: dict[str, Any]) -> str | None:
    """When the unmet hours requirements would be met at the current pace (the latest)."""
    dates: list[str] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node["status"] == "not_applicable":
                continue
            if node["kind"] == "hours" and node["status"] != "met" and node.get("projected_on"):
                dates.append(node["projected_on"])
            walk(node.get("children", []))

    walk(result["requirements"])
    return max(dates) if dates else None


# ---------------------------------------------------------------- results kept in the database
#
# enrolment_results holds each enrolment's latest evaluation. A change to a candidate's
# records (cache.py gives them a new records_version) enqueues refresh_results for them
# once per transaction; the cohort page, its CSV, the coordinator home and the cohort API
# page, sort and filter in SQL over the table. A row computed from another records
# version, rules version or day is stale: it is recomputed for the page that shows it
# (at most one page of candidates), never shown as current.

_REFRESH = "tracker.refresh_results"


def _schedule_refresh(session: Session, candidate_ids: list[int]) -> None:
    pending: list[int] | None = session.info.get(_REFRESH)
    if pending is None:
        pending = session.info[_REFRESH] = []
        tasks.enqueue(refresh_results, pending, session=session, description="results")
    pending.extend(cid for cid in candidate_ids if cid not in pending)


cache.BUMP_HOOKS.append(_schedule_refresh)


def _refresh_after_definitions_change() -> None:
    tasks.enqueue(refresh_all, description="results after a definitions change")


publishing.CHANGED_HOOKS.append(_refresh_after_definitions_change)


@event.listens_for(Session, "after_commit")
def _forget_refresh(session: Session) -> None:
    session.info.pop(_REFRESH, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_refresh(session: Session, _previous: Any) -> None:
    session.info.pop(_REFRESH, None)


def summary(result: dict[str, Any] | None) -> dict[str, Any]:
    """The columns of a result that the cohort shows, sorts and filters by."""
    result = result or {}
    return {
        "status": result.get("status", "error"),
        "waived": bool(result.get("waived")),
        "waivers": waived_requirements(result) if result else [],
        "progress": float(result.get("progress") or 0),
        "met_on": result.get("met_on"),
        "due": next_due(result.get("requirements", [])) if result else None,
        "pending_hours": _pending_hours(result) if result else 0.0,
        "projected_on": projected_on(result) if result else None,
    }


# A result met only because of a waiver is kept as its own status, so that the cohort sorts,
# filters and shows it apart from what is plainly met.
WAIVED = "waived"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _fill(row: EnrolmentResult, p: Progress, catalog: Catalog, as_of: date) -> None:
    values = summary(p.result)
    row.candidate_id = p.candidate.id
    row.credential = p.enrolment.credential
    row.status = WAIVED if values["waived"] and values["status"] == "met" else values["status"]
    row.progress = values["progress"]
    row.met_on = _day(values["met_on"])
    row.due = _day(values["due"])
    row.projected_on = _day(values["projected_on"])
    row.pending_hours = values["pending_hours"]
    row.rules_version = catalog.fingerprint
    row.records_version = p.candidate.records_version
    row.as_of = as_of
    row.computed_at = utcnow()
    row.result = p.result
    row.error = p.error


def refresh_results(candidate_ids: list[int]) -> int:
    """Task: recompute and store these candidates' results (idempotent: one row each)."""
    ids = sorted({int(cid) for cid in candidate_ids})
    if not ids:
        return 0
    catalog, as_of = current_catalog(), today()
    people = list(db.session.scalars(select(User).where(User.id.in_(ids))))
    existing = {
        r.enrolment_id: r
        for r in db.session.scalars(
            select(EnrolmentResult).where(EnrolmentResult.candidate_id.in_(ids))
        )
    }
    count = 0
    for p in evaluate_cohort(catalog, people, as_of):
        row = existing.pop(p.enrolment.id, None)
        if row is None:
            row = EnrolmentResult(enrolment_id=p.enrolment.id)
            db.session.add(row)
        _fill(row, p, catalog, as_of)
        count += 1
    for gone in existing.values():  # an enrolment that moved away from these candidates
        db.session.delete(gone)
    return count


def refresh_all(batch: int = 500) -> None:
    """Task: every candidate with an enrolment, in batches (after a definitions change)."""
    ids = sorted(set(db.session.scalars(select(Enrolment.candidate_id))))
    for n in range(0, len(ids), batch):
        tasks.enqueue(refresh_results, ids[n : n + batch], description="results")


SORT_COLUMNS = {
    "name": lambda: [func.lower(User.name), User.id, Enrolment.credential],
    "credential": lambda: [Enrolment.credential, func.lower(User.name), User.id],
    "status": lambda: [EnrolmentResult.status, func.lower(User.name), User.id],
    "progress": lambda: [EnrolmentResult.progress, func.lower(User.name), User.id],
    "due": lambda: [
        case((EnrolmentResult.due.is_(None), 1), else_=0),
        EnrolmentResult.due,
        func.lower(User.name),
        User.id,
    ],
    "pending": lambda: [EnrolmentResult.pending_hours, func.lower(User.name), User.id],
}


def _enrolments_of(visible: Select[Any], *columns: Any, results: bool = True) -> Select[Any]:
    """SELECT columns FROM the visible candidates' enrolments, joined to their users (and
    stored results). The visible query's conditions apply to the joined users themselves
    (not as an IN over its ids), so that a page by name walks the users' (lower(name), id)
    indexes and stops after one page instead of sorting the whole cohort."""
    stmt = select(*columns).select_from(Enrolment).join(User, User.id == Enrolment.candidate_id)
    if results:
        stmt = stmt.outerjoin(EnrolmentResult, EnrolmentResult.enrolment_id == Enrolment.id)
    if visible.whereclause is not None:
        stmt = stmt.where(visible.whereclause)
    return stmt


@dataclass(frozen=True)
class Person:
    """The candidate of a cohort row, as lists show them."""

    id: int
    name: str
    email: str


# A cohort row as cohort_select reads it: plain columns (a page of 100 rows as ORM objects
# of three kinds cost more than the statement itself), the stored result without its tree.
_ROW_COLUMNS = (
    Enrolment.id.label("enrolment_id"),
    Enrolment.credential,
    Enrolment.pathway,
    User.id.label("candidate_id"),
    User.name,
    User.email,
    User.records_version.label("candidate_records_version"),
    EnrolmentResult.enrolment_id.label("result_id"),
    EnrolmentResult.status,
    EnrolmentResult.progress,
    EnrolmentResult.met_on,
    EnrolmentResult.due,
    EnrolmentResult.pending_hours,
    EnrolmentResult.projected_on,
    EnrolmentResult.error,
    EnrolmentResult.records_version,
    EnrolmentResult.rules_version,
    EnrolmentResult.as_of,
)


def cohort_select(
    visible: Select[Any],
    *,
    credential: str | None = None,
    status: str | None = None,
    sort: str = "name",
    descending: bool = False,
) -> Select[Any]:
    """The rows (_ROW_COLUMNS) of the visible candidates' enrolments, sorted in SQL."""
    stmt = _enrolments_of(visible, *_ROW_COLUMNS)
    if credential is not None:
        stmt = stmt.where(Enrolment.credential == credential)
    if status is not None:
        stmt = stmt.where(EnrolmentResult.status == status)
    columns = SORT_COLUMNS.get(sort, SORT_COLUMNS["name"])()
    if descending:
        columns = [columns[0].desc(), *columns[1:]]
    return stmt.order_by(*columns, Enrolment.id)


def _is_current_row(row: Any, catalog: Catalog, as_of: date) -> bool:
    return (
        row.result_id is not None
        and row.records_version == row.candidate_records_version
        and row.rules_version == catalog.fingerprint
        and row.as_of == as_of
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def rows_of(
    page: Iterable[Any], catalog: Catalog | None = None, *, keyed: bool = False
) -> list[dict[str, Any]]:
    """Cohort rows for one page of cohort_select; stale rows are recomputed, not shown.
    `keyed`: each row gets the `cache_key` of its HTML on a page (tracker/web/fragments.py),
    made of everything the row shows."""
    catalog = catalog or current_catalog()
    as_of = today()
    page = list(page)
    stale_ids = {r.candidate_id for r in page if not _is_current_row(r, catalog, as_of)}
    fresh: dict[int, dict[str, Any]] = {}
    if stale_ids:
        people = db.session.scalars(select(User).where(User.id.in_(stale_ids))).all()
        for p in evaluate_cohort(catalog, people, as_of):
            fresh[p.enrolment.id] = {**summary(p.result), "error": p.error}
    # The waived requirements are in the stored result, which lists do not read: it is read
    # for the enrolments of candidates with an active waiver only.
    ids = {r.candidate_id for r in page}
    waived_ids = set(
        db.session.scalars(
            select(Waiver.candidate_id).where(
                Waiver.candidate_id.in_(ids), Waiver.revoked_on.is_(None)
            )
        )
    ) if ids else set()  # fmt: skip
    trees: dict[int, Any] = dict(
        db.session.execute(
            select(EnrolmentResult.enrolment_id, EnrolmentResult.result).where(
                EnrolmentResult.enrolment_id.in_(
                    [r.enrolment_id for r in page if r.candidate_id in waived_ids]
                )
            )
        ).all()
    ) if waived_ids else {}  # fmt: skip
    out = []
    for r in page:
        if r.enrolment_id in fresh:
            values = fresh[r.enrolment_id]
        else:
            tree = trees.get(r.enrolment_id)
            values = {
                "status": "met" if r.status == WAIVED else r.status,
                "waived": r.status == WAIVED,
                "waivers": waived_requirements(tree) if tree else [],
                "progress": r.progress,
                "met_on": _iso(r.met_on),
                "due": _iso(r.due),
                "pending_hours": r.pending_hours,
                "projected_on": _iso(r.projected_on),
                "error": r.error,
            }
        definition = catalog.get(r.credential)
        item = {
            "candidate": Person(r.candidate_id, r.name, r.email),
            "credential": r.credential,
            "credential_name": definition.name if definition else r.credential,
            "pathway": (
                definition.pathways.get(r.pathway or "", r.pathway or "")
                if definition
                else r.pathway
            )
            or "",
            "pathway_id": r.pathway,
            **values,
        }
        if keyed:
            # The row's columns (who, which credential) and what it shows of the result
            # (stored or, for a stale row, recomputed); only the waivers' list needs freezing.
            shown = tuple((k, freeze(v) if k == "waivers" else v) for k, v in values.items())
            item["cache_key"] = (catalog.fingerprint, *r, shown)
        out.append(item)
    return out


RECOMPUTING = "recomputing"


def status_counts(visible: Select[Any]) -> dict[str, int]:
    """Enrolments of the visible candidates by stored status; stale or missing rows count as
    "recomputing" (they are not current, so their old status is not counted)."""
    current = and_(
        EnrolmentResult.enrolment_id.is_not(None),
        EnrolmentResult.records_version == User.records_version,
        EnrolmentResult.rules_version == current_catalog().fingerprint,
        EnrolmentResult.as_of == today(),
    )
    status = case((current, EnrolmentResult.status), else_=RECOMPUTING)
    return dict(
        db.session.execute(_enrolments_of(visible, status, func.count()).group_by(status)).all()
    )


def soonest_due(visible: Select[Any], limit: int) -> list[dict[str, Any]]:
    """The enrolments due soonest and not met, from the table (recomputed where stale)."""
    stmt = cohort_select(visible, sort="due").where(
        and_(EnrolmentResult.due.is_not(None), EnrolmentResult.status.not_in(("met", WAIVED)))
    )
    return rows_of(db.session.execute(stmt.limit(limit)))


def cohort_page(
    visible: Select[Any], *, sort: str, descending: bool, page: int, per_page: int
) -> Page[dict[str, Any]]:
    """One page of the cohort, sorted and paged in SQL (a page past the end: the last)."""
    stmt = cohort_select(visible, sort=sort, descending=descending)
    total = int(
        db.session.scalar(_enrolments_of(visible, func.count(Enrolment.id), results=False)) or 0
    )
    last = max(1, -(-total // per_page))
    page = min(max(page, 1), last)
    chosen = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(rows_of(chosen, keyed=True), page, per_page, total)


def not_enrolled(visible: Select[Any], limit: int = 50) -> list[User]:
    """Visible candidates without any enrolment (the first `limit`, by name)."""
    has_enrolment = select(Enrolment.id).where(Enrolment.candidate_id == User.id).exists()
    return list(db.session.scalars(visible.where(~has_enrolment).limit(limit)))


def enrolled_count(visible: Select[Any]) -> int:
    count = func.count(func.distinct(Enrolment.candidate_id))
    return int(db.session.scalar(_enrolments_of(visible, count, results=False)) or 0)


def first_candidates(visible: Select[Any], limit: int) -> list[User]:
    return list(db.session.scalars(visible.limit(limit)))


def candidate_count(visible: Select[Any]) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(visible.order_by(None).subquery())) or 0
    )


# ---------------------------------------------------------------- one row's answer and the CSV


class CohortRow(Answer):
    """One enrolment of the cohort: the API's JSON rows and the columns of every cohort CSV."""

    candidate_id: int
    name: str
    email: str
    credential: str
    pathway: str | None
    status: str
    waived: bool = Field(description="met only because of a waiver (shown as Waived)")
    progress: float
    met_on: date | None
    due: date | None
    projected_on: date | None
    pending_hours: float


COHORT_COLUMNS = tuple(CohortRow.model_fields)


def cohort_record(row: dict[str, Any]) -> dict[str, Any]:
    """A row of rows_of() as the API answers it and the CSV writes it."""
    c = row["candidate"]
    return {
        "candidate_id": c.id,
        "name": c.name,
        "email": c.email,
        "credential": row["credential"],
        "pathway": row["pathway_id"],
        "status": row["status"],
        "waived": bool(row.get("waived")),
        "progress": row["progress"],
        "met_on": row["met_on"],
        "due": row["due"],
        "projected_on": row["projected_on"],
        "pending_hours": row["pending_hours"],
    }


def cohort_csv(stmt: Select[Any]) -> tuple[str, int]:
    """The CSV of a cohort_select (read in parts), every cell safe from formula injection;
    and how many rows it holds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COHORT_COLUMNS)
    total = 0
    for part in db.session.execute(stmt.execution_options(yield_per=500)).partitions():
        for row in rows_of(part):
            data = cohort_record(row)
            writer.writerow([csv_safe("" if data[k] is None else data[k]) for k in COHORT_COLUMNS])
            total += 1
    return buffer.getvalue(), total
