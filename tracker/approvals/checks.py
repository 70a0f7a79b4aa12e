"""What a coordinator should notice before deciding an entry of the queue.

Weeks above the weekly cap of the candidate's hours requirements, entries overlapping
another of the same candidate, likely duplicates (same dates and hours), and the
candidate's approved and pending totals. A fixed number of statements for a whole page,
each reading only what the page needs: the totals are summed in SQL, and of the other
entries only those in the calendar weeks the page's entries touch are read.

An entry's checks are a function of its candidate's entries and enrolments, which any
change renews the candidate's ``records_version`` for (credentials/cache.py), and of the
definitions (the catalog's fingerprint). So they are kept per process under those, as the
engine's results are: a queue shown again, sorted or paged back reads only the checks of
the candidates whose records changed meanwhile. Evidence files are read every time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import and_, func, or_, select

from tracker.credentials.cache import ResultCache
from tracker.credentials.catalog import Catalog
from tracker.extensions import db
from tracker.records.models import Enrolment, EntryStatus, EvidenceFile, HoursEntry

EPSILON = 1e-6


@dataclass(frozen=True)
class WeekOverCap:
    week_start: date
    hours: float
    cap: float
    requirement: str
    """The title of the hours requirement whose cap it is."""


class Neighbour(NamedTuple):
    """Another entry of the same candidate, as the checks read it (plain columns; a tuple:
    a page reads hundreds)."""

    id: int
    candidate_id: int
    source: str
    category: str | None
    start: date
    end: date
    hours: float
    status: EntryStatus


@dataclass
class EntryChecks:
    over_cap: list[WeekOverCap] = field(default_factory=list)
    overlaps: list[Neighbour] = field(default_factory=list)
    duplicates: list[Neighbour] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.over_cap or self.overlaps or self.duplicates)


@dataclass(frozen=True)
class Totals:
    approved: float
    pending: float


@dataclass(frozen=True)
class _Cap:
    weekly: float
    title: str
    categories: tuple[str, ...] | None
    sources: tuple[str, ...] | None


@dataclass
class QueueChecks:
    entries: dict[int, EntryChecks]
    totals: dict[int, Totals]
    evidence: dict[int, list[Any]]
    """Per entry, its evidence files (id, record_id, original_name, content_type)."""

    @property
    def flagged(self) -> int:
        return sum(1 for c in self.entries.values() if c.flagged)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_hours(entries: Iterable[HoursEntry | Neighbour]) -> dict[date, float]:
    """Hours of each calendar week (Monday to Sunday), each entry spread evenly over its
    days, as the engine counts them."""
    weeks: dict[date, float] = defaultdict(float)
    for e in entries:
        days = (e.end - e.start).days + 1
        if days <= 0:
            continue
        rate = float(e.hours) / days
        monday = _monday(e.start)
        while monday <= e.end:
            first = max(monday, e.start)
            last = min(monday + timedelta(days=6), e.end)
            weeks[monday] += rate * ((last - first).days + 1)
            monday += timedelta(days=7)
    return weeks


class Enrolled(Protocol):
    credential: str
    pathway: str | None


def _caps(catalog: Catalog, enrolments: Iterable[Enrolled]) -> list[_Cap]:
    caps: list[_Cap] = []
    for enrolment in enrolments:
        definition = catalog.get(enrolment.credential)
        if definition is None:
            continue
        for node in definition.nodes():
            spec: Any = node.spec
            if node.kind != "hours" or spec is None or spec.max_per_week is None:
                continue
            if node.pathway and enrolment.pathway and node.pathway != enrolment.pathway:
                continue
            cap = _Cap(
                float(spec.max_per_week), f"{definition.name}: {node.title}", spec.categories,
                spec.sources,
            )  # fmt: skip
            if cap not in caps:
                caps.append(cap)
    return caps


def _matches(cap: _Cap, entry: HoursEntry | Neighbour) -> bool:
    if cap.categories is not None and entry.category not in cap.categories:
        return False
    return cap.sources is None or entry.source in cap.sources


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _windows(page: Sequence[HoursEntry]) -> dict[int, tuple[date, date]]:
    """Per candidate, from the Monday of the first week to the Sunday of the last that the
    page's entries touch: every entry that can overlap one of them or share one of their
    weeks lies inside (the few between their weeks are dropped by the checks themselves)."""
    spans: dict[int, tuple[date, date]] = {}
    for e in page:
        lo, hi = _monday(e.start), _monday(e.end) + timedelta(days=6)
        known = spans.get(e.candidate_id)
        spans[e.candidate_id] = (min(lo, known[0]), max(hi, known[1])) if known else (lo, hi)
    return spans


class _Known(NamedTuple):
    checks: EntryChecks
    totals: Totals


# About 40 KB per 50 rows: 8,192 entries are a few MB per process.
KNOWN: ResultCache[_Known] = ResultCache(maxsize=8192)


def _known_key(catalog: Catalog, entry: HoursEntry) -> Hashable:
    return (entry.id, entry.version, entry.candidate.records_version, catalog.fingerprint)


def queue_checks(
    catalog: Catalog, page: Sequence[HoursEntry], evidence: dict[int, list[Any]]
) -> QueueChecks:
    """The checks of every entry on one page of the queue (its candidates loaded with it),
    with the page's evidence (evidence_of). The checks known in this process for the same
    records and definitions are reused; those of the other entries take three statements
    (see _computed)."""
    result = QueueChecks({}, {}, evidence)
    keys = {e.id: _known_key(catalog, e) for e in page}
    missing = []
    for e in page:
        known = KNOWN.get(keys[e.id])
        if known is None:
            missing.append(e)
            continue
        result.entries[e.id], result.totals[e.candidate_id] = known
    if missing:
        fresh = _computed(catalog, missing)
        for e in missing:
            checks, totals = fresh.entries[e.id], fresh.totals[e.candidate_id]
            known = _Known(checks, totals)
            KNOWN.put(keys[e.id], known)
            result.entries[e.id], result.totals[e.candidate_id] = known
    return result


def evidence_of(entry_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Per entry, its evidence files (id, record_id, original_name, content_type), in one
    statement. Files are not covered by the records' versions: read on every view."""
    evidence: dict[int, list[Any]] = {}
    if not entry_ids:
        return evidence
    for item in db.session.execute(
        select(
            EvidenceFile.id,
            EvidenceFile.record_id,
            EvidenceFile.original_name,
            EvidenceFile.content_type,
        )  # fmt: skip
        .where(
            EvidenceFile.record_type == "experience",
            EvidenceFile.record_id.in_(entry_ids),
        )
        .order_by(EvidenceFile.id)
    ):
        evidence.setdefault(item.record_id, []).append(item)
    return evidence


