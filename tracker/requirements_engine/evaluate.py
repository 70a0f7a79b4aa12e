"""Evaluating a definition against candidate records: a pure function of its arguments."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .dates import add_months, add_years
from .errors import RecordProblem, RecordsError
from .hours import count_hours, overlap_hours
from .model import (
    LEVELS,
    AttestationSpec,
    CoursesSpec,
    CredentialSpec,
    Definition,
    DegreeSpec,
    ExamSpec,
    HoursSpec,
    Node,
    Window,
)
from .records import CourseRecord, Records, WaiverRecord, parse_records

MET = "met"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
EXPIRED = "expired"
NOT_APPLICABLE = "not_applicable"

_LEVEL_NAMES = {
    "associate": "Associate",
    "bachelor": "Bachelor",
    "master": "Master",
    "doctorate": "Doctorate",
}
_LEVEL_PHRASES = {
    "associate": "an associate degree",
    "bachelor": "a bachelor's degree",
    "master": "a master's degree",
    "doctorate": "a doctorate",
}


def fmt_number(value: float) -> str:
    """1,234 or 1,234.5: thousands separated, decimals only where there are some."""
    rounded = round(value, 2)
    if rounded.is_integer():
        return f"{rounded:,.0f}"
    return f"{rounded:,.2f}".rstrip("0")


@dataclass
class Outcome:
    """A node's evaluation, before it becomes JSON."""

    node: Node
    status: str
    progress: float = 0.0
    met_on: date | None = None
    achieved_on: date | None = None
    """When the node's condition held (even if it lapsed or came late): for references."""
    due: date | None = None
    detail: str = ""
    evidence: list[str] = field(default_factory=list)
    excluded: list[dict[str, str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    children: list[Outcome] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "id": self.node.id,
            "title": self.node.title,
            "kind": self.node.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "met_on": _iso(self.met_on),
            "due": _iso(self.due),
            "detail": self.detail,
            "evidence": list(self.evidence),
            "children": [child.to_json() for child in self.children],
        }
        if self.node.is_leaf:
            result["excluded"] = list(self.excluded or [])
        result.update(self.extra)
        return result


@dataclass
class _Leaf:
    """What a leaf's own rule found, before waivers and `due` are applied."""

    met_on: date | None
    progress: float
    evidence: list[str]
    excluded: list[dict[str, str]]
    detail: str
    lapsed_on: date | None = None
    """Set when the only passing evidence lapsed: the date it had been met."""
    extra: dict[str, Any] = field(default_factory=dict)
    has_evidence: bool | None = None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _excluded(record_id: str, reason: str) -> dict[str, str]:
    return {"id": record_id, "reason": reason}


class _Context:
    """State shared by one evaluation and the credential definitions it pulls in."""

    def __init__(self, records: Records, as_of: date, catalog: Mapping[str, Definition]) -> None:
        self.records = records
        self.as_of = as_of
        self.catalog = catalog
        self.credentials: dict[str, Outcome | None] = {}


class _Evaluator:
    def __init__(self, definition: Definition, pathway: str | None, ctx: _Context) -> None:
        self.definition = definition
        self.pathway = pathway
        self.ctx = ctx
        self.as_of = ctx.as_of
        self.records = ctx.records
        self.outcomes: dict[str, Outcome] = {}
        self.by_id: dict[str, Node] = {}
        self.parent: dict[str, Node | None] = {}
        self.applicable: dict[str, bool] = {}
        for top in definition.requirements:
            self._index(top, None, True)
        node_ids = set(self.by_id)
        self.waivers: dict[str, WaiverRecord] = {}
        for waiver in self.records.waivers:
            if waiver.requirement not in node_ids or waiver.approved_on > self.as_of:
                continue
            known = self.waivers.get(waiver.requirement)
            if known is None or waiver.approved_on < known.approved_on:
                self.waivers[waiver.requirement] = waiver

    def _index(self, node: Node, parent: Node | None, applicable: bool) -> None:
        self.by_id[node.id] = node
        self.parent[node.id] = parent
        here = applicable and (node.pathway is None or node.pathway == self.pathway)
        self.applicable[node.id] = here
        for child in node.children:
            self._index(child, node, here)

    # --- driving ----------------------------------------------------------------------

    def root(self) -> Outcome:
        children = [self.outcome(node) for node in self.definition.requirements]
        root_node = Node(id="", kind="all", title=self.definition.name, path="requirements")
        return self._composite(root_node, children)

    def outcome(self, node: Node) -> Outcome:
        known = self.outcomes.get(node.id)
        if known is not None:
            return known
        if not self.applicable[node.id]:
            result = Outcome(
                node,
                NOT_APPLICABLE,
                detail=self._not_applicable_detail(node),
                excluded=[] if node.is_leaf else None,
                extra=_hours_extra_empty(node),
                children=[self.outcome(child) for child in node.children],
            )
        elif node.is_leaf:
            result = self._finish(node, self._leaf(node))
        else:
            children = [self.outcome(child) for child in node.children]
            result = self._composite(node, children)
        self.outcomes[node.id] = result
        return result

    def _not_applicable_detail(self, node: Node) -> str:
        pathway = node.pathway
        current = self.definition.pathways.get(self.pathway or "", self.pathway or "")
        if pathway is None:
            return "Does not apply on this pathway"
        title = self.definition.pathways.get(pathway, pathway)
        return f"Not required on {current}: applies only to {title}"

    def reference_date(self, node_id: str | None) -> date | None:
        """The date a referenced node was met (even if it later lapsed), or None."""
        if node_id is None or node_id not in self.by_id:
            return None
        return self.outcome(self.by_id[node_id]).achieved_on

    def cutoff(self, node: Node) -> date | None:
        """Evidence dated after this day does not count (the node's and ancestors' `before`)."""
        dates = []
        current: Node | None = node
        while current is not None:
            when = self.reference_date(current.before)
            if when is not None:
                dates.append(when)
            current = self.parent[current.id]
        return min(dates) if dates else None

    def window_bounds(self, window: Window | None) -> tuple[date | None, date | None]:
        if window is None:
            return None, None
        if window.last_years is not None:
            return add_years(self.as_of, -window.last_years), self.as_of
        anchor = self.reference_date(window.anchor)
        if anchor is None or anchor > self.as_of:
            anchor = self.as_of
        lo = add_years(anchor, -window.years_before) if window.years_before is not None else None
        hi = add_years(anchor, window.years_after) if window.years_after is not None else None
        return lo, hi

    # --- statuses -----------------------------------------------------------------------

    def _finish(self, node: Node, leaf: _Leaf) -> Outcome:
        has_evidence = bool(leaf.evidence) if leaf.has_evidence is None else leaf.has_evidence
        return self._settle(
            Outcome(
                node,
                NOT_STARTED,
                progress=leaf.progress,
                met_on=leaf.met_on,
                detail=leaf.detail,
                evidence=leaf.evidence,
                excluded=leaf.excluded,
                extra=leaf.extra,
            ),
            has_evidence,
            leaf.lapsed_on,
        )

    def _settle(self, out: Outcome, has_evidence: bool, lapsed_on: date | None) -> Outcome:
        """Apply waivers and `due`, then decide the status (met_on holds the natural date)."""
        node = out.node
        natural = out.met_on
        if node.due is not None:
            anchor = self.reference_date(node.due.after)
            if anchor is not None:
                out.due = add_years(anchor, node.due.years)
        waiver = self.waivers.get(node.id)
        out.met_on = None
        if waiver is not None:
            out.status = MET
            out.met_on = min(natural, waiver.approved_on) if natural else waiver.approved_on
            out.achieved_on = out.met_on
            out.progress = 1.0
            out.evidence = [waiver.id, *out.evidence]
            out.detail = f"Waived: {waiver.reason}" if waiver.reason else "Waived"
            if "projected_on" in out.extra:
                out.extra["projected_on"] = None
            out.extra.pop("lapses_on", None)  # a waived node does not lapse with its evidence
            return out
        if natural is not None:
            out.achieved_on = natural
            if out.due is not None and natural > out.due:
                out.status = EXPIRED
                out.detail += (
                    f"; met on {natural.isoformat()}, after the due date {out.due.isoformat()}"
                )
            else:
                out.status = MET
                out.met_on = natural
                out.progress = 1.0
            return out
        if lapsed_on is not None:
            out.status = EXPIRED
            out.achieved_on = lapsed_on
        elif out.due is not None and self.as_of > out.due:
            out.status = EXPIRED
            out.detail += f"; the due date {out.due.isoformat()} has passed"
        else:
            out.status = IN_PROGRESS if has_evidence else NOT_STARTED
        return out

    def _composite(self, node: Node, children: list[Outcome]) -> Outcome:
        applicable = [c for c in children if c.status != NOT_APPLICABLE]
        if not applicable:
            return Outcome(
                node,
                NOT_APPLICABLE,
                detail="No part of it applies on this pathway",
                children=children,
            )
        met = sorted(c.met_on for c in applicable if c.status == MET and c.met_on is not None)
        total = len(applicable)
        natural: date | None = None
        if node.kind == "all":
            progress = sum(c.progress for c in applicable) / total
            natural = met[-1] if len(met) == total else None
            detail = f"{len(met)} of {total} met"
        elif node.kind == "any":
            progress = max(c.progress for c in applicable)
            natural = met[0] if met else None
            detail = (
                f"{len(met)} of {total} met; one is enough" if total > 1 else f"{len(met)} of 1 met"
            )
        else:
            need = node.count
            best = sorted((c.progress for c in applicable), reverse=True)[:need]
            progress = sum(best) / need if need else 1.0
            natural = met[need - 1] if len(met) >= need else None
            detail = f"{len(met)} of {total} met; {need} needed"
        has_evidence = any(c.status in (MET, IN_PROGRESS, EXPIRED) for c in applicable)
        out = Outcome(
            node,
            NOT_STARTED,
            progress=min(progress, 1.0),
            met_on=natural,
            detail=detail,
            children=children,
        )
        return self._settle(out, has_evidence, None)

    # --- leaves -------------------------------------------------------------------------

    def _leaf(self, node: Node) -> _Leaf:
        spec = node.spec
        cutoff = self.cutoff(node)
        if isinstance(spec, HoursSpec):
            return self._hours(node, spec, cutoff)
        if isinstance(spec, CoursesSpec):
            return self._courses(spec, cutoff)
        if isinstance(spec, ExamSpec):
            return self._exam(spec, cutoff)
        if isinstance(spec, DegreeSpec):
            return self._degree(spec, cutoff)
        if isinstance(spec, AttestationSpec):
            return self._attestation(spec, cutoff)
        if isinstance(spec, CredentialSpec):
            return self._credential(spec, cutoff, node.title)
        raise AssertionError(f"unknown node kind {node.kind}")

    def _degree(self, spec: DegreeSpec, cutoff: date | None) -> _Leaf:
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        minimum = LEVELS.index(spec.min_level)
        fields = {f.casefold() for f in spec.fields} if spec.fields else None
        conferred = []
        unconferred = []
        for degree in self.records.degrees:
            when = degree.conferred_on
            if when is not None and when > self.as_of:
                excluded.append(_excluded(degree.id, "future"))
            elif (
                degree.rank < minimum
                or (spec.accredited and not degree.accredited)
                or (fields is not None and degree.field.strip().casefold() not in fields)
            ):
                excluded.append(_excluded(degree.id, "not_matching"))
            elif when is None:
                evidence.append(degree.id)
                unconferred.append(degree)
            elif cutoff is not None and when > cutoff:
                excluded.append(_excluded(degree.id, "after_cutoff"))
            else:
                evidence.append(degree.id)
                conferred.append(degree)

        def describe(d: Any) -> str:
            parts = [_LEVEL_NAMES[d.level], d.field, d.institution]
            return ", ".join(p for p in parts if p)

        if conferred:
            first = min(conferred, key=lambda d: (d.conferred_on, d.id))
            return _Leaf(first.conferred_on, 1.0, evidence, excluded, describe(first))
        if unconferred:
            highest = min(unconferred, key=lambda d: (-d.rank, d.id))
            return _Leaf(None, 0.0, evidence, excluded, describe(highest) + " (not yet conferred)")
        wanted = _LEVEL_PHRASES[spec.min_level] + (
            " or higher" if spec.min_level != "doctorate" else ""
        )
        if spec.accredited:
            wanted += " from an accredited institution"
        if spec.fields:
            wanted += f" in {' or '.join(spec.fields)}"
        return _Leaf(
            None, 0.0, evidence, excluded, f"No degree on record that qualifies: needs {wanted}"
        )

    def _courses(self, spec: CoursesSpec, cutoff: date | None) -> _Leaf:
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        providers = {p.casefold() for p in spec.providers} if spec.providers else None
        topics = {t.casefold(): t for t in spec.topics}
        by_amount = spec.min_credits is not None or spec.min_count is not None
        lo, hi = self.window_bounds(spec.window)
        counted: list[CourseRecord] = []
        for course in self.records.courses:
            when = course.completed_on
            covers = any(t.casefold() in topics for t in course.topics)
            if when is not None and when > self.as_of:
                reason = "future"
            elif providers is not None and course.provider.casefold() not in providers:
                reason = "not_matching"
            elif not by_amount and not covers:
                reason = "not_matching"
            elif when is None:
                reason = "pending"
            elif not course.passed:
                reason = "not_passed"
            elif cutoff is not None and when > cutoff:
                reason = "after_cutoff"
            elif (lo is not None and when < lo) or (hi is not None and when > hi):
                reason = "outside_window"
            else:
                evidence.append(course.id)
                counted.append(course)
                continue
            excluded.append(_excluded(course.id, reason))
        counted.sort(key=lambda c: (c.completed_on or date.min, c.id))
        covered: set[str] = set()
        credits = 0.0
        met_on: date | None = None
        for number, course in enumerate(counted, start=1):
            covered.update(t.casefold() for t in course.topics if t.casefold() in topics)
            credits += course.credits
            if (
                met_on is None
                and len(covered) == len(topics)
                and (spec.min_credits is None or credits >= spec.min_credits - 1e-9)
                and (spec.min_count is None or number >= spec.min_count)
            ):
                met_on = course.completed_on
        shares = []
        parts = []
        if topics:
            shares.append(len(covered) / len(topics))
            missing = [label for key, label in topics.items() if key not in covered]
            parts.append(
                f"Topics missing: {', '.join(missing)}"
                if missing
                else (f"All {len(topics)} topics covered" if len(topics) > 1 else "Topic covered")
            )
        if spec.min_credits is not None:
            shares.append(credits / spec.min_credits)
            parts.append(f"{fmt_number(credits)} of {fmt_number(spec.min_credits)} credits")
        if spec.min_count is not None:
            shares.append(len(counted) / spec.min_count)
            noun = "course" if spec.min_count == 1 else "courses"
            parts.append(f"{len(counted)} of {spec.min_count} {noun}")
        progress = min(1.0, *shares) if shares else 0.0
        return _Leaf(met_on, progress, evidence, excluded, "; ".join(parts))

    def _dated_passes(
        self,
        items: Sequence[tuple[str, date, bool, bool]],
        valid_years: int | None,
        cutoff: date | None,
    ) -> tuple[list[str], list[dict[str, str]], list[date], list[date], list[date]]:
        """Sort exam-like records (id, date, matches, passed) into counted, excluded, lapsed."""
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        valid: list[date] = []
        lapsed: list[date] = []
        failed: list[date] = []
        for record_id, when, matches, passed in items:
            if when > self.as_of:
                reason = "future"
            elif not matches:
                reason = "not_matching"
            elif not passed:
                reason = "not_passed"
                failed.append(when)
            elif cutoff is not None and when > cutoff:
                reason = "after_cutoff"
            elif valid_years is not None and self.as_of >= add_years(when, valid_years):
                reason = "lapsed"
                lapsed.append(when)
            else:
                evidence.append(record_id)
                valid.append(when)
                continue
            excluded.append(_excluded(record_id, reason))
        return evidence, excluded, valid, lapsed, failed

    def _lapsing(
        self,
        items: Sequence[tuple[str, date, bool, bool]],
        valid_years: int | None,
        cutoff: date | None,
        done: str,
        missing: str,
        failed_text: str | None = None,
    ) -> _Leaf:
        evidence, excluded, valid, lapsed, failed = self._dated_passes(items, valid_years, cutoff)
        if valid:
            first, last = min(valid), max(valid)
            detail = f"{done} on {first.isoformat()}"
            extra: dict[str, Any] = {}
            if valid_years is not None:
                lapses = add_years(last, valid_years)
                detail += f"; lapses {lapses.isoformat()}"
                # The first day the pass no longer counts: reminders and calendars use it.
                extra["lapses_on"] = lapses.isoformat()
            return _Leaf(first, 1.0, evidence, excluded, detail, extra=extra)
        if lapsed:
            last = max(lapsed)
            lapsed_on = add_years(last, valid_years or 0)
            detail = f"{done} on {last.isoformat()}; lapsed {lapsed_on.isoformat()}"
            return _Leaf(None, 0.0, evidence, excluded, detail, lapsed_on=last)
        if failed and failed_text:
            return _Leaf(
                None,
                0.0,
                evidence,
                excluded,
                f"{failed_text} (last attempt {max(failed).isoformat()})",
            )
        return _Leaf(None, 0.0, evidence, excluded, missing)

    def _exam(self, spec: ExamSpec, cutoff: date | None) -> _Leaf:
        code = spec.code.casefold()
        items = [
            (e.id, e.taken_on, e.code.casefold() == code, e.passed) for e in self.records.exams
        ]
        return self._lapsing(
            items,
            spec.valid_years,
            cutoff,
            f"Passed {spec.code}",
            f"No pass of {spec.code} on record",
            f"{spec.code} not passed yet",
        )

    def _attestation(self, spec: AttestationSpec, cutoff: date | None) -> _Leaf:
        kind = spec.kind.casefold()
        items = [
            (a.id, a.signed_on, a.kind.casefold() == kind, True) for a in self.records.attestations
        ]
        return self._lapsing(
            items,
            spec.valid_years,
            cutoff,
            f"Signed {spec.kind}",
            f"No signed {spec.kind} attestation",
        )

    def _credential(self, spec: CredentialSpec, cutoff: date | None, title: str) -> _Leaf:
        wanted = spec.id.casefold()
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        held: list[date] = []
        expired: list[date] = []
        for record in self.records.credentials:
            if record.awarded_on > self.as_of:
                reason = "future"
            elif record.id.casefold() != wanted:
                reason = "not_matching"
            elif cutoff is not None and record.awarded_on > cutoff:
                reason = "after_cutoff"
            elif record.expires_on is not None and record.expires_on <= self.as_of:
                reason = "lapsed"
                expired.append(record.awarded_on)
            else:
                if record.id not in evidence:
                    evidence.append(record.id)
                held.append(record.awarded_on)
                continue
            excluded.append(_excluded(record.id, reason))
        sub = self._sub_credential(spec.id)
        sub_met = sub.met_on if sub is not None and sub.status == MET else None
        if sub_met is not None and cutoff is not None and sub_met > cutoff:
            sub_met = None
        name = sub.node.title if sub is not None else (title or spec.id)
        dates = [*held, *([sub_met] if sub_met else [])]
        if dates:
            first = min(dates)
            if held and min(held) == first:
                detail = f"Holds {name} since {first.isoformat()}"
            else:
                detail = f"Requirements of {name} met on {first.isoformat()}"
            return _Leaf(first, 1.0, evidence, excluded, detail)
        if expired:
            last = max(expired)
            return _Leaf(
                None, 0.0, evidence, excluded, f"{name} is no longer held (expired)", lapsed_on=last
            )
        if sub is not None and sub.status in (IN_PROGRESS, MET, EXPIRED):
            detail = f"Requirements of {name}: {sub.detail} ({round(sub.progress * 100)}%)"
            return _Leaf(None, 0.0, evidence, excluded, detail, has_evidence=True)
        return _Leaf(None, 0.0, evidence, excluded, f"No {name} on record")

    def _sub_credential(self, credential_id: str) -> Outcome | None:
        """The evaluation of another loaded credential (None when not loaded or circular)."""
        ctx = self.ctx
        if credential_id in ctx.credentials:
            return ctx.credentials[credential_id]
        definition = ctx.catalog.get(credential_id)
        if definition is None:
            return None
        ctx.credentials[credential_id] = None
        pathway = self.records.pathway
        if pathway not in definition.pathways:
            pathway = next(iter(definition.pathways), None)
        root = _Evaluator(definition, pathway, ctx).root()
        ctx.credentials[credential_id] = root
        return root

    def _hours(self, node: Node, spec: HoursSpec, cutoff: date | None) -> _Leaf:
        as_of_ord = self.as_of.toordinal()
        lo_date, hi_date = self.window_bounds(spec.window)
        lo = lo_date.toordinal() if lo_date is not None else 1
        window_hi = hi_date.toordinal() if hi_date is not None else None
        cutoff_ord = cutoff.toordinal() if cutoff is not None else None
        hi = as_of_ord
        if window_hi is not None and window_hi < hi:
            hi = window_hi
        if cutoff_ord is not None and cutoff_ord < hi:
            hi = cutoff_ord
        sources = spec.sources
        categories = {c.casefold() for c in spec.categories} if spec.categories else None
        supervised = spec.supervised
        statuses = spec.statuses
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        counting: list[tuple[int, int, float]] = []
        pending = 0.0
        for entry in self.records.experience:
            if entry.start_ord > as_of_ord:
                reason = "future"
            elif (
                (sources is not None and entry.source not in sources)
                or (categories is not None and entry.category.casefold() not in categories)
                or (supervised and not entry.supervised)
            ):
                reason = "not_matching"
            elif entry.status not in statuses:
                if entry.status == "pending":
                    pending += overlap_hours(entry.start_ord, entry.end_ord, entry.rate, lo, hi)
                    reason = "pending"
                elif entry.status == "rejected":
                    reason = "rejected"
                else:
                    reason = "not_matching"
            elif cutoff_ord is not None and entry.start_ord > cutoff_ord:
                reason = "after_cutoff"
            elif entry.end_ord < lo or (window_hi is not None and entry.start_ord > window_hi):
                reason = "outside_window"
            else:
                evidence.append(entry.id)
                counting.append((entry.start_ord, entry.end_ord, entry.rate))
                continue
            excluded.append(_excluded(entry.id, reason))
        recent_from = as_of_ord - 26 * 7 + 1
        count = count_hours(
            counting, lo, hi, spec.min, spec.max_per_week, spec.max_per_year, recent_from
        )
        met_on: date | None = None
        progress = min(count.counted / spec.min, 1.0)
        months_from: date | None = None
        if spec.min_months is not None and count.first_ord is not None:
            months_from = add_months(date.fromordinal(count.first_ord), spec.min_months)
        if count.reached_ord is not None:
            met_on = date.fromordinal(count.reached_ord)
            if months_from is not None and months_from > met_on:
                met_on = months_from
            if met_on > self.as_of:
                met_on = None
        if spec.min_months is not None and months_from is not None and met_on is None:
            first = date.fromordinal(count.first_ord or as_of_ord)
            span = (months_from - first).days
            progress = min(progress, (self.as_of - first).days / span if span > 0 else 1.0)

        projected: date | None = None
        open_ended = (window_hi is None or window_hi > as_of_ord) and (
            cutoff_ord is None or cutoff_ord > as_of_ord
        )
        if met_on is None and count.reached_ord is not None:
            projected = months_from
        elif met_on is None and count.recent > 1e-9 and open_ended:
            per_day = count.recent / (26 * 7)
            days = math.ceil((spec.min - count.counted) / per_day - 1e-9)
            if days < date.max.toordinal() - as_of_ord:
                projected = self.as_of + timedelta(days=max(1, days))
                if months_from is not None and months_from > projected:
                    projected = months_from
                if window_hi is not None and projected.toordinal() > window_hi:
                    projected = None

        parts = [f"{fmt_number(count.counted)} of {fmt_number(spec.min)} hours"]
        if count.capped > 0.005:
            limits = []
            if spec.max_per_week is not None:
                limits.append(f"{fmt_number(spec.max_per_week)}-hour weekly")
            if spec.max_per_year is not None:
                limits.append(f"{fmt_number(spec.max_per_year)}-hour yearly")
            noun = "limit" if len(limits) == 1 else "limits"
            above = f"above the {' and '.join(limits)} {noun}"
            parts.append(f"{fmt_number(count.capped)} hours {above} were not counted")
        if pending > 0.005:
            parts.append(f"{fmt_number(pending)} hours pending approval")
        if (
            spec.min_months is not None
            and met_on is None
            and count.reached_ord is not None
            and months_from is not None
        ):
            parts.append(
                f"{spec.min_months} months must pass from the first counted day: met on "
                f"{months_from.isoformat()}"
            )
        extra = {
            "counted_hours": round(count.counted, 2),
            "pending_hours": round(pending, 2),
            "capped_hours": round(count.capped, 2),
            "required_hours": round(spec.min, 2),
            "projected_on": _iso(projected),
        }
        return _Leaf(met_on, progress, evidence, excluded, "; ".join(parts), extra=extra)


def _hours_extra_empty(node: Node) -> dict[str, Any]:
    if not isinstance(node.spec, HoursSpec):
        return {}
    return {
        "counted_hours": 0.0,
        "pending_hours": 0.0,
        "capped_hours": 0.0,
        "required_hours": round(node.spec.min, 2),
        "projected_on": None,
    }


def resolve_pathway(definition: Definition, records: Records, pathway: str | None) -> str | None:
    """Explicit pathway, else the records' pathway, else the definition's first (or None)."""
    chosen = pathway if pathway is not None else records.pathway
    if chosen is None:
        return next(iter(definition.pathways), None)
    if chosen not in definition.pathways:
        known = ", ".join(definition.pathways) or "none"
        raise RecordsError(
            [
                RecordProblem(
                    "records",
                    None,
                    "pathway",
                    f"unknown pathway '{chosen}' for {definition.id} (pathways: {known})",
                )
            ]
        )
    return chosen


def evaluate(
    definition: Definition,
    records: Mapping[str, Any],
    as_of: date,
    pathway: str | None = None,
    catalog: Mapping[str, Definition] | None = None,
) -> dict[str, Any]:
    """Evaluate `definition` for a candidate's records as of a day; returns the result JSON."""
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise TypeError("as_of must be a datetime.date")
    parsed = parse_records(records)
    chosen = resolve_pathway(definition, parsed, pathway)
    ctx = _Context(parsed, as_of, dict(catalog or {}))
    ctx.credentials[definition.id] = None
    root = _Evaluator(definition, chosen, ctx).root()
    return {
        "credential": definition.id,
        "name": definition.name,
        "version": definition.version,
        "pathway": chosen,
        "as_of": as_of.isoformat(),
        "status": root.status,
        "progress": round(root.progress, 4),
        "met_on": _iso(root.met_on),
        "requirements": [child.to_json() for child in root.children],
    }
