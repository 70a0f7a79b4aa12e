"""Evaluating a definition against candidate records: a pure function of its arguments."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from .dates import add_months, add_years, cycle_holding
from .errors import RecordProblem, RecordsError
from .hours import add_by_year, count_hours, overlap_hours
from .library import Library
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
from .texts import DEFAULT_LANGUAGE, LANGUAGES, best_match, language_tag, one_of, say

MET = "met"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
EXPIRED = "expired"
NOT_APPLICABLE = "not_applicable"


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

    def walk(self) -> Iterator[Outcome]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_json(self, view: _View) -> dict[str, Any]:
        result: dict[str, Any] = {
            "id": self.node.id,
            "title": self.node.title_in(view.lang),
        }
        if self.node.descriptions is not None:
            result["description"] = self.node.description_in(view.lang)
        result |= {
            "kind": self.node.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "met_on": _iso(view.real_met.get(self.node.id, self.met_on)),
            "due": _iso(self.due),
            "detail": self.detail,
            "evidence": list(self.evidence),
            "children": [child.to_json(view) for child in self.children],
        }
        if self.node.is_leaf or self.excluded:
            result["excluded"] = list(self.excluded or [])
        result["waived"] = self.node.id in view.waived
        result["planned"] = self.node.id in view.planned
        result.update(self.extra)
        return result


@dataclass(frozen=True)
class _View:
    """What the result JSON needs beyond the outcomes: its language, and the nodes met only
    thanks to waivers or to planned records."""

    lang: str = DEFAULT_LANGUAGE
    waived: frozenset[str] = frozenset()
    planned: frozenset[str] = frozenset()
    real_met: Mapping[str, date | None] = field(default_factory=dict)
    """Nodes the real records meet without the plans: the day they did. A plan can move a
    window (a planned exam as its anchor) and so the day a node would be met, but a node met
    by real records is dated by them, never after the evaluation date."""


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
    due: date | None = None
    """The end of the renewal cycle the leaf is counted in."""


class _Bounds(NamedTuple):
    lo: date | None
    hi: date | None
    cycle: tuple[date, date] | None = None
    """The current renewal cycle (None for other windows, and while its `from` is not met)."""


class _Dated(NamedTuple):
    """An exam pass or a signed attestation, as the lapsing rules see it."""

    id: str
    when: date
    matches: bool
    passed: bool
    verified: bool
    planned: bool


class _Passes(NamedTuple):
    evidence: list[str]
    excluded: list[dict[str, str]]
    valid: list[tuple[date, date | None]]
    """(pass date, the day it lapses or None)"""
    lapsed: list[tuple[date, date]]
    failed: list[date]
    unverified: list[date]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _excluded(record_id: str, reason: str) -> dict[str, str]:
    return {"id": record_id, "reason": reason}


class _Catalog:
    """The definitions `credential:` nodes evaluate: the records' pinned version, else the
    version current on the evaluation date (a plain mapping holds one version of each id)."""

    def __init__(
        self, catalog: Mapping[str, Definition] | Library | None, pins: Mapping[str, str]
    ) -> None:
        self.library = catalog if isinstance(catalog, Library) else None
        self.mapping: Mapping[str, Definition] = (
            {} if catalog is None or isinstance(catalog, Library) else catalog
        )
        self.pins = pins

    def versions(self, credential_id: str) -> tuple[Definition, ...]:
        if self.library is not None:
            return self.library.versions(credential_id)
        found = self.mapping.get(credential_id)
        return (found,) if found is not None else ()

    def find(self, credential_id: str, on: date) -> Definition | None:
        pinned = self.pins.get(credential_id)
        for definition in self.versions(credential_id) if pinned is not None else ():
            if definition.version == pinned:
                return definition
        if self.library is not None:
            return self.library.current_version(credential_id, on)
        return self.mapping.get(credential_id)

    def check_pins(self, definition: Definition) -> None:
        """Every pinned credential that `definition` reaches must be loaded in that version."""
        if not self.pins:
            return
        problems: list[RecordProblem] = []
        seen = {definition.id}
        todo = [definition]
        while todo:
            for node in todo.pop().nodes():
                spec = node.spec
                if not isinstance(spec, CredentialSpec) or spec.id in seen:
                    continue
                seen.add(spec.id)
                versions = self.versions(spec.id)
                todo.extend(versions)
                pinned = self.pins.get(spec.id)
                if pinned is not None and all(d.version != pinned for d in versions):
                    loaded = ", ".join(d.version for d in versions) or "none"
                    reason = f"{spec.id}@{pinned} is not loaded (loaded versions: {loaded})"
                    problems.append(RecordProblem("versions", spec.id, None, reason))
        if problems:
            raise RecordsError(problems)


class _Context:
    """State shared by one evaluation and the credential definitions it pulls in."""

    def __init__(
        self,
        records: Records,
        as_of: date,
        catalog: _Catalog,
        *,
        lang: str = DEFAULT_LANGUAGE,
        waivers: bool = True,
        credentials: dict[tuple[str, str, date], tuple[Outcome, bool]] | None = None,
    ) -> None:
        self.records = records
        self.as_of = as_of
        self.catalog = catalog
        self.lang = lang
        self.use_waivers = waivers
        self.waiver_applied = False
        """Set when a waiver made some node met (then `waived` needs a second evaluation)."""
        self.credentials = {} if credentials is None else credentials
        """Evaluations of other credentials: (id, version, as of) -> (outcome, whether a
        waiver made a node of it met); shared by the pathways of evaluate_pathways."""
        self.active: set[str] = set()
        """Credentials being evaluated: a reference back to one of them is not held."""


class _Evaluator:
    def __init__(
        self,
        definition: Definition,
        pathway: str | None,
        ctx: _Context,
        as_of: date | None = None,
    ) -> None:
        self.definition = definition
        self.pathway = pathway
        self.ctx = ctx
        self.as_of = as_of or ctx.as_of
        # Real records dated after the evaluation date are unknown, also to a credential
        # evaluated as of a later day (a `current_at` node met by planned records).
        self.seen_until = min(self.as_of, ctx.as_of)
        self.records = ctx.records
        self.lang = ctx.lang
        self.outcomes: dict[str, Outcome] = {}
        self.by_id: dict[str, Node] = {}
        self.parent: dict[str, Node | None] = {}
        self.applicable: dict[str, bool] = {}
        for top in definition.requirements:
            self._index(top, None, True)
        self.waivers: dict[str, WaiverRecord] = {}
        self.refused: dict[str, list[dict[str, str]]] = {}
        for waiver in self.records.waivers:
            target = self.by_id.get(waiver.requirement)
            if target is None or (waiver.approved_on > self.seen_until and not waiver.planned):
                continue
            if not target.waivable:
                reason = "not_waivable"
            elif waiver.expires_on is not None and waiver.expires_on <= self.as_of:
                reason = "lapsed"
            else:
                if ctx.use_waivers:
                    known = self.waivers.get(waiver.requirement)
                    if known is None or waiver.approved_on < known.approved_on:
                        self.waivers[waiver.requirement] = waiver
                continue
            self.refused.setdefault(waiver.requirement, []).append(_excluded(waiver.id, reason))

    def say(self, key: str, **values: object) -> str:
        return say(self.lang, key, **values)

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
        root_node = Node(
            id="",
            kind="all",
            title=self.definition.name,
            path="requirements",
            titles=self.definition.names,
        )
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
                extra=_empty_extra(node),
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
        if node.pathway is None:
            return self.say("not_applicable")
        current = self.definition.pathway_name(self.pathway, self.lang) if self.pathway else ""
        pathway = self.definition.pathway_name(node.pathway, self.lang)
        return self.say("not_applicable.pathway", current=current, pathway=pathway)

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

    def window_bounds(self, window: Window | None) -> _Bounds:
        """The first and last day that count (None: unbounded), and the renewal cycle."""
        if window is None:
            return _Bounds(None, None)
        if window.cycle_months is not None:
            first = self.reference_date(window.cycle_from)
            if first is None:
                return _Bounds(date.max, date.min)  # no cycle yet: nothing counts
            cycle = cycle_holding(first, window.cycle_months, window.month_end, self.as_of)
            return _Bounds(cycle[0], cycle[1], cycle)
        if window.last_years is not None:
            return _Bounds(add_years(self.as_of, -window.last_years), self.as_of)
        anchor = self.reference_date(window.anchor)
        if anchor is None:
            anchor = self.as_of
        lo = add_years(anchor, -window.years_before) if window.years_before is not None else None
        hi = add_years(anchor, window.years_after) if window.years_after is not None else None
        return _Bounds(lo, hi)

    def cycle_leaf(self, window: Window | None, bounds: _Bounds, leaf: _Leaf) -> _Leaf:
        """A leaf counted in a renewal cycle carries the cycle, is due at its end, says so."""
        if window is None or window.cycle_from is None:
            return leaf
        cycle = bounds.cycle
        if cycle is None:
            start = self.by_id[window.cycle_from].title_in(self.lang)
            note = self.say("cycle.waiting", node=start)
        else:
            note = self.say("cycle.current", start=cycle[0].isoformat(), end=cycle[1].isoformat())
            leaf.due = cycle[1]
        leaf.detail = f"{leaf.detail}; {note}" if leaf.detail else note
        leaf.extra["cycle"] = _cycle_json(cycle)
        return leaf

    # --- statuses -----------------------------------------------------------------------

    def _finish(self, node: Node, leaf: _Leaf) -> Outcome:
        has_evidence = bool(leaf.evidence) if leaf.has_evidence is None else leaf.has_evidence
        return self._settle(
            Outcome(
                node,
                NOT_STARTED,
                progress=leaf.progress,
                met_on=leaf.met_on,
                due=leaf.due,
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
        refused = self.refused.get(node.id)
        if refused:
            out.excluded = [*(out.excluded or []), *refused]
        waiver = self.waivers.get(node.id)
        out.met_on = None
        if waiver is not None:
            self.ctx.waiver_applied = True
            out.status = MET
            out.met_on = min(natural, waiver.approved_on) if natural else waiver.approved_on
            out.achieved_on = out.met_on
            out.progress = 1.0
            out.evidence = [waiver.id, *out.evidence]
            out.detail = (
                self.say("waived", reason=waiver.reason)
                if waiver.reason
                else self.say("waived.no_reason")
            )
            if "projected_on" in out.extra:
                out.extra["projected_on"] = None
            out.extra.pop("lapses_on", None)  # a waived node does not lapse with its evidence
            return out
        if natural is not None:
            out.achieved_on = natural
            if out.due is not None and natural > out.due:
                out.status = EXPIRED
                out.detail += self.say(
                    "due.late", met_on=natural.isoformat(), due=out.due.isoformat()
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
            out.detail += self.say("due.passed", due=out.due.isoformat())
        else:
            out.status = IN_PROGRESS if has_evidence else NOT_STARTED
        return out

    def _composite(self, node: Node, children: list[Outcome]) -> Outcome:
        applicable = [c for c in children if c.status != NOT_APPLICABLE]
        if not applicable:
            return Outcome(
                node,
                NOT_APPLICABLE,
                detail=self.say("group.not_applicable"),
                children=children,
            )
        met = sorted(c.met_on for c in applicable if c.status == MET and c.met_on is not None)
        total = len(applicable)
        natural: date | None = None
        if node.kind == "all":
            progress = sum(c.progress for c in applicable) / total
            natural = met[-1] if len(met) == total else None
            detail = self.say("all", met=len(met), total=total)
        elif node.kind == "any":
            progress = max(c.progress for c in applicable)
            natural = met[0] if met else None
            detail = self.say("any" if total > 1 else "any.one", met=len(met), total=total)
        else:
            need = node.count
            best = sorted((c.progress for c in applicable), reverse=True)[:need]
            progress = sum(best) / need if need else 1.0
            natural = met[need - 1] if len(met) >= need else None
            detail = self.say("at_least", met=len(met), total=total, need=need)
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
            return self._credential(spec, cutoff, node.title_in(self.lang))
        raise AssertionError(f"unknown node kind {node.kind}")

    def _degree(self, spec: DegreeSpec, cutoff: date | None) -> _Leaf:
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        minimum = LEVELS.index(spec.min_level)
        fields = {f.casefold() for f in spec.fields} if spec.fields else None
        conferred = []
        unconferred = []
        unverified = []
        for degree in self.records.degrees:
            when = degree.conferred_on
            if when is not None and when > self.seen_until and not degree.planned:
                excluded.append(_excluded(degree.id, "future"))
            elif (
                degree.rank < minimum
                or (spec.accredited and not degree.accredited)
                or (fields is not None and degree.field.strip().casefold() not in fields)
            ):
                excluded.append(_excluded(degree.id, "not_matching"))
            elif when is not None and cutoff is not None and when > cutoff:
                excluded.append(_excluded(degree.id, "after_cutoff"))
            elif spec.verified and not degree.verified:
                excluded.append(_excluded(degree.id, "unverified"))
                unverified.append(degree)
            elif when is None:
                evidence.append(degree.id)
                unconferred.append(degree)
            else:
                evidence.append(degree.id)
                conferred.append(degree)

        def describe(d: Any) -> str:
            parts = [self.say(f"level.{d.level}"), d.field, d.institution]
            return ", ".join(p for p in parts if p)

        if conferred:
            first = min(conferred, key=lambda d: (d.conferred_on, d.id))
            return _Leaf(first.conferred_on, 1.0, evidence, excluded, describe(first))
        if unconferred:
            highest = min(unconferred, key=lambda d: (-d.rank, d.id))
            detail = self.say("degree.not_conferred", degree=describe(highest))
            return _Leaf(None, 0.0, evidence, excluded, detail)
        if unverified:
            highest = min(unverified, key=lambda d: (-d.rank, d.id))
            detail = self.say("degree.not_verified", degree=describe(highest))
            return _Leaf(None, 0.0, evidence, excluded, detail)
        wanted = self.say(f"wanted.{spec.min_level}")
        if spec.min_level != "doctorate":
            wanted = self.say("wanted.or_higher", level=wanted)
        if spec.accredited:
            wanted = self.say("wanted.accredited", wanted=wanted)
        if spec.fields:
            wanted = self.say("wanted.fields", wanted=wanted, fields=one_of(spec.fields, self.lang))
        return _Leaf(None, 0.0, evidence, excluded, self.say("degree.none", wanted=wanted))

    def _courses(self, spec: CoursesSpec, cutoff: date | None) -> _Leaf:
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        providers = {p.casefold() for p in spec.providers} if spec.providers else None
        topics = {t.casefold(): t for t in spec.topics}
        bounds = self.window_bounds(spec.window)
        lo, hi = bounds.lo, bounds.hi
        counted: list[CourseRecord] = []
        unverified = 0
        for course in self.records.courses:
            when = course.completed_on
            covers = any(t.casefold() in topics for t in course.topics)
            if when is not None and when > self.seen_until and not course.planned:
                reason = "future"
            elif providers is not None and course.provider.casefold() not in providers:
                reason = "not_matching"
            elif topics and not covers:
                reason = "not_matching"
            elif when is None:
                reason = "pending"
            elif not course.passed:
                reason = "not_passed"
            elif cutoff is not None and when > cutoff:
                reason = "after_cutoff"
            elif (lo is not None and when < lo) or (hi is not None and when > hi):
                reason = "outside_window"
            elif spec.verified and not course.verified:
                reason = "unverified"
                unverified += 1
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
            if missing:
                parts.append(self.say("courses.missing", topics=", ".join(missing)))
            elif len(topics) > 1:
                parts.append(self.say("courses.all_topics", count=len(topics)))
            else:
                parts.append(self.say("courses.topic"))
        if spec.min_credits is not None:
            shares.append(credits / spec.min_credits)
            parts.append(self.say("courses.credits", credits=credits, minimum=spec.min_credits))
        if spec.min_count is not None:
            shares.append(len(counted) / spec.min_count)
            key = "courses.count.one" if spec.min_count == 1 else "courses.count"
            parts.append(self.say(key, count=len(counted), minimum=spec.min_count))
        if unverified:
            parts.append(self.say("courses.unverified", count=unverified))
        progress = min(1.0, *shares) if shares else 0.0
        leaf = _Leaf(met_on, progress, evidence, excluded, "; ".join(parts))
        return self.cycle_leaf(spec.window, bounds, leaf)

    def lapse_of(
        self, passed: date, valid_years: int | None, renewed_by: str | None
    ) -> tuple[date | None, list[str]]:
        """The day a pass lapses (None: never, or not while a registration is still open) and
        the registrations that pushed it back.

        The pass lapses `valid_years` after the later of its date and the end of every
        registration of kind `renewed_by` open on a day the pass was still valid, counting the
        extensions earlier registrations gave.
        """
        if valid_years is None:
            return None, []
        lapse = add_years(passed, valid_years)
        if renewed_by is None:
            return lapse, []
        kind = renewed_by.casefold()
        open_ones = [
            r
            for r in self.records.registrations
            if r.kind.casefold() == kind and (r.start <= self.seen_until or r.planned)
        ]
        used: list[str] = []
        grew = True
        while grew:
            grew = False
            for registration in open_ones:
                if registration.id in used:
                    continue
                # An end after the evaluation date has not happened yet: still registered.
                end = registration.end
                if end is not None and end > self.seen_until and not registration.planned:
                    end = None
                if registration.start >= lapse or (end is not None and end < passed):
                    continue
                used.append(registration.id)
                if end is None:
                    return None, used
                later = add_years(end, valid_years)
                if later > lapse:
                    lapse, grew = later, True
        return lapse, used

    def _dated_passes(
        self,
        items: Sequence[_Dated],
        valid_years: int | None,
        renewed_by: str | None,
        cutoff: date | None,
        verified: bool,
    ) -> _Passes:
        """Sort exam-like records into counted and excluded, keeping the dates for the detail."""
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        valid: list[tuple[date, date | None]] = []
        lapsed: list[tuple[date, date]] = []
        failed: list[date] = []
        unverified: list[date] = []
        extending: list[str] = []
        for record_id, when, matches, passed, checked, planned in items:
            if when > self.seen_until and not planned:
                reason = "future"
            elif not matches:
                reason = "not_matching"
            elif not passed:
                reason = "not_passed"
                failed.append(when)
            elif cutoff is not None and when > cutoff:
                reason = "after_cutoff"
            else:
                lapse, extended_by = self.lapse_of(when, valid_years, renewed_by)
                if lapse is not None and self.as_of >= lapse:
                    reason = "lapsed"
                    lapsed.append((when, lapse))
                elif verified and not checked:
                    reason = "unverified"
                    unverified.append(when)
                else:
                    evidence.append(record_id)
                    valid.append((when, lapse))
                    extending += [r for r in extended_by if r not in extending]
                    continue
            excluded.append(_excluded(record_id, reason))
        evidence += [r for r in extending if r not in evidence]
        return _Passes(evidence, excluded, valid, lapsed, failed, unverified)

    def _lapsing(
        self,
        items: Sequence[_Dated],
        valid_years: int | None,
        cutoff: date | None,
        verified: bool,
        kind: str,
        code: str,
        renewed_by: str | None = None,
    ) -> _Leaf:
        """An exam or attestation leaf; `kind` picks its sentences, `code` is its code or kind."""
        found = self._dated_passes(items, valid_years, renewed_by, cutoff, verified)
        evidence, excluded, valid, lapsed, failed, unverified = found

        def done(day: date) -> str:
            return self.say(f"{kind}.done", code=code, date=day.isoformat())

        if unverified and not valid and (not lapsed or max(unverified) > max(lapsed)[0]):
            detail = done(max(unverified)) + self.say(f"{kind}.not_verified")
            return _Leaf(None, 0.0, evidence, excluded, detail)
        if valid:
            first = min(when for when, _ in valid)
            detail = done(first)
            extra: dict[str, Any] = {}
            if valid_years is not None:
                lapses = [lapse for _, lapse in valid]
                if None in lapses:
                    detail += self.say("exam.registered", kind=renewed_by or "")
                else:
                    latest = max(lapse for lapse in lapses if lapse is not None)
                    detail += self.say(f"{kind}.lapses", date=latest.isoformat())
                    # The first day the pass no longer counts: reminders and calendars use it.
                    extra["lapses_on"] = latest.isoformat()
            return _Leaf(first, 1.0, evidence, excluded, detail, extra=extra)
        if lapsed:
            last, lapsed_on = max(lapsed)
            detail = done(last) + self.say(f"{kind}.lapsed", date=lapsed_on.isoformat())
            return _Leaf(None, 0.0, evidence, excluded, detail, lapsed_on=last)
        if failed and kind == "exam":
            detail = self.say("exam.failed", code=code, date=max(failed).isoformat())
            return _Leaf(None, 0.0, evidence, excluded, detail)
        return _Leaf(None, 0.0, evidence, excluded, self.say(f"{kind}.none", code=code))

    def _exam(self, spec: ExamSpec, cutoff: date | None) -> _Leaf:
        code = spec.code.casefold()
        items = [
            _Dated(e.id, e.taken_on, e.code.casefold() == code, e.passed, e.verified, e.planned)
            for e in self.records.exams
        ]
        return self._lapsing(
            items,
            spec.valid_years,
            cutoff,
            spec.verified,
            "exam",
            spec.code,
            spec.renewed_by,
        )

    def _attestation(self, spec: AttestationSpec, cutoff: date | None) -> _Leaf:
        kind = spec.kind.casefold()
        items = [
            _Dated(a.id, a.signed_on, a.kind.casefold() == kind, True, a.verified, a.planned)
            for a in self.records.attestations
        ]
        return self._lapsing(
            items,
            spec.valid_years,
            cutoff,
            spec.verified,
            "attestation",
            spec.kind,
        )

    def _credential(self, spec: CredentialSpec, cutoff: date | None, title: str) -> _Leaf:
        wanted = spec.id.casefold()
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        held: list[date] = []
        expired: list[date] = []
        unverified: list[date] = []
        # The day the credential must be current: when node `current_at` was met (else, and
        # without current_at, the evaluation date).
        needed = self.reference_date(spec.current_at) if spec.current_at else None
        on = needed or self.as_of
        for record in self.records.credentials:
            if record.awarded_on > self.seen_until and not record.planned:
                reason = "future"
            elif record.id.casefold() != wanted:
                reason = "not_matching"
            elif cutoff is not None and record.awarded_on > cutoff:
                reason = "after_cutoff"
            elif needed is not None and record.awarded_on > needed:
                reason = "after_cutoff"
            elif record.expires_on is not None and record.expires_on <= on:
                reason = "lapsed"
                expired.append(record.awarded_on)
            elif spec.verified and not record.verified:
                reason = "unverified"
                unverified.append(record.awarded_on)
            else:
                if record.id not in evidence:
                    evidence.append(record.id)
                held.append(record.awarded_on)
                continue
            excluded.append(_excluded(record.id, reason))
        # Only a verified held-credential record satisfies `verified: true`: an evaluation of
        # the other credential rests on the candidate's own records.
        sub = None if spec.verified else self._sub_credential(spec.id, on)
        sub_met = sub.met_on if sub is not None and sub.status == MET else None
        if sub_met is not None and cutoff is not None and sub_met > cutoff:
            sub_met = None
        loaded = self.ctx.catalog.find(spec.id, on) if spec.verified else None
        if sub is not None:
            name = sub.node.title_in(self.lang)
        else:
            name = loaded.name_in(self.lang) if loaded is not None else (title or spec.id)
        dates = [*held, *([sub_met] if sub_met else [])]
        if dates:
            first = min(dates)
            key = "credential.holds" if held and min(held) == first else "credential.met"
            detail = self.say(key, name=name, date=first.isoformat())
            if needed is not None:
                detail += self.say("credential.current_at", date=needed.isoformat())
            return _Leaf(first, 1.0, evidence, excluded, detail)
        if unverified and (not expired or max(unverified) > max(expired)):
            since = min(unverified).isoformat()
            detail = self.say("credential.not_verified", name=name, date=since)
            return _Leaf(None, 0.0, evidence, excluded, detail)
        if expired:
            detail = self.say("credential.expired", name=name)
            return _Leaf(None, 0.0, evidence, excluded, detail, lapsed_on=max(expired))
        if sub is not None and sub.status in (IN_PROGRESS, MET, EXPIRED):
            percent = round(sub.progress * 100)
            detail = self.say("credential.progress", name=name, detail=sub.detail, percent=percent)
            return _Leaf(None, 0.0, evidence, excluded, detail, has_evidence=True)
        return _Leaf(None, 0.0, evidence, excluded, self.say("credential.none", name=name))

    def _sub_credential(self, credential_id: str, on: date) -> Outcome | None:
        """Another loaded credential evaluated as of `on` (None when not loaded or circular)."""
        ctx = self.ctx
        definition = ctx.catalog.find(credential_id, on)
        if definition is None or definition.id in ctx.active:
            return None
        key = (definition.id, definition.version, on)
        known = ctx.credentials.get(key)
        if known is not None:
            outcome, applied = known
            ctx.waiver_applied = ctx.waiver_applied or applied
            return outcome
        pathway = self.records.pathway
        if pathway not in definition.pathways:
            pathway = next(iter(definition.pathways), None)
        ctx.active.add(definition.id)
        before, ctx.waiver_applied = ctx.waiver_applied, False
        root = _Evaluator(definition, pathway, ctx, on).root()
        applied = ctx.waiver_applied
        ctx.waiver_applied = before or applied
        ctx.active.discard(definition.id)
        ctx.credentials[key] = (root, applied)
        return root

    def _hours(self, node: Node, spec: HoursSpec, cutoff: date | None) -> _Leaf:
        as_of_ord = self.as_of.toordinal()
        seen_ord = self.seen_until.toordinal()
        bounds = self.window_bounds(spec.window)
        lo = bounds.lo.toordinal() if bounds.lo is not None else 1
        window_hi = bounds.hi.toordinal() if bounds.hi is not None else None
        cutoff_ord = cutoff.toordinal() if cutoff is not None else None
        # Planned entries count as if real, after the evaluation date too: up to `far`.
        far = date.max.toordinal()
        if window_hi is not None and window_hi < far:
            far = window_hi
        if cutoff_ord is not None and cutoff_ord < far:
            far = cutoff_ord
        hi = min(seen_ord, far)
        planned_counted = False
        sources = spec.sources
        categories = {c.casefold() for c in spec.categories} if spec.categories else None
        supervised = spec.supervised
        statuses = spec.statuses
        evidence: list[str] = []
        excluded: list[dict[str, str]] = []
        counting: list[tuple[int, int, float]] = []
        pending = 0.0
        pending_years: dict[int, float] = {}
        for entry in self.records.experience:
            if entry.start_ord > seen_ord and not entry.planned:
                reason = "future"
            elif (
                (sources is not None and entry.source not in sources)
                or (categories is not None and entry.category.casefold() not in categories)
                or (supervised and not entry.supervised)
            ):
                reason = "not_matching"
            elif entry.status not in statuses:
                if entry.status == "pending":
                    top = far if entry.planned else hi
                    pending += overlap_hours(entry.start_ord, entry.end_ord, entry.rate, lo, top)
                    add_by_year(pending_years, entry.start_ord, entry.end_ord, entry.rate, lo, top)
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
                end = entry.end_ord
                if entry.planned:
                    planned_counted = True
                elif end > seen_ord:
                    end = seen_ord
                counting.append((entry.start_ord, end, entry.rate))
                continue
            excluded.append({"id": entry.id, "reason": reason})  # _excluded, inlined (speed)
        recent_from = as_of_ord - 26 * 7 + 1
        count = count_hours(
            counting,
            lo,
            far if planned_counted else hi,
            spec.min,
            spec.max_per_week,
            spec.max_per_year,
            recent_from,
            as_of_ord if planned_counted else None,
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
            # Met after the evaluation date only thanks to planned hours, not by waiting.
            if met_on > self.as_of and count.reached_ord <= as_of_ord:
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

        parts = [self.say("hours.counted", counted=count.counted, minimum=spec.min)]
        if count.capped > 0.005:
            weekly, yearly = spec.max_per_week, spec.max_per_year
            key = "both" if weekly is not None and yearly is not None else "weekly"
            if weekly is None:
                key = "yearly"
            capped = count.capped
            parts.append(
                self.say(f"hours.capped.{key}", capped=capped, weekly=weekly, yearly=yearly)
            )
        if pending > 0.005:
            parts.append(self.say("hours.pending", pending=pending))
        if (
            spec.min_months is not None
            and met_on is None
            and count.reached_ord is not None
            and months_from is not None
        ):
            parts.append(
                self.say("hours.min_months", months=spec.min_months, date=months_from.isoformat())
            )
        extra = {
            "counted_hours": round(count.counted, 2),
            "pending_hours": round(pending, 2),
            "capped_hours": round(count.capped, 2),
            "required_hours": round(spec.min, 2),
            "projected_on": _iso(projected),
            "by_year": _by_year(count.years, pending_years),
        }
        leaf = _Leaf(met_on, progress, evidence, excluded, "; ".join(parts), extra=extra)
        return self.cycle_leaf(spec.window, bounds, leaf)


def _by_year(
    counted: Mapping[int, tuple[float, float]], pending: Mapping[int, float]
) -> list[dict[str, Any]]:
    """One row per calendar year whose counted, capped or pending hours are not zero."""
    rows = []
    for year in sorted({*counted, *pending}):
        hours, capped = counted.get(year, (0.0, 0.0))
        row = {
            "year": year,
            "counted": round(hours, 2),
            "capped": round(capped, 2),
            "pending": round(pending.get(year, 0.0), 2),
        }
        if row["counted"] or row["capped"] or row["pending"]:
            rows.append(row)
    return rows


def _cycle_json(cycle: tuple[date, date] | None) -> dict[str, str] | None:
    return {"start": cycle[0].isoformat(), "end": cycle[1].isoformat()} if cycle else None


def _empty_extra(node: Node) -> dict[str, Any]:
    """The fields a not-applicable leaf carries: zero hours, no cycle."""
    spec = node.spec
    extra: dict[str, Any] = {}
    if isinstance(spec, HoursSpec):
        extra = {
            "counted_hours": 0.0,
            "pending_hours": 0.0,
            "capped_hours": 0.0,
            "required_hours": round(spec.min, 2),
            "projected_on": None,
            "by_year": [],
        }
    if isinstance(spec, HoursSpec | CoursesSpec) and spec.window and spec.window.is_cycle:
        extra["cycle"] = None
    return extra


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


def resolve_language(definition: Definition, lang: str | None) -> str:
    """The language of the result: the tag asked for where the engine or the definition has
    text in it (or in its primary language, `pl` for `pl-PL`), else English."""
    if lang is None:
        return DEFAULT_LANGUAGE
    tag = language_tag(lang)
    if tag is None:
        raise ValueError(f"{lang!r} is not a language tag (e.g. en, pl, en-GB)")
    return best_match(tag, (*LANGUAGES, *definition.languages())) or DEFAULT_LANGUAGE


@dataclass
class _Prepared:
    """One definition and one candidate's records, read once for every pathway asked."""

    definition: Definition
    as_of: date
    language: str
    parsed: Records
    known: _Catalog
    planned: bool
    shared: dict[bool, dict[tuple[str, str, date], tuple[Outcome, bool]]] = field(
        default_factory=lambda: {True: {}, False: {}}
    )
    """The other credentials' outcomes for the parsed records, with and without waivers."""


