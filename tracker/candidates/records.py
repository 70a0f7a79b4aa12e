"""The adapter from a candidate's rows to the engine's records JSON.

Loading is bulk: one query per record table whatever the number of candidates.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.candidates.models import (
    Attestation,
    Course,
    Degree,
    EntryStatus,
    ExamResult,
    ExperienceEntry,
    HeldCredential,
    Waiver,
)
from tracker.extensions import db
from tracker.mentoring.models import Internship

RECORD_KEYS = (
    "degrees",
    "courses",
    "exams",
    "experience",
    "attestations",
    "credentials",
    "waivers",
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def degree_record(d: Degree) -> dict[str, Any]:
    return {
        "id": f"d{d.id}",
        "level": d.level,
        "field": d.field,
        "institution": d.institution,
        "accredited": d.accredited,
        "conferred_on": _iso(d.conferred_on),
    }


def course_record(c: Course) -> dict[str, Any]:
    return {
        "id": f"c{c.id}",
        "title": c.title,
        "provider": c.provider,
        "topics": list(c.topics or []),
        "credits": c.credits,
        "completed_on": _iso(c.completed_on),
        "passed": c.passed,
    }


def exam_record(e: ExamResult) -> dict[str, Any]:
    return {"id": f"e{e.id}", "code": e.code, "taken_on": _iso(e.taken_on), "passed": e.passed}


def experience_record(x: ExperienceEntry) -> dict[str, Any]:
    return {
        "id": f"x{x.id}",
        "start": _iso(x.start),
        "end": _iso(x.end),
        "hours": x.hours,
        "category": x.category,
        "source": x.source,
        "supervised": x.supervised,
        "status": EntryStatus(x.status).value,
    }


def internship_record(i: Internship) -> dict[str, Any]:
    """Signed-off internships count as approved experience with source internship."""
    return {
        "id": f"i{i.id}",
        "start": _iso(i.start),
        "end": _iso(i.end),
        "hours": i.hours,
        "category": i.category,
        "source": "internship",
        "supervised": i.supervised,
        "status": EntryStatus(i.status).value,
    }


def attestation_record(a: Attestation) -> dict[str, Any]:
    return {"id": f"a{a.id}", "kind": a.kind, "signed_on": _iso(a.signed_on)}


def held_record(h: HeldCredential) -> dict[str, Any]:
    return {
        "id": h.credential_id,
        "awarded_on": _iso(h.awarded_on),
        "expires_on": _iso(h.expires_on),
    }


def waiver_record(w: Waiver, approver_email: str) -> dict[str, Any]:
    return {
        "id": f"w{w.id}",
        "requirement": w.requirement,
        "reason": w.reason,
        "approved_by": approver_email,
        "approved_on": _iso(w.approved_on),
        "credential": w.credential,
    }


def empty_records() -> dict[str, Any]:
    return {key: [] for key in RECORD_KEYS}


def load_records(candidate_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Every record of each candidate, waivers of all credentials included (see for_credential)."""
    ids = sorted(set(candidate_ids))
    out: dict[int, dict[str, Any]] = {cid: empty_records() for cid in ids}
    if not ids:
        return out
    tables: list[tuple[str, Any, Any]] = [
        ("degrees", Degree, degree_record),
        ("courses", Course, course_record),
        ("exams", ExamResult, exam_record),
        ("experience", ExperienceEntry, experience_record),
        ("experience", Internship, internship_record),
        ("attestations", Attestation, attestation_record),
        ("credentials", HeldCredential, held_record),
    ]
    for key, model, convert in tables:
        rows = db.session.scalars(
            select(model).where(model.candidate_id.in_(ids)).order_by(model.id)
        )
        for row in rows:
            out[row.candidate_id][key].append(convert(row))
    waiver_rows = db.session.execute(
        select(Waiver, User.email)
        .join(User, User.id == Waiver.approved_by_id)
        .where(Waiver.candidate_id.in_(ids))
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
    if pathway:
        result["pathway"] = pathway
    return result


def records_for(candidate: User, credential: str, pathway: str | None = None) -> dict[str, Any]:
    return for_credential(load_records([candidate.id])[candidate.id], credential, pathway)


def fingerprint(records: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a records document."""
    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def group_by_candidate(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.candidate_id].append(row)
    return grouped
