"""The adapter from a candidate's rows to the engine's records JSON.

Loading is bulk: one query per record table whatever the number of candidates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Integer,
    String,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.records.models import (
    Attestation,
    Course,
    Degree,
    EntryStatus,
    ExamResult,
    HeldCredential,
    HoursEntry,
    Registration,
    Waiver,
)
from tracker.requirements_engine import entry_record

RECORD_KEYS = (
    "degrees",
    "courses",
    "exams",
    "experience",
    "attestations",
    "credentials",
    "registrations",
    "waivers",
)


def _iso(value: Any) -> str | None:
    """ISO text of a date; bulk loading reads SQLite's stored ISO text as it is."""
    if value is None or type(value) is str:
        return value
    return str(value.isoformat())


def _verified(record: dict[str, Any], verified_by: Any) -> dict[str, Any]:
    """`verified` is written only when true (absent means false), so that the records of
    statements issued before verification existed keep their fingerprints."""
    if verified_by is not None:
        record["verified"] = True
    return record


# Single ORM rows as records: the same converters the bulk loader uses on plain tuples.
def degree_record(d: Degree) -> dict[str, Any]:
    return _degree_row(d.id, d.level, d.field, d.institution, d.accredited, d.conferred_on,
                       d.verified_by_id)  # fmt: skip


def course_record(c: Course) -> dict[str, Any]:
    return _course_row(c.id, c.title, c.provider, c.topics, c.credits, c.completed_on, c.passed,
                       c.verified_by_id)  # fmt: skip


def exam_record(e: ExamResult) -> dict[str, Any]:
    return _dated_row(0, e.id, e.code, e.taken_on, e.passed, None, e.verified_by_id)[1]


def hours_record(x: HoursEntry) -> dict[str, Any]:
    """Employment hours and internships alike; signed-off internships count as approved
    experience with source internship."""
    return _hours_row(x.id, x.source, x.start, x.end, x.hours, x.category, x.supervised,
                      x.status)  # fmt: skip


def attestation_record(a: Attestation) -> dict[str, Any]:
    return _dated_row(1, a.id, a.kind, a.signed_on, None, None, a.verified_by_id)[1]


def held_record(h: HeldCredential) -> dict[str, Any]:
    return _dated_row(2, h.id, h.credential_id, h.awarded_on, None, h.expires_on,
                      h.verified_by_id)[1]  # fmt: skip


def registration_record(r: Registration) -> dict[str, Any]:
    return _registration_row(r.id, r.kind, r.start, r.end)


def _registration_row(rid: int, kind: Any, start: Any, end: Any) -> dict[str, Any]:
    return {"id": f"r{rid}", "kind": kind, "start": _iso(start), "end": _iso(end)}


def waiver_record(w: Waiver, approver_email: str) -> dict[str, Any]:
    record = {
        "id": f"w{w.id}",
        "requirement": w.requirement,
        "reason": w.reason,
        "approved_by": approver_email,
        "approved_on": _iso(w.approved_on),
        "credential": w.credential,
    }
    if w.expires_on is not None:
        record["expires_on"] = _iso(w.expires_on)
    return record


def empty_records() -> dict[str, Any]:
    return {key: [] for key in RECORD_KEYS}


# Bulk loading reads plain tuples, not ORM objects or named rows (most of the cost of a
# cohort's records was building objects; see docs/performance.md). The builders below
# produce exactly the dicts of the *_record functions above (statements fingerprint them).
def _status(value: Any) -> str:
    return value if type(value) is str else EntryStatus(value).value


def _degree_row(
    rid: int, level: Any, fld: Any, inst: Any, accr: Any, on: Any, verified_by: Any
) -> dict[str, Any]:
    return _verified(
        {
            "id": f"d{rid}",
            "level": level,
            "field": fld,
            "institution": inst,
            "accredited": accr,
            "conferred_on": _iso(on),
        },
        verified_by,
    )