def _prepare(
    definition: Definition,
    records: Mapping[str, Any],
    as_of: date,
    catalog: Mapping[str, Definition] | Library | None,
    lang: str | None,
    planned: bool,
) -> _Prepared:
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise TypeError("as_of must be a datetime.date")
    language = resolve_language(definition, lang)
    parsed = parse_records(records, planned=planned)
    known = _Catalog(catalog, parsed.versions)
    known.check_pins(definition)
    return _Prepared(definition, as_of, language, parsed, known, planned)


def evaluate(
    definition: Definition,
    records: Mapping[str, Any],
    as_of: date,
    pathway: str | None = None,
    catalog: Mapping[str, Definition] | Library | None = None,
    *,
    lang: str | None = None,
    planned: bool = False,
) -> dict[str, Any]:
    """Evaluate `definition` for a candidate's records as of a day; returns the result JSON.

    `catalog` holds the definitions `credential:` nodes may evaluate: {id: Definition}, or a
    Library (then the records' `versions` pins, else the version current on `as_of`).
    `lang` (a language tag such as "pl") gives names, titles, descriptions, pathway names and
    details in that language where there is text in it, else in English. `planned` counts
    the records marked planned as if real (a what-if); otherwise they are left out.
    """
    prepared = _prepare(definition, records, as_of, catalog, lang, planned)
    return _evaluate_prepared(prepared, pathway)