def _computed(catalog: Catalog, page: Sequence[HoursEntry]) -> QueueChecks:
    """The checks of these entries, in three statements: the candidates' totals (summed in
    SQL), the entries in the weeks the page touches and the enrolments."""
    result = QueueChecks({e.id: EntryChecks() for e in page}, {}, {})
    if not page:
        return result
    candidate_ids = sorted({e.candidate_id for e in page})
    counted = [EntryStatus.PENDING, EntryStatus.APPROVED]
    sums: dict[int, dict[EntryStatus, float]] = defaultdict(dict)
    for cid, status, hours in db.session.execute(
        select(HoursEntry.candidate_id, HoursEntry.status, func.sum(HoursEntry.hours))
        .where(HoursEntry.candidate_id.in_(candidate_ids), HoursEntry.status.in_(counted))
        .group_by(HoursEntry.candidate_id, HoursEntry.status)
    ):
        sums[cid][status] = float(hours or 0)
    # The weeks to read: the candidates whose windows fall in the same months share one
    # branch (IN over their ids), so a page of fifty candidates, most with recent entries,
    # makes a query of a branch or two that SQLAlchemy compiles once and caches; each
    # branch is a search of the (candidate_id, status, end) index. The few entries read
    # beyond a candidate's own weeks are dropped by the checks below.
    groups: dict[tuple[date, date], list[int]] = defaultdict(list)
    for cid, (lo, hi) in _windows(page).items():
        groups[(lo.replace(day=1), _month_end(hi))].append(cid)
    near = or_(
        *(
            and_(
                HoursEntry.candidate_id.in_(ids),
                HoursEntry.status.in_(counted),
                HoursEntry.end >= lo,
                HoursEntry.start <= hi,
            )
            for (lo, hi), ids in sorted(groups.items())
        )
    )
    others = [
        Neighbour(*row)
        for row in db.session.execute(
            select(
                HoursEntry.id,
                HoursEntry.candidate_id,
                HoursEntry.source,
                HoursEntry.category,
                HoursEntry.start,
                HoursEntry.end,
                HoursEntry.hours,
                HoursEntry.status,
            )  # fmt: skip
            .where(near)
            .order_by(HoursEntry.start, HoursEntry.id)
        )
    ]
    # Plain columns: the checks and the page read a few of each, not whole ORM rows.
    enrolments = db.session.execute(
        select(Enrolment.candidate_id, Enrolment.credential, Enrolment.pathway).where(
            Enrolment.candidate_id.in_(candidate_ids)
        )
    ).all()
    by_candidate: dict[int, list[Neighbour]] = defaultdict(list)
    for row in others:
        by_candidate[row.candidate_id].append(row)
    enrolled: dict[int, list[Enrolled]] = defaultdict(list)
    for enrolment in enrolments:
        enrolled[enrolment.candidate_id].append(enrolment)

    known: dict[tuple[tuple[str, str | None], ...], list[_Cap]] = {}

    def caps_of(enrolments: list[Enrolled]) -> list[_Cap]:
        key = tuple(sorted((e.credential, e.pathway) for e in enrolments))
        if key not in known:
            known[key] = _caps(catalog, enrolments)
        return known[key]

    # The page's entries as plain rows (read once: each is compared with its neighbours).
    mine_of: dict[int, list[Neighbour]] = defaultdict(list)
    for e in page:
        logged = float(e.hours)
        own = Neighbour(
            e.id, e.candidate_id, e.source, e.category, e.start, e.end, logged, e.status
        )
        mine_of[e.candidate_id].append(own)
    for cid in candidate_ids:
        rows = by_candidate[cid]
        result.totals[cid] = Totals(
            approved=sums[cid].get(EntryStatus.APPROVED, 0.0),
            pending=sums[cid].get(EntryStatus.PENDING, 0.0),
        )
        mine = mine_of[cid]
        for entry in mine:
            checks = result.entries[entry.id]
            for other in rows:
                if other.id == entry.id:
                    continue
                if other.start <= entry.end and entry.start <= other.end:
                    same = (
                        other.start == entry.start
                        and other.end == entry.end
                        and abs(float(other.hours) - entry.hours) < EPSILON
                    )
                    (checks.duplicates if same else checks.overlaps).append(other)
        for cap in caps_of(enrolled[cid]):
            weeks = _week_hours(r for r in rows if _matches(cap, r))
            for entry in mine:
                if not _matches(cap, entry):
                    continue
                monday = _monday(entry.start)
                while monday <= entry.end:
                    hours = weeks.get(monday, 0.0)
                    if hours > cap.weekly + EPSILON:
                        result.entries[entry.id].over_cap.append(
                            WeekOverCap(monday, round(hours, 2), cap.weekly, cap.title)
                        )
                    monday += timedelta(days=7)
    return result