def _course_row(
    rid: int,
    title: Any,
    provider: Any,
    topics: Any,
    credits: Any,
    on: Any,
    passed: Any,
    verified_by: Any,
) -> dict[str, Any]:
    return _verified(
        {
            "id": f"c{rid}",
            "title": title,
            "provider": provider,
            "topics": list(topics or []),
            "credits": credits,
            "completed_on": _iso(on),
            "passed": passed,
        },
        verified_by,
    )


def _hours_id(source: Any, rid: int) -> str:
    return f"{'i' if source == 'internship' else 'x'}{rid}"


def _hours_row(
    rid: int, src: Any, start: Any, end: Any, hours: Any, cat: Any, sup: Any, st: Any
) -> dict[str, Any]:
    return {
        "id": _hours_id(src, rid),
        "start": start if type(start) is str else _iso(start),
        "end": end if type(end) is str else _iso(end),
        "hours": hours,
        "category": cat,
        "source": src,
        "supervised": sup,
        "status": st if type(st) is str else _status(st),
    }


def _dated_row(
    kind: int, rid: int, text: Any, on: Any, flag: Any, until: Any, verified_by: Any
) -> tuple[str, dict[str, Any]]:
    """An exam (kind 0), an attestation (1), a held credential (2) or a registration (3)."""
    if kind == 0:
        record = {"id": f"e{rid}", "code": text, "taken_on": _iso(on), "passed": flag}
        return "exams", _verified(record, verified_by)
    if kind == 1:
        record = {"id": f"a{rid}", "kind": text, "signed_on": _iso(on)}
        return "attestations", _verified(record, verified_by)
    if kind == 3:
        return "registrations", _registration_row(rid, text, on, until)
    record = {"id": text, "awarded_on": _iso(on), "expires_on": _iso(until)}
    return "credentials", _verified(record, verified_by)


_TABLES: tuple[tuple[str, Any, tuple[str, ...], Any], ...] = (
    ("degrees", Degree, ("level", "field", "institution", "accredited", "conferred_on",
                         "verified_by_id"), _degree_row),
    ("courses", Course, ("title", "provider", "topics", "credits", "completed_on", "passed",
                         "verified_by_id"), _course_row),
)  # fmt: skip


def _raw(column: Any) -> Any:
    """Dates and statuses as the driver returns them: SQLite's ISO text needs no parsing."""
    if isinstance(column.type, Date | Enum):
        return type_coerce(column, String).label(column.name)
    return column


def _load_hours(ids: list[int], out: dict[int, dict[str, Any]], typed: bool) -> None:
    """Experience entries and internships: one table, one query."""
    t = HoursEntry.__table__
    names = ("source", "start", "end", "hours", "category", "supervised", "status")
    rows = db.session.execute(
        select(t.c.candidate_id, t.c.id, *(_raw(t.c[name]) for name in names))
        # A withdrawn entry is kept for the audit trail but is no evidence of anything.
        .where(t.c.candidate_id.in_(ids), t.c.status != EntryStatus.WITHDRAWN)
        .order_by(t.c.source, t.c.id)  # employment first, as before the tables were merged
    ).all()
    lists = {cid: records["experience"] for cid, records in out.items()}
    if not typed:
        for cid, *values in rows:
            lists[cid].append(_hours_row(*values))
        return
    for cid, rid, src, start, end, hours, cat, sup, st in rows:
        start = start if type(start) is str else _iso(start)
        end = end if type(end) is str else _iso(end)
        status = st if type(st) is str else _status(st)
        typed_entry = entry_record(_hours_id(src, rid), start, end, hours, cat, src, sup, status)
        # An entry the engine's fast path does not take goes as JSON: its check names it.
        lists[cid].append(
            typed_entry
            if typed_entry is not None
            else _hours_row(rid, src, start, end, hours, cat, sup, status)
        )


