"""What a coordinator should notice before deciding an entry of the queue.

Weeks above the weekly cap of the candidate's hours requirements, entries overlapping
another of the same candidate, likely duplicates (same dates and hours), and the
candidate's approved and pending totals. A fixed number of statements for a whole page:
the other entries and the enrolments of the page's candidates, and their evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

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


@dataclass
class EntryChecks:
    over_cap: list[WeekOverCap] = field(default_factory=list)
    overlaps: list[HoursEntry] = field(default_factory=list)
    duplicates: list[HoursEntry] = field(default_factory=list)

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
    evidence: dict[int, list[EvidenceFile]]

    @property
    def flagged(self) -> int:
        return sum(1 for c in self.entries.values() if c.flagged)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_hours(entries: Iterable[HoursEntry]) -> dict[date, float]:
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


def _caps(catalog: Catalog, enrolments: Iterable[Enrolment]) -> list[_Cap]:
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


def _matches(cap: _Cap, entry: HoursEntry) -> bool:
    if cap.categories is not None and entry.category not in cap.categories:
        return False
    return cap.sources is None or entry.source in cap.sources


def queue_checks(catalog: Catalog, page: Sequence[HoursEntry]) -> QueueChecks:
    """The checks of every entry on one page of the queue."""
    result = QueueChecks({e.id: EntryChecks() for e in page}, {}, {})
    if not page:
        return result
    candidate_ids = sorted({e.candidate_id for e in page})
    others = db.session.scalars(
        select(HoursEntry)
        .where(
            HoursEntry.candidate_id.in_(candidate_ids),
            HoursEntry.status.in_([EntryStatus.PENDING, EntryStatus.APPROVED]),
        )
        .order_by(HoursEntry.start, HoursEntry.id)
    ).all()
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.candidate_id.in_(candidate_ids))
    ).all()
    for item in db.session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.record_type == "experience",
            EvidenceFile.record_id.in_([e.id for e in page]),
        )
        .order_by(EvidenceFile.id)
    ):
        result.evidence.setdefault(item.record_id, []).append(item)

    by_candidate: dict[int, list[HoursEntry]] = defaultdict(list)
    for row in others:
        by_candidate[row.candidate_id].append(row)
    enrolled: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        enrolled[enrolment.candidate_id].append(enrolment)

    for cid in candidate_ids:
        rows = by_candidate[cid]
        result.totals[cid] = Totals(
            approved=sum(float(r.hours) for r in rows if r.status is EntryStatus.APPROVED),
            pending=sum(float(r.hours) for r in rows if r.status is EntryStatus.PENDING),
        )
        mine = [e for e in page if e.candidate_id == cid]
        for entry in mine:
            checks = result.entries[entry.id]
            for other in rows:
                if other.id == entry.id:
                    continue
                if other.start <= entry.end and entry.start <= other.end:
                    same = (
                        other.start == entry.start
                        and other.end == entry.end
                        and abs(float(other.hours) - float(entry.hours)) < EPSILON
                    )
                    (checks.duplicates if same else checks.overlaps).append(other)
        for cap in _caps(catalog, enrolled[cid]):
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