def evaluate_pathways(
    definition: Definition,
    records: Mapping[str, Any],
    as_of: date,
    pathways: Sequence[str | None],
    catalog: Mapping[str, Definition] | Library | None = None,
    *,
    lang: str | None = None,
    planned: bool = False,
) -> dict[str | None, dict[str, Any]]:
    """evaluate() for several pathways of one definition: {pathway asked: its result}, each
    the same as evaluate(..., pathway=p) would give. The records are read once, and the
    other credentials they hold (`credential:` nodes) are evaluated once for all."""
    prepared = _prepare(definition, records, as_of, catalog, lang, planned)
    return {p: _evaluate_prepared(prepared, p) for p in pathways}


def _evaluate_prepared(prepared: _Prepared, pathway: str | None) -> dict[str, Any]:
    definition, as_of, language = prepared.definition, prepared.as_of, prepared.language
    parsed, known, planned = prepared.parsed, prepared.known, prepared.planned
    chosen = resolve_pathway(definition, parsed, pathway)

    def run(given: Records, *, waivers: bool = True) -> tuple[Outcome, _Context]:
        # Only the outcomes for the parsed records themselves are shared between pathways.
        memo = prepared.shared[waivers] if given is parsed else None
        ctx = _Context(given, as_of, known, lang=language, waivers=waivers, credentials=memo)
        ctx.active.add(definition.id)
        return _Evaluator(definition, chosen, ctx).root(), ctx

    def met_only_with(root: Outcome, without: Outcome) -> frozenset[str]:
        """The nodes met in `root` and not in the evaluation `without` something."""
        unmet = {out.node.id for out in without.walk() if out.status != MET}
        return frozenset(out.node.id for out in root.walk() if out.status == MET) & unmet

    root, ctx = run(parsed)
    waived: frozenset[str] = frozenset()
    if ctx.waiver_applied:
        waived = met_only_with(root, run(parsed, waivers=False)[0])
    met_by_plans: frozenset[str] = frozenset()
    real_met: dict[str, date | None] = {}
    if planned and parsed.has_planned:
        real = run(parsed.without_planned())[0]
        met_by_plans = met_only_with(root, real)
        met_with = {out.node.id for out in root.walk() if out.status == MET}
        real_met = {
            out.node.id: out.met_on
            for out in real.walk()
            if out.status == MET and out.node.id in met_with
        }
    view = _View(lang=language, waived=waived, planned=met_by_plans, real_met=real_met)
    result: dict[str, Any] = {
        "credential": definition.id,
        "name": definition.name_in(language),
        "version": definition.version,
        "pathway": chosen,
        "as_of": as_of.isoformat(),
        "status": root.status,
        "progress": round(root.progress, 4),
        "met_on": _iso(real_met.get(root.node.id, root.met_on)),
        "waived": root.node.id in waived,
        "planned": root.node.id in met_by_plans,
        "with_planned": planned,
        "lang": language,
        "pathway_name": definition.pathway_name(chosen, language) if chosen else None,
    }
    if definition.descriptions is not None:
        result["description"] = definition.description_in(language)
    result["requirements"] = [child.to_json(view) for child in root.children]
    return result