def _load_dated(ids: list[int], out: dict[int, dict[str, Any]]) -> None:
    """Exams, attestations, held credentials and registrations (few rows each): one query
    for the four."""
    e, a, h = ExamResult.__table__, Attestation.__table__, HeldCredential.__table__
    r = Registration.__table__
    # Typed NULLs: PostgreSQL resolves a UNION column's type branch by branch.
    no_flag, no_date, nobody = cast(null(), Boolean), cast(null(), Date), cast(null(), Integer)
    parts = [
        select(literal(0).label("kind"), e.c.candidate_id, e.c.id, e.c.code.label("text"),
               _raw(e.c.taken_on).label("on"), e.c.passed.label("flag"),
               no_date.label("until"), e.c.verified_by_id.label("verified_by"))
        .where(e.c.candidate_id.in_(ids)),
        select(literal(1), a.c.candidate_id, a.c.id, a.c.kind, _raw(a.c.signed_on),
               no_flag, no_date, a.c.verified_by_id).where(a.c.candidate_id.in_(ids)),
        select(literal(2), h.c.candidate_id, h.c.id, h.c.credential_id, _raw(h.c.awarded_on),
               no_flag, h.c.expires_on, h.c.verified_by_id).where(h.c.candidate_id.in_(ids)),
        select(literal(3), r.c.candidate_id, r.c.id, r.c.kind, _raw(r.c.start),
               no_flag, r.c.end, nobody).where(r.c.candidate_id.in_(ids)),
    ]  # fmt: skip
    for _kind, cid, *values in db.session.execute(union_all(*parts).order_by("kind", "id")):
        key, record = _dated_row(_kind, *values)
        out[cid][key].append(record)


def load_records(candidate_ids: Iterable[int], *, typed: bool = False) -> dict[int, dict[str, Any]]:
    """Every record of each candidate, waivers of all credentials included (see for_credential).

    Revoked waivers are left out: they no longer apply to anything. `typed` gives the
    experience entries as the engine's typed records (requirements_engine.entry_record), for
    records that go straight to the engine: building them from the rows skips a dict per
    entry and its parsing. Statements and the API need the JSON (the default).
    """
    ids = sorted(set(candidate_ids))
    out: dict[int, dict[str, Any]] = {cid: empty_records() for cid in ids}
    if not ids:
        return out
    for key, model, names, convert in _TABLES:
        table = model.__table__
        columns = [table.c.candidate_id, table.c.id, *(_raw(table.c[name]) for name in names)]
        rows = db.session.execute(
            select(*columns).where(table.c.candidate_id.in_(ids)).order_by(table.c.id)
        ).all()
        lists = {cid: records[key] for cid, records in out.items()}
        for cid, *values in rows:
            lists[cid].append(convert(*values))
    _load_dated(ids, out)
    _load_hours(ids, out, typed)
    waiver_rows = db.session.execute(
        select(Waiver, User.email)
        .join(User, User.id == Waiver.approved_by_id)
        .where(Waiver.candidate_id.in_(ids), Waiver.revoked_on.is_(None))
        .order_by(Waiver.id)
    )
    for waiver, email in waiver_rows:
        out[waiver.candidate_id]["waivers"].append(waiver_record(waiver, email))
    return out


def for_credential(
    records: dict[str, Any], credential: str, pathway: str | None = None
) -> dict[str, Any]:
    """The engine's records JSON for one credential: only that credential's waivers."""
    result = {key: records[key] for key in RECORD_KEYS if key != "waivers"}
    result["waivers"] = [
        {k: v for k, v in w.items() if k != "credential"}
        for w in records["waivers"]
        if w["credential"] == credential
    ]
    if not result["registrations"]:
        # Written only when there are some, so that the records of statements issued
        # before registrations existed keep their fingerprints.
        del result["registrations"]
    if pathway:
        result["pathway"] = pathway
    return result


def fingerprint(records: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a records document."""
    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
