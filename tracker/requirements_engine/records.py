"""Candidate records: validated once, then held as small typed objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .dates import parse_date
from .errors import RecordProblem, RecordsError
from .model import ENTRY_STATUSES, ID_RE, LEVELS

LISTS = (
    "degrees",
    "courses",
    "exams",
    "experience",
    "attestations",
    "credentials",
    "waivers",
    "registrations",
)


@dataclass(frozen=True, slots=True)
class DegreeRecord:
    id: str
    level: str
    rank: int
    field: str
    institution: str
    accredited: bool
    conferred_on: date | None
    verified: bool = False
    planned: bool = False


@dataclass(frozen=True, slots=True)
class CourseRecord:
    id: str
    title: str
    provider: str
    topics: tuple[str, ...]
    credits: float
    completed_on: date | None
    passed: bool
    verified: bool = False
    planned: bool = False


@dataclass(frozen=True, slots=True)
class ExamRecord:
    id: str
    code: str
    taken_on: date
    passed: bool
    verified: bool = False
    planned: bool = False


@dataclass(slots=True)
class EntryRecord:
    """An experience entry; its hours are spread evenly over its days (`rate` per day)."""

    id: str
    start: date
    end: date
    start_ord: int
    end_ord: int
    hours: float
    rate: float
    category: str
    source: str
    supervised: bool
    status: str
    planned: bool = False


@dataclass(frozen=True, slots=True)
class AttestationRecord:
    id: str
    kind: str
    signed_on: date
    verified: bool = False
    planned: bool = False


@dataclass(frozen=True, slots=True)
class HeldCredential:
    id: str
    awarded_on: date
    expires_on: date | None
    verified: bool = False
    planned: bool = False


@dataclass(frozen=True, slots=True)
class WaiverRecord:
    id: str
    requirement: str
    reason: str
    approved_by: str
    approved_on: date
    expires_on: date | None = None
    planned: bool = False


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    """Employment under a registration (FINRA: Form U4 to Form U5); `end` None: still open."""

    id: str
    kind: str
    start: date
    end: date | None
    planned: bool = False


@dataclass(frozen=True, slots=True)
class Records:
    pathway: str | None
    degrees: tuple[DegreeRecord, ...]
    courses: tuple[CourseRecord, ...]
    exams: tuple[ExamRecord, ...]
    experience: tuple[EntryRecord, ...]
    attestations: tuple[AttestationRecord, ...]
    credentials: tuple[HeldCredential, ...]
    waivers: tuple[WaiverRecord, ...]
    versions: Mapping[str, str] = field(default_factory=dict)
    """Credential id -> the rules version its `credential:` references evaluate."""
    registrations: tuple[RegistrationRecord, ...] = ()

    def _lists(self) -> tuple[tuple[Any, ...], ...]:
        return (
            self.degrees,
            self.courses,
            self.exams,
            self.experience,
            self.attestations,
            self.credentials,
            self.waivers,
            self.registrations,
        )

    @property
    def has_planned(self) -> bool:
        return any(item.planned for items in self._lists() for item in items)

    def without_planned(self) -> Records:
        """The same records without the planned ones (what the candidate has really done)."""
        kept = [tuple(item for item in items if not item.planned) for items in self._lists()]
        degrees, courses, exams, experience, attestations, credentials, waivers, regs = kept
        return Records(
            self.pathway,
            degrees,
            courses,
            exams,
            experience,
            attestations,
            credentials,
            waivers,
            self.versions,
            regs,
        )


class _Bad(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason


def _text(item: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        if required:
            raise _Bad(key, "is required")
        return ""
    if not isinstance(value, str):
        raise _Bad(key, f"must be text, not {value!r}")
    if required and not value.strip():
        raise _Bad(key, "must not be empty")
    return value


def _date(item: Mapping[str, Any], key: str, *, required: bool = True) -> date | None:
    value = item.get(key)
    if value is None:
        if required:
            raise _Bad(key, "is required")
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise _Bad(key, f"{value!r} is not a date (YYYY-MM-DD)")
    return parsed


def _required_date(item: Mapping[str, Any], key: str) -> date:
    parsed = _date(item, key)
    assert parsed is not None
    return parsed


def _flag(item: Mapping[str, Any], key: str) -> bool:
    value = item.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Bad(key, f"must be true or false, not {value!r}")
    return value


def _number(item: Mapping[str, Any], key: str, *, required: bool = False) -> float:
    value = item.get(key)
    if value is None:
        if required:
            raise _Bad(key, "is required")
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise _Bad(key, f"must be a number, not {value!r}")
    if value < 0:
        raise _Bad(key, f"must not be negative (got {value:g})")
    if value == float("inf"):
        raise _Bad(key, "must be finite")
    return float(value)


def _degree(item: Mapping[str, Any], rid: str) -> DegreeRecord:
    level = _text(item, "level", required=True).strip().lower()
    if level not in LEVELS:
        raise _Bad("level", f"{item['level']!r} is not one of {', '.join(LEVELS)}")
    return DegreeRecord(
        rid,
        level,
        LEVELS.index(level),
        _text(item, "field"),
        _text(item, "institution"),
        _flag(item, "accredited"),
        _date(item, "conferred_on", required=False),
        _flag(item, "verified"),
        _flag(item, "planned"),
    )


def _course(item: Mapping[str, Any], rid: str) -> CourseRecord:
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise _Bad("topics", "must be a list of text")
    return CourseRecord(
        rid,
        _text(item, "title"),
        _text(item, "provider"),
        tuple(topics),
        _number(item, "credits"),
        _date(item, "completed_on", required=False),
        _flag(item, "passed"),
        _flag(item, "verified"),
        _flag(item, "planned"),
    )


def _exam(item: Mapping[str, Any], rid: str) -> ExamRecord:
    return ExamRecord(
        rid,
        _text(item, "code", required=True),
        _required_date(item, "taken_on"),
        _flag(item, "passed"),
        _flag(item, "verified"),
        _flag(item, "planned"),
    )


_STATUSES = frozenset(ENTRY_STATUSES)
_fromisoformat = date.fromisoformat


# The days of entries already read, by their (start, end) text: weekly entries of a cohort
# share their Mondays and Fridays, so most entries parse no date at all. Bounded; a pure
# cache of a pure function (same text, same days), safe to share between threads.
_Span = tuple[date, date, int, int, int]
_SPANS: dict[tuple[str, str], _Span] = {}
_SPANS_KEPT = 1 << 16


def _span(first: str, last: str) -> _Span | None:
    """(start, end, their ordinals, days) of well-formed ISO days; None for anything else."""
    if not (
        len(first) == 10 and len(last) == 10 and first[4] == first[7] == last[4] == last[7] == "-"
    ):
        return None
    try:
        start = _fromisoformat(first)
        end = _fromisoformat(last)
    except ValueError:
        return None
    start_ord, end_ord = start.toordinal(), end.toordinal()
    span = (start, end, start_ord, end_ord, end_ord - start_ord + 1)
    if len(_SPANS) >= _SPANS_KEPT:
        _SPANS.clear()
    _SPANS[(first, last)] = span
    return span


def entry_record(
    rid: str,
    start: object,
    end: object,
    hours: object,
    category: object,
    source: object,
    supervised: object,
    status: object,
    planned: object = False,
) -> EntryRecord | None:
    """The typed record parse_records makes of a well-formed experience entry, given field by
    field (days as ISO text); None when any field is not in that common form: pass the JSON
    object instead, and parse_records checks it and names the problem.

    A caller holding plain rows (the app's database) builds its entries with this and hands
    them to parse_records or evaluate in place of the JSON objects, which skips a dict per
    entry and its parsing."""
    if (
        type(start) is str
        and type(end) is str
        and (type(hours) is float or type(hours) is int)
        and type(status) is str
        and status in _STATUSES
        and type(category) is str
        and type(source) is str
        and type(supervised) is bool
        and type(planned) is bool
    ):
        span = _SPANS.get((start, end)) or _span(start, end)
        if span is not None:
            first, last, start_ord, end_ord, days = span
            if days > 0 and 0 <= hours <= 24 * days:
                return EntryRecord(
                    rid, first, last, start_ord, end_ord, float(hours), hours / days,
                    category, source, supervised, status, planned,
                )  # fmt: skip
    return None


def _entry(item: Mapping[str, Any], rid: str) -> EntryRecord:
    get = item.get
    record = entry_record(
        rid,
        get("start"),
        get("end"),
        get("hours"),
        get("category", ""),
        get("source", ""),
        get("supervised", False),
        get("status"),
        get("planned", False),
    )
    return record if record is not None else _entry_checked(item, rid)


def _entry_checked(item: Mapping[str, Any], rid: str) -> EntryRecord:
    start = _required_date(item, "start")
    end = _required_date(item, "end")
    if end < start:
        raise _Bad("end", f"{end.isoformat()} is before start {start.isoformat()}")
    hours = _number(item, "hours", required=True)
    days = end.toordinal() - start.toordinal() + 1
    if hours > 24 * days + 1e-9:
        raise _Bad(
            "hours",
            f"{hours:g} hours over {days} day(s) is more than 24 hours a day",
        )
    status = item.get("status")
    if status is None:
        raise _Bad("status", f"is required (one of {', '.join(ENTRY_STATUSES)})")
    if status not in ENTRY_STATUSES:
        raise _Bad("status", f"unknown status {status!r} (one of {', '.join(ENTRY_STATUSES)})")
    return EntryRecord(
        rid,
        start,
        end,
        start.toordinal(),
        end.toordinal(),
        hours,
        hours / days,
        _text(item, "category"),
        _text(item, "source"),
        _flag(item, "supervised"),
        status,
        _flag(item, "planned"),
    )


def _attestation(item: Mapping[str, Any], rid: str) -> AttestationRecord:
    return AttestationRecord(
        rid,
        _text(item, "kind", required=True),
        _required_date(item, "signed_on"),
        _flag(item, "verified"),
        _flag(item, "planned"),
    )


def _held(item: Mapping[str, Any], rid: str) -> HeldCredential:
    awarded = _required_date(item, "awarded_on")
    expires = _date(item, "expires_on", required=False)
    return HeldCredential(rid, awarded, expires, _flag(item, "verified"), _flag(item, "planned"))


def _waiver(item: Mapping[str, Any], rid: str) -> WaiverRecord:
    approved = _required_date(item, "approved_on")
    expires = _date(item, "expires_on", required=False)
    if expires is not None and expires <= approved:
        raise _Bad(
            "expires_on",
            f"{expires.isoformat()} is not after approved_on {approved.isoformat()}",
        )
    return WaiverRecord(
        rid,
        _text(item, "requirement", required=True),
        _text(item, "reason"),
        _text(item, "approved_by"),
        approved,
        expires,
        _flag(item, "planned"),
    )


def _registration(item: Mapping[str, Any], rid: str) -> RegistrationRecord:
    start = _required_date(item, "start")
    end = _date(item, "end", required=False)
    if end is not None and end < start:
        raise _Bad("end", f"{end.isoformat()} is before start {start.isoformat()}")
    return RegistrationRecord(
        rid, _text(item, "kind", required=True), start, end, _flag(item, "planned")
    )


_PARSERS: dict[str, Any] = {
    "degrees": _degree,
    "courses": _course,
    "exams": _exam,
    "experience": _entry,
    "attestations": _attestation,
    "credentials": _held,
    "waivers": _waiver,
    "registrations": _registration,
}


def _versions(value: object, problems: list[RecordProblem]) -> dict[str, str]:
    """`{"cfa": "2023"}`: which rules version each referenced credential is evaluated in."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(RecordProblem("versions", None, None, "must be an object"))
        return {}
    versions: dict[str, str] = {}
    for key, version in value.items():
        if not isinstance(key, str) or not ID_RE.fullmatch(key):
            problems.append(RecordProblem("versions", str(key), None, "is not a credential id"))
        elif isinstance(version, int) and not isinstance(version, bool):
            versions[key] = str(version)
        elif not isinstance(version, str) or not version.strip():
            problems.append(
                RecordProblem("versions", key, None, f"the version must be text, not {version!r}")
            )
        else:
            versions[key] = version
    return versions


def parse_records(records: Mapping[str, Any], *, planned: bool = False) -> Records:
    """Validate candidate records; raise RecordsError naming every bad record and field.

    Each item is a JSON object; an experience item may also be the EntryRecord that
    entry_record made of one.

    Records marked `"planned": true` are validated like the others and then left out,
    unless `planned` asks to keep them (a what-if evaluation).
    """
    if not isinstance(records, Mapping):
        raise RecordsError([RecordProblem("records", None, None, "must be a JSON object")])
    problems: list[RecordProblem] = []
    pathway = records.get("pathway")
    if pathway is not None and not isinstance(pathway, str):
        problems.append(RecordProblem("records", None, "pathway", "must be text or null"))
        pathway = None
    versions = _versions(records.get("versions"), problems)
    parsed: dict[str, list[Any]] = {}
    for kind in LISTS:
        items = records.get(kind)
        out: list[Any] = []
        parsed[kind] = out
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(RecordProblem(kind, None, None, "must be a list"))
            continue
        parser = _PARSERS[kind]
        typed = kind == "experience"  # its items may come already typed (entry_record)
        seen: set[str] = set()
        for i, item in enumerate(items):
            if typed and type(item) is EntryRecord:
                # Checked when it was made.
                if item.id in seen:
                    problems.append(RecordProblem(kind, item.id, "id", "duplicate record id"))
                    continue
                seen.add(item.id)
                if planned or not item.planned:
                    out.append(item)
                continue
            if type(item) is not dict and not isinstance(item, Mapping):
                problems.append(RecordProblem(kind, f"#{i + 1}", None, "must be an object"))
                continue
            rid = item.get("id")
            if type(rid) is not str or not rid:
                if type(rid) is not int:
                    problems.append(RecordProblem(kind, f"#{i + 1}", "id", "is required"))
                    continue
                rid = str(rid)
            if rid in seen and kind != "credentials":
                problems.append(RecordProblem(kind, rid, "id", "duplicate record id"))
                continue
            seen.add(rid)
            try:
                record = parser(item, rid)
            except _Bad as bad:
                problems.append(RecordProblem(kind, rid, bad.field, bad.reason))
            else:
                if planned or not record.planned:
                    out.append(record)
    if problems:
        raise RecordsError(problems)
    return Records(
        pathway,
        tuple(parsed["degrees"]),
        tuple(parsed["courses"]),
        tuple(parsed["exams"]),
        tuple(parsed["experience"]),
        tuple(parsed["attestations"]),
        tuple(parsed["credentials"]),
        tuple(parsed["waivers"]),
        versions,
        tuple(parsed["registrations"]),
    )


def validate_records(records: Mapping[str, Any]) -> None:
    """Raise RecordsError if any candidate record is bad; return None when all are good."""
    parse_records(records)
