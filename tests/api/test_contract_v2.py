"""Contract version 2 (app-contract.md, "JSON API, added" and "Who may do what, added"),
line by line, for what exists today.

Not built yet, so not tested here: notifications, what-if, registrations, calendar feeds,
`waivable` (a waiver of a requirement that may not be waived), several loaded versions of
one credential, and the admin's definition upload. Every answer of every call below goes
through `CheckedClient`: it must match the served OpenAPI document (status, media type,
headers, body schema).

The world (tests/api/test_contract.py): organizations A and B; in A coordinators `coord`
and `coord2`, mentors `mentor` (mentors `cand`) and `mentor2`, candidates `cand` and
`cand2`; in B `coord_b`, `mentor_b`, `cand_b`; an admin.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.api.openapi_check import CheckedClient
from tests.api.test_contract import COURSE, DEGREE, EXAM, World, day, error, experience, ok
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.records.models import (
    Attestation,
    Course,
    Degree,
    EvidenceFile,
    ExamResult,
    ExperienceEntry,
    HeldCredential,
    HoursEntry,
    Internship,
    Registration,
    Waiver,
)
from tracker.statements.models import IssuedStatement
from tracker.timeutil import today

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MODELS = {
    "degrees": Degree,
    "courses": Course,
    "exams": ExamResult,
    "attestations": Attestation,
    "credentials": HeldCredential,
    "experience": ExperienceEntry,
    "internships": Internship,
    "registrations": Registration,
    "waivers": Waiver,
}
VERIFIABLE = ("degrees", "courses", "exams", "attestations", "credentials")
CANDIDATE_KINDS = (*VERIFIABLE, "experience", "internships", "registrations")
ENROLMENT_KEYS = {"credential", "version", "pathway", "enrolled_on"}
PROFILE_KEYS = {"id", "email", "name", "organization_id", "enrolments"}
EVIDENCE_KEYS = {"id", "filename", "content_type", "size"}
VERIFIED_KEYS = {"verified", "verified_by", "verified_on"}
WAIVER_KEYS = {"id", "credential", "requirement", "reason", "approved_by", "approved_on",
               "expires_on", "status"}  # fmt: skip
CREDENTIAL_KEYS = {"id", "version", "name", "issuer", "pathways", "categories", "exam_codes",
                   "attestation_kinds", "course_topics"}  # fmt: skip
NODE_KEYS = {"id", "title", "kind", "waivable", "children"}
COHORT_KEYS = {"candidate_id", "name", "email", "status", "progress", "due", "projected_on"}
VERIFY_KEYS = {"genuine", "candidate", "credential", "version", "status", "issued_at",
               "records_changed_since", "issued_by", "self_issued"}  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "|", "\t")
# One change per kind, and a second one, for PATCH.
CHANGES = {
    "degrees": ({"field": "Economics"}, {"institution": "Other University"}),
    "courses": ({"title": "Estate Planning"}, {"credits": 4}),
    "exams": ({"passed": False}, {"taken_on": "2024-03-11"}),
    "attestations": ({"statement": "I agree"}, {"statement": "I still agree"}),
    "credentials": ({"expires_on": "2030-01-01"}, {"awarded_on": "2016-01-01"}),
    "experience": ({"hours": 6}, {"category": "financial-planning", "hours": 7}),
    "internships": ({"host": "Another desk"}, {"hours": 30}),
    "registrations": ({"firm": "Other Securities"}, {"end": day(5)}),
    "waivers": None,
}


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture()
def w(app, factory) -> World:
    return World(app, factory)


_VALIDATED: list[dict[str, Any]] = []


@pytest.fixture()
def document(client) -> dict[str, Any]:
    """The served document (validated once: every app of the session serves the same one)."""
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    if doc not in _VALIDATED:
        validate(doc)
        _VALIDATED.append(doc)
    return doc


@pytest.fixture()
def api(client, document) -> CheckedClient:
    return CheckedClient(client, document)


def body_for(w: World, kind: str, n: int = 0) -> dict[str, Any]:
    """A valid new record of `kind` for `cand` (n: the n-th distinct one)."""
    if kind == "degrees":
        return {**DEGREE, "field": f"Finance {n}"}
    if kind == "courses":
        return {**COURSE, "title": f"Tax Planning {n}"}
    if kind == "exams":
        return {**EXAM, "taken_on": (date(2024, 3, 10) + timedelta(days=n)).isoformat()}
    if kind == "attestations":
        return {"kind": "ethics", "signed_on": day(30 + n)}
    if kind == "credentials":
        return {"id": ["cpa", "cfa-charter", "chfc"][n], "awarded_on": "2015-01-01"}
    if kind == "experience":
        return experience(start=day(60 + n), end=day(60 + n), hours=5 + n)
    if kind == "internships":
        return {"mentor_id": w.id("mentor"), "host": f"Desk {n}", "start": day(90 + n),
                "end": day(80), "hours": 40}  # fmt: skip
    if kind == "registrations":
        return {"kind": "finra", "firm": f"Acme Securities {n}", "start": day(400 + n)}
    if kind == "waivers":
        # The requirements CFP Board may waive (the exam and ethics never are).
        return {"credential": "cfp", "requirement": ["degree", "coursework", "experience"][n],
                "reason": "Foreign degree evaluated as equivalent"}  # fmt: skip
    raise AssertionError(kind)


def create(api: CheckedClient, w: World, kind: str, n: int = 0) -> dict[str, Any]:
    who = "coord" if kind == "waivers" else "cand"
    path = f"/candidates/{w.id('cand')}/{kind}"
    return ok(api.call("POST", path, w.tok(who), body_for(w, kind, n)), 201)


def rpath(w: World, kind: str, rid: int) -> str:
    return f"/candidates/{w.id('cand')}/{kind}/{rid}"


def count(w: World, model: Any) -> int:
    stmt = select(func.count()).select_from(model)
    if model is AuditEvent:
        stmt = stmt.where(AuditEvent.action != "auth.refused")
    with w.app.app_context():
        return int(db.session.scalar(stmt))


def all_counts(w: World) -> dict[str, int]:
    """Rows of every table, in one query (refusals, which are audited, aside)."""
    columns = []
    for table in db.metadata.sorted_tables:
        stmt = select(func.count()).select_from(table)
        if table.name == "audit_events":
            stmt = stmt.where(table.c.action != "auth.refused")
        columns.append(stmt.scalar_subquery().label(table.name))
    with w.app.app_context():
        return dict(db.session.execute(select(*columns)).one()._mapping)


def upload(api: CheckedClient, w: World, kind: str, rid: int, data: bytes = PNG,
           name: str = "proof.png", token: str | None = None) -> Any:  # fmt: skip
    return api.call(
        "POST",
        f"{rpath(w, kind, rid)}/evidence",
        token or w.tok("cand"),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def lock(api: CheckedClient, w: World, kind: str, rid: int, how: str) -> None:
    """Decide or verify a record, as the one who may."""
    if how == "verify":
        ok(api.call("POST", f"{rpath(w, kind, rid)}/verify", w.tok("coord"), {}))
    elif how == "approve":
        ok(api.call("POST", f"/experience/{rid}/approve", w.tok("coord"), {}))
    elif how == "reject":
        ok(api.call("POST", f"/experience/{rid}/reject", w.tok("coord"), {"reason": "No proof"}))
    elif how == "signoff":
        ok(api.call("POST", f"/internships/{rid}/signoff", w.tok("mentor"), {}))
    else:
        raise AssertionError(how)


LOCKS = [(kind, "verify") for kind in VERIFIABLE] + [
    ("experience", "approve"),
    ("experience", "reject"),
    ("internships", "signoff"),
]


# ---------------------------------------------------------------------------- the profile


def test_candidate_profile_answers_exactly_the_contract_keys(api, w):
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"),
                {"credential": "cfp", "pathway": "apprenticeship"}), 201)  # fmt: skip
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("coord"), {"credential": "cfa"}), 201)
    for viewer in ("cand", "coord", "mentor", "admin"):
        body = ok(api.get(f"/candidates/{c}", w.tok(viewer)))
        assert set(body) == PROFILE_KEYS
        assert (body["id"], body["email"], body["name"]) == (c, "cand@example.com", "cand")
        assert body["organization_id"] == w.users["cand"].organization_id
        assert all(set(e) == ENROLMENT_KEYS for e in body["enrolments"])
        assert [(e["credential"], e["version"], e["pathway"], e["enrolled_on"]) for e in
                body["enrolments"]] == [("cfp", "2024", "apprenticeship", today().isoformat()),
                                        ("cfa", "2024", None, today().isoformat())]  # fmt: skip


@pytest.mark.parametrize("viewer", ["cand2", "coord_b", "mentor2", "mentor_b"])
def test_candidate_profile_is_404_for_those_who_may_not_see_the_candidate(api, w, viewer):
    error(api.get(f"/candidates/{w.id('cand')}", w.tok(viewer)), 404)


# ---------------------------------------------------------------------------- records of every kind


@pytest.mark.parametrize("kind", list(MODELS))
def test_every_kind_is_listed_and_read_with_version_status_and_evidence(api, w, document, kind):
    created = create(api, w, kind)
    rid = created["id"]
    listed = ok(api.get(f"/candidates/{w.id('cand')}/{kind}", w.tok("coord")))
    assert isinstance(listed, list) and rid in [r["id"] for r in listed]
    for viewer in ("cand", "coord", "admin"):
        record = ok(api.get(rpath(w, kind, rid), w.tok(viewer)))
        assert record == created
        assert record["version"] == 1
        assert record["evidence"] == []
        # A registration is a fact of a regulator's register: nothing decides or verifies it.
        assert ("status" in record) or ("verified" in record) or kind == "registrations", record
        # Exactly the documented keys (the answer schema forbids others; none may be missing).
        ref = document["paths"]["/candidates/{candidate_id}/" + kind + "/{record_id}"]["get"]
        schema_ref = ref["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
        assert set(record) == set(schema["properties"]) == set(schema["required"])
    if kind in VERIFIABLE:
        assert created["verified"] is False
    elif kind != "registrations":
        assert created["status"] == ("active" if kind == "waivers" else "pending")
    error(api.get(rpath(w, kind, rid), w.tok("coord_b")), 404)
    error(api.get(f"/candidates/{w.id('cand')}/{kind}", w.tok("cand2")), 404)


def test_held_credentials_name_the_credential_in_id_and_answer_it_as_credential(api, w):
    c = w.id("cand")
    created = create(api, w, "credentials")
    assert isinstance(created["id"], int) and created["credential"] == "cpa"
    assert "credential_id" not in created
    listed = ok(api.get(f"/candidates/{c}/credentials", w.tok("cand")))
    assert [(r["id"], r["credential"]) for r in listed] == [(created["id"], "cpa")]
    changed = ok(api.call("PATCH", rpath(w, "credentials", created["id"]), w.tok("cand"),
                          {"id": "cfa-charter"}))  # fmt: skip
    assert (changed["id"], changed["credential"]) == (created["id"], "cfa-charter")
    # The same credential twice is a conflict, named by its body field.
    error(api.call("POST", f"/candidates/{c}/credentials", w.tok("cand"),
                   {"id": "cfa-charter", "awarded_on": "2016-01-01"}), 409, "id")  # fmt: skip
    assert count(w, HeldCredential) == 1


@pytest.mark.parametrize("kind", CANDIDATE_KINDS)
def test_version_grows_with_each_change_and_only_then(api, w, kind):
    record = create(api, w, kind)
    path = rpath(w, kind, record["id"])
    first, second = CHANGES[kind]
    one = ok(api.call("PATCH", path, w.tok("cand"), first))
    assert one["version"] == 2 and all(one[k] == v for k, v in first.items() if k != "id")
    same = ok(api.call("PATCH", path, w.tok("cand"), first))
    assert same["version"] == 2, "an unchanged record keeps its version"
    two = ok(api.call("PATCH", path, w.tok("cand"), second))
    assert two["version"] == 3
    assert ok(api.get(path, w.tok("coord")))["version"] == 3
    if kind == "registrations":
        return  # nothing decides or verifies a registration
    how = {"experience": "approve", "internships": "signoff"}.get(kind, "verify")
    lock(api, w, kind, record["id"], how)
    assert ok(api.get(path, w.tok("cand")))["version"] == 4, "a decision is a change"


def test_a_revoked_waiver_has_a_new_version(api, w):
    waiver = create(api, w, "waivers")
    ok(api.call("POST", f"/waivers/{waiver['id']}/revoke", w.tok("coord"), {"reason": "Mistake"}))
    after = ok(api.get(rpath(w, "waivers", waiver["id"]), w.tok("cand")))
    assert after["version"] == 2 and after["status"] == "revoked"


# ---------------------------------------------------------------------------- change and delete


@pytest.mark.parametrize("kind", CANDIDATE_KINDS)
def test_the_candidate_changes_and_deletes_own_records_until_decided(api, w, kind):
    record = create(api, w, kind)
    path = rpath(w, kind, record["id"])
    ok(api.call("PATCH", path, w.tok("cand"), CHANGES[kind][0]))
    rows, events = count(w, MODELS[kind]), count(w, AuditEvent)
    response = api.call("DELETE", path, w.tok("cand"))
    assert response.status_code == 204 and response.data == b""
    error(api.get(path, w.tok("cand")), 404)
    assert (count(w, MODELS[kind]), count(w, AuditEvent)) == (rows - 1, events + 1)


@pytest.mark.parametrize("kind", CANDIDATE_KINDS)
@pytest.mark.parametrize(
    ("actor", "status"),
    [("cand2", 404), ("coord", 403), ("coord_b", 404), ("mentor", 403), ("mentor2", 404)],
)
def test_only_the_candidate_changes_or_deletes_records(api, w, kind, actor, status):
    record = create(api, w, kind)
    path = rpath(w, kind, record["id"])
    error(api.call("PATCH", path, w.tok(actor), CHANGES[kind][0]), status)
    error(api.call("DELETE", path, w.tok(actor)), status)
    assert ok(api.get(path, w.tok("cand"))) == record


def test_withdrawing_pending_entries_and_internship_requests(api, w):
    for kind, rid in (("experience", w.entry), ("internships", w.internship)):
        response = api.call("DELETE", rpath(w, kind, rid), w.tok("cand"))
        assert response.status_code == 204
    approvals = ok(api.get("/approvals", w.tok("coord"))) + ok(
        api.get("/approvals", w.tok("mentor"))
    )
    assert not {(a["type"], a["id"]) for a in approvals} & {
        ("experience", w.entry),
        ("internship", w.internship),
    }


@pytest.mark.parametrize(("kind", "how"), LOCKS)
def test_decided_or_verified_records_and_their_evidence_are_locked_409(api, w, kind, how):
    record = create(api, w, kind)
    rid, path = record["id"], rpath(w, kind, record["id"])
    evidence = ok(upload(api, w, kind, rid), 201)
    lock(api, w, kind, rid, how)
    before = ok(api.get(path, w.tok("cand")))
    rows, files = count(w, MODELS[kind]), count(w, EvidenceFile)
    error(api.call("PATCH", path, w.tok("cand"), CHANGES[kind][0]), 409)
    error(api.call("DELETE", path, w.tok("cand")), 409)
    error(upload(api, w, kind, rid), 409)
    error(api.call("DELETE", f"/evidence/{evidence['id']}", w.tok("cand")), 409)
    assert ok(api.get(path, w.tok("cand"))) == before
    assert (count(w, MODELS[kind]), count(w, EvidenceFile)) == (rows, files)
    download = api.get(f"/evidence/{evidence['id']}", w.tok("coord"))
    assert download.status_code == 200 and download.data == PNG


def test_a_returned_internship_is_corrected_and_resubmitted_by_the_candidate(api, w):
    path = rpath(w, "internships", w.internship)
    ok(api.call("POST", f"/internships/{w.internship}/reject", w.tok("mentor"),
                {"reason": "Hours do not match the letter"}))  # fmt: skip
    returned = ok(api.get(path, w.tok("cand")))
    assert returned["status"] == "rejected" and returned["note"] == "Hours do not match the letter"
    assert not any(a["id"] == w.internship for a in ok(api.get("/approvals", w.tok("mentor"))))
    ok(upload(api, w, "internships", w.internship), 201)
    corrected = ok(api.call("PATCH", path, w.tok("cand"), {"hours": 50}))
    assert corrected["status"] == "pending" and corrected["hours"] == 50
    assert corrected["decided_by"] is None and corrected["note"] is None
    assert corrected["version"] == returned["version"] + 1
    waiting = ok(api.get("/approvals", w.tok("mentor")))
    assert [(a["id"], a["hours"], a["version"]) for a in waiting if a["id"] == w.internship] == [
        (w.internship, 50, corrected["version"])
    ]
    events = ok(api.get(f"/audit?candidate_id={w.id('cand')}", w.tok("coord")))
    assert any(e["action"] == "internship.resubmit" and e["before"]["status"] == "rejected"
               for e in events)  # fmt: skip
    ok(api.call("POST", f"/internships/{w.internship}/signoff", w.tok("mentor"), {}))
    error(api.call("PATCH", path, w.tok("cand"), {"hours": 51}), 409)


def test_a_returned_internship_stays_on_record(api, w):
    ok(api.call("POST", f"/internships/{w.internship}/reject", w.tok("mentor"), {"reason": "No"}))
    error(api.call("DELETE", rpath(w, "internships", w.internship), w.tok("cand")), 409)
    error(api.call("PATCH", rpath(w, "internships", w.internship), w.tok("coord"), {"hours": 5}),
          403)  # fmt: skip


def test_rejected_experience_is_not_resubmitted(api, w):
    lock(api, w, "experience", w.entry, "reject")
    error(api.call("PATCH", rpath(w, "experience", w.entry), w.tok("cand"), {"hours": 5}), 409)


# ---------------------------------------------------------------------------- evidence


def test_evidence_upload_download_and_delete(api, w):
    record = create(api, w, "degrees")
    uploaded = ok(upload(api, w, "degrees", record["id"], PDF, "transcript.png"), 201)
    assert set(uploaded) == EVIDENCE_KEYS
    # The type is read from the content, not the name, and the name follows the type.
    assert uploaded["content_type"] == "application/pdf" and uploaded["size"] == len(PDF)
    assert uploaded["filename"] == "transcript.pdf"
    listed = ok(api.get(rpath(w, "degrees", record["id"]), w.tok("cand")))["evidence"]
    assert listed == [uploaded]
    for viewer in ("cand", "coord", "admin"):
        download = api.get(f"/evidence/{uploaded['id']}", w.tok(viewer))
        assert download.status_code == 200 and download.data == PDF
        assert download.mimetype == "application/pdf"
    for stranger in ("cand2", "coord_b", "mentor2"):
        error(api.get(f"/evidence/{uploaded['id']}", w.tok(stranger)), 404)
    error(api.call("DELETE", f"/evidence/{uploaded['id']}", w.tok("coord")), 403)
    error(api.call("DELETE", f"/evidence/{uploaded['id']}", w.tok("coord_b")), 404)
    response = api.call("DELETE", f"/evidence/{uploaded['id']}", w.tok("cand"))
    assert response.status_code == 204
    error(api.get(f"/evidence/{uploaded['id']}", w.tok("cand")), 404)
    assert ok(api.get(rpath(w, "degrees", record["id"]), w.tok("cand")))["evidence"] == []


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"plain text, not a document", "notes.pdf"), (b"", "empty.png"), (None, None)],
    ids=["not-pdf-png-jpeg", "empty", "no-file-field"],
)
def test_bad_evidence_is_400_naming_file_and_stores_nothing(api, w, data, name):
    record = create(api, w, "degrees")
    files = count(w, EvidenceFile)
    form = {} if data is None else {"file": (io.BytesIO(data), name)}
    response = api.call("POST", f"{rpath(w, 'degrees', record['id'])}/evidence", w.tok("cand"),
                        data=form, content_type="multipart/form-data")  # fmt: skip
    error(response, 400, "file")
    assert count(w, EvidenceFile) == files


def test_only_the_candidate_attaches_evidence(api, w):
    record = create(api, w, "exams")
    error(upload(api, w, "exams", record["id"], token=w.tok("coord")), 403)
    error(upload(api, w, "exams", record["id"], token=w.tok("coord_b")), 404)
    assert count(w, EvidenceFile) == 0


# ---------------------------------------------------------------------------- verification


@pytest.mark.parametrize("kind", VERIFIABLE)
@pytest.mark.parametrize("verifier", ["coord", "coord2", "admin"])
def test_coordinators_of_the_organization_and_admins_verify_records(api, w, kind, verifier):
    record = create(api, w, kind)
    path = f"{rpath(w, kind, record['id'])}/verify"
    answer = ok(api.call("POST", path, w.tok(verifier), {}))
    assert answer == {"verified": True, "verified_by": w.id(verifier),
                      "verified_on": today().isoformat()}  # fmt: skip
    after = ok(api.get(rpath(w, kind, record["id"]), w.tok("cand")))
    assert (after["verified"], after["verified_by"], after["verified_on"]) == (
        True, w.id(verifier), today().isoformat())  # fmt: skip
    error(api.call("POST", path, w.tok("coord"), {}), 409)


@pytest.mark.parametrize("kind", VERIFIABLE)
@pytest.mark.parametrize(
    ("actor", "status"), [("cand", 403), ("mentor", 403), ("coord_b", 404), ("cand2", 404)]
)
def test_others_may_not_verify(api, w, kind, actor, status):
    record = create(api, w, kind)
    error(api.call("POST", f"{rpath(w, kind, record['id'])}/verify", w.tok(actor), {}), status)
    assert ok(api.get(rpath(w, kind, record["id"]), w.tok("cand")))["verified"] is False


def test_entries_are_decided_not_verified(api, w):
    for kind, rid in (("experience", w.entry), ("internships", w.internship)):
        error(api.call("POST", f"{rpath(w, kind, rid)}/verify", w.tok("coord"), {}), 404)


def test_verify_takes_an_empty_body_only(api, w):
    record = create(api, w, "degrees")
    path = f"{rpath(w, 'degrees', record['id'])}/verify"
    error(api.call("POST", path, w.tok("coord"), {"verified": True}), 400, "verified")
    assert ok(api.get(rpath(w, "degrees", record["id"]), w.tok("cand")))["verified"] is False
    ok(api.call("POST", path, w.tok("coord")))  # no body at all is {}


# ---------------------------------------------------------------------------- waivers


def test_a_waiver_is_granted_listed_read_and_revoked(api, w):
    c = w.id("cand")
    body = {**body_for(w, "waivers"), "expires_on": (today() + timedelta(days=365)).isoformat()}
    granted = ok(api.call("POST", f"/candidates/{c}/waivers", w.tok("coord"), body), 201)
    assert WAIVER_KEYS <= set(granted)
    assert {k: granted[k] for k in WAIVER_KEYS - {"id"}} == {
        "credential": "cfp",
        "requirement": "degree",
        "reason": body["reason"],
        "approved_by": "coord@example.com",
        "approved_on": today().isoformat(),
        "expires_on": body["expires_on"],
        "status": "active",
    }
    for viewer in ("cand", "coord", "admin", "mentor"):
        assert ok(api.get(f"/candidates/{c}/waivers", w.tok(viewer))) == [granted]
        assert ok(api.get(rpath(w, "waivers", granted["id"]), w.tok(viewer))) == granted
    # The waiver counts: the degree is met by it.
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    result = ok(api.get(f"/candidates/{c}/progress?credential=cfp", w.tok("cand")))
    degree = next(n for n in result["requirements"] if n["id"] == "degree")
    assert degree["status"] == "met" and f"w{granted['id']}" in degree["evidence"]
    error(api.call("POST", f"/waivers/{granted['id']}/revoke", w.tok("coord"), {}), 400, "reason")
    revoked = ok(api.call("POST", f"/waivers/{granted['id']}/revoke", w.tok("coord"),
                          {"reason": "Granted by mistake"}))  # fmt: skip
    assert revoked == {"status": "revoked"}
    after = ok(api.get(rpath(w, "waivers", granted["id"]), w.tok("cand")))
    assert (after["status"], after["revoked_on"], after["revoke_reason"]) == (
        "revoked", today().isoformat(), "Granted by mistake")  # fmt: skip
    error(api.call("POST", f"/waivers/{granted['id']}/revoke", w.tok("coord"),
                   {"reason": "Again"}), 409)  # fmt: skip


def test_a_second_active_waiver_of_a_requirement_is_409_and_stores_nothing(api, w):
    c = w.id("cand")
    first = create(api, w, "waivers")
    error(api.call("POST", f"/candidates/{c}/waivers", w.tok("coord2"), body_for(w, "waivers")),
          409, "requirement")  # fmt: skip
    assert count(w, Waiver) == 1
    create(api, w, "waivers", 1)  # another requirement
    ok(api.call("POST", f"/waivers/{first['id']}/revoke", w.tok("coord"), {"reason": "Ended"}))
    create(api, w, "waivers")  # once revoked, it may be granted again
    assert count(w, Waiver) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requirement": "no-such-requirement"}, "requirement"),
        ({"credential": "no-such-credential"}, "credential"),
        ({"reason": "   "}, "reason"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"status": "active"}, "status"),
    ],
)
def test_bad_waivers_are_400_naming_the_field(api, w, change, field):
    body = {**body_for(w, "waivers"), **change}
    response = api.call("POST", f"/candidates/{w.id('cand')}/waivers", w.tok("coord"), body)
    error(response, 400, field)
    assert count(w, Waiver) == 0


@pytest.mark.parametrize(("actor", "status"), [("cand", 403), ("mentor", 403), ("coord_b", 404)])
def test_only_coordinators_and_admins_grant_and_revoke_waivers(api, w, actor, status):
    c = w.id("cand")
    error(api.call("POST", f"/candidates/{c}/waivers", w.tok(actor), body_for(w, "waivers")),
          status)  # fmt: skip
    waiver = create(api, w, "waivers")
    error(api.call("POST", f"/waivers/{waiver['id']}/revoke", w.tok(actor), {"reason": "No"}),
          status)  # fmt: skip
    assert ok(api.get(rpath(w, "waivers", waiver["id"]), w.tok("cand")))["status"] == "active"
    admin = ok(api.call("POST", f"/candidates/{c}/waivers", w.tok("admin"),
                        body_for(w, "waivers", 1)), 201)  # fmt: skip
    assert admin["approved_by"] == "admin@example.com"


# ---------------------------------------------------------------------------- enrolments


def test_enrolment_pathway_change_by_the_candidate(api, w):
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    changed = ok(api.call("PATCH", f"/candidates/{c}/enrolments/cfp", w.tok("cand"),
                          {"pathway": "apprenticeship"}))  # fmt: skip
    assert (changed["credential"], changed["pathway"], changed["version"]) == (
        "cfp", "apprenticeship", "2024")  # fmt: skip
    assert ok(api.get(f"/candidates/{c}", w.tok("coord")))["enrolments"][0]["pathway"] == (
        "apprenticeship"
    )
    progress = ok(api.get(f"/candidates/{c}/progress?credential=cfp", w.tok("cand")))
    assert progress["pathway"] == "apprenticeship"
    error(api.call("PATCH", f"/candidates/{c}/enrolments/cfp", w.tok("cand"),
                   {"pathway": "no-such-pathway"}), 400, "pathway")  # fmt: skip
    error(api.call("PATCH", f"/candidates/{c}/enrolments/cfa", w.tok("cand"),
                   {"pathway": "standard"}), 404)  # fmt: skip
    error(api.call("PATCH", f"/candidates/{c}/enrolments/cfp", w.tok("mentor"),
                   {"pathway": "standard"}), 403)  # fmt: skip
    error(api.call("PATCH", f"/candidates/{c}/enrolments/cfp", w.tok("coord_b"),
                   {"pathway": "standard"}), 404)  # fmt: skip


def test_only_coordinators_and_admins_move_an_enrolment_to_another_rules_version(api, w):
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    path = f"/candidates/{c}/enrolments/cfp"
    for who in ("cand", "coord"):
        error(api.call("PATCH", path, w.tok(who), {"version": "2021"}), 400, "version")
    # Only one version of each credential is loaded today: the candidate may name it.
    assert ok(api.call("PATCH", path, w.tok("cand"), {"version": "2024"}))["version"] == "2024"
    for who in ("coord", "admin"):
        assert ok(api.call("PATCH", path, w.tok(who), {"version": "2024"}))["version"] == "2024"


# ---------------------------------------------------------------------------- decisions


DECISIONS = [
    ("experience", "approve", "coord", {}),
    ("experience", "reject", "coord", {"reason": "No proof"}),
    ("internship", "signoff", "mentor", {}),
    ("internship", "reject", "mentor", {"reason": "No proof"}),
]


@pytest.mark.parametrize(("kind", "action", "decider", "body"), DECISIONS)
def test_a_decision_on_an_entry_that_changed_since_is_409_stale(api, w, kind, action, decider,
                                                                body):  # fmt: skip
    rid = w.entry if kind == "experience" else w.internship
    seen = next(a for a in ok(api.get("/approvals", w.tok(decider))) if a["id"] == rid)
    plural = "experience" if kind == "experience" else "internships"
    ok(api.call("PATCH", rpath(w, plural, rid), w.tok("cand"), {"hours": seen["hours"] + 1}))
    url = f"/{'experience' if kind == 'experience' else 'internships'}/{rid}/{action}"
    stale = api.call("POST", url, w.tok(decider), {**body, "version": seen["version"]})
    assert stale.status_code == 409 and set(stale.get_json()) == {"error"}
    assert stale.get_json()["error"]["code"] == "stale"
    record = ok(api.get(rpath(w, plural, rid), w.tok("cand")))
    assert record["status"] == "pending" and record["version"] == seen["version"] + 1
    decided = ok(api.call("POST", url, w.tok(decider), {**body, "version": record["version"]}))
    assert decided == {"status": "approved" if action in ("approve", "signoff") else "rejected"}


def test_decisions_without_version_still_work_for_version_1_clients(api, w):
    ok(api.call("PATCH", rpath(w, "experience", w.entry), w.tok("cand"), {"hours": 3}))
    assert ok(api.call("POST", f"/experience/{w.entry}/approve", w.tok("coord"), {})) == {
        "status": "approved"
    }


def test_approvals_carry_the_version_the_decider_sees(api, w):
    for decider in ("coord", "mentor"):
        for item in ok(api.get("/approvals", w.tok(decider))):
            assert {"id", "type", "candidate_id", "hours", "start", "end", "version"} == set(item)
            assert item["version"] == 1


def test_decide_many_answers_each_decision_in_order_each_on_its_own(api, w):
    c2_entry = w.entry2
    decisions = [
        {"type": "experience", "id": w.entry, "action": "approve", "version": 1},
        {"type": "experience", "id": c2_entry, "action": "reject"},  # no reason
        {"type": "experience", "id": w.entry_b, "action": "approve"},  # another organization
        {"type": "internship", "id": w.internship, "action": "approve"},  # the mentor's
        {"type": "experience", "id": 999_999, "action": "approve"},
        {"type": "experience", "id": c2_entry, "action": "reject", "reason": "Not ours"},
        {"type": "experience", "id": w.entry, "action": "reject", "reason": "Again"},
    ]
    answers = ok(api.call("POST", "/approvals/decide", w.tok("coord"), {"decisions": decisions}))
    assert [(a["type"], a["id"]) for a in answers] == [(d["type"], d["id"]) for d in decisions]
    outcome = [a.get("status") or a["error"]["code"] for a in answers]
    assert outcome == ["approved", "invalid", "not_found", "forbidden", "not_found", "rejected",
                       "conflict"]  # fmt: skip
    for a in answers:
        assert set(a) in ({"type", "id", "status"}, {"type", "id", "error"}), a
        if "error" in a:
            assert set(a["error"]) == {"code", "message"} and a["error"]["message"]
    assert ok(api.get(rpath(w, "experience", w.entry), w.tok("cand")))["status"] == "approved"
    assert ok(api.get(rpath(w, "internships", w.internship), w.tok("cand")))["status"] == (
        "pending"
    )
    mentor = ok(api.call("POST", "/approvals/decide", w.tok("mentor"), {"decisions": [
        {"type": "internship", "id": w.internship, "action": "approve", "version": 1}]}))  # fmt: skip
    assert mentor == [{"type": "internship", "id": w.internship, "status": "approved"}]
    error(api.call("POST", "/approvals/decide", w.tok("cand"), {"decisions": decisions[:1]}), 403)


# ---------------------------------------------------------------------------- catalogue, mentors


def test_credentials_catalogue_lists_the_current_versions(api, w):
    items = ok(api.get("/credentials", w.tok("cand")))
    seeded = Path(__file__).parents[2] / "seed" / "credentials"
    assert {i["id"] for i in items} == {p.stem for p in seeded.glob("*.yaml")}
    assert all(set(i) == CREDENTIAL_KEYS for i in items)
    cfp = next(i for i in items if i["id"] == "cfp")
    assert cfp["version"] == "2024" and cfp["issuer"] == "CFP Board"
    assert set(cfp["pathways"]) == {"standard", "apprenticeship"}
    assert "CFP" in cfp["exam_codes"] and "ethics" in cfp["attestation_kinds"]
    assert "financial-planning" in cfp["categories"] and cfp["course_topics"]


def _nodes(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for node in nodes for n in (node, *_nodes(node["children"]))]


def test_one_credential_with_its_versions_and_requirement_tree(api, w):
    body = ok(api.get("/credentials/cfp", w.tok("mentor")))
    assert set(body) == CREDENTIAL_KEYS | {"versions", "requirements"}
    assert body["versions"] == [{"version": "2024", "effective_from": None}]
    assert [n["id"] for n in body["requirements"]] == [
        "degree", "coursework", "exam", "experience", "ethics"]  # fmt: skip
    nodes = _nodes(body["requirements"])
    assert all(set(n) == NODE_KEYS and isinstance(n["waivable"], bool) for n in nodes)
    experience_node = next(n for n in body["requirements"] if n["id"] == "experience")
    assert experience_node["kind"] == "any" and experience_node["children"]
    error(api.get("/credentials/no-such-credential", w.tok("cand")), 404)


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("cand", {"mentor", "mentor2"}),
        ("coord", {"mentor", "mentor2"}),
        ("cand_b", {"mentor_b"}),
        ("admin", {"mentor", "mentor2", "mentor_b"}),
    ],
)
def test_mentors_an_internship_may_name(api, w, viewer, expected):
    body = ok(api.get("/mentors", w.tok(viewer)))
    assert all(set(m) == {"id", "name", "email"} for m in body)
    assert {m["id"] for m in body} == {w.id(n) for n in expected}


def test_mentors_do_not_list_mentors(api, w):
    error(api.get("/mentors", w.tok("mentor")), 403)


# ---------------------------------------------------------------------------- progress


def test_progress_takes_version_pathway_and_lang(api, w):
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    base = f"/candidates/{c}/progress?credential=cfp"
    standard = ok(api.get(base, w.tok("coord")))
    assert standard["pathway"] == "standard" and standard["version"] == "2024"
    other = ok(api.get(base + "&pathway=apprenticeship", w.tok("coord")))
    assert other["pathway"] == "apprenticeship"
    assert ok(api.get(base + "&version=2024", w.tok("cand")))["version"] == "2024"
    assert ok(api.get(base + "&lang=pl", w.tok("cand")))["credential"] == "cfp"
    error(api.get(base + "&version=1999", w.tok("cand")), 400, "version")
    # Found by the fuzzer once: far-future dates overflowed the engine's date arithmetic.
    error(api.get(base + "&as_of=9999-12-31", w.tok("cand")), 400, "as_of")
    error(api.get(base + "&pathway=no-such-pathway", w.tok("cand")), 400, "pathway")
    error(api.get(f"/candidates/{c}/progress?credential=no-such", w.tok("cand")), 404)


# ---------------------------------------------------------------------------- cohort


def test_cohort_as_json_and_as_csv_with_formulas_neutralised(api, w, factory):
    org_a = w.org_a
    risky = [
        ("=2+5@x.test", '=HYPERLINK("http://x.test")'),
        ("plus@x.test", "+SUM(A1:A9)"),
        ("minus@x.test", "-2+3"),
        ("at@x.test", "@cmd"),
        ("pipe@x.test", "|calc"),
    ]
    people = [factory.user("candidate", org_a, email=e, name=n) for e, n in risky]
    tabbed = factory.user("candidate", org_a, email="tab@x.test", name="Tab")

    def rename() -> None:
        from tracker.accounts.models import User

        db.session.get(User, tabbed.id).name = "\tTabbed"

    factory.run(rename)
    for person in [*people, tabbed]:
        ok(api.call("POST", f"/candidates/{person.id}/enrolments", w.tok("coord"),
                    {"credential": "cfp"}), 201)  # fmt: skip
    rows = ok(api.get("/cohort?credential=cfp", w.tok("coord")))
    assert len(rows) == 6 and all(COHORT_KEYS <= set(r) for r in rows)
    assert {r["email"] for r in rows} == {e for e, _n in risky} | {"tab@x.test"}
    response = api.get("/cohort?credential=cfp", w.tok("coord"), headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = table[0], table[1:]
    assert COHORT_KEYS <= set(header) and len(body) == 6
    assert response.headers["X-Total-Count"] == "6"
    cells = [cell for row in body for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)], cells
    for email, name in [*risky, ("tab@x.test", "\tTabbed")]:
        row = next(r for r in body if r[header.index("email")] in (email, "'" + email))
        for value, column in ((email, "email"), (name, "name")):
            expected = "'" + value if value.startswith(FORMULA_START) else value
            assert row[header.index(column)] == expected
    error(api.get("/cohort", w.tok("cand")), 403)
    error(api.get("/cohort", w.tok("mentor")), 403)
    error(api.get("/cohort?credential=no-such-credential", w.tok("coord")), 404)


# ---------------------------------------------------------------------------- statements, /verify


def _issue(api: CheckedClient, w: World) -> str:
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    response = api.get(f"/candidates/{c}/statement.pdf?credential=cfp", w.tok("cand"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    with w.app.app_context():
        return db.session.scalars(select(IssuedStatement.code)).one()


def test_verify_as_json_for_a_genuine_statement_and_an_unknown_code(api, w, client):
    code = _issue(api, w)
    response = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == VERIFY_KEYS
    assert body["genuine"] is True and body["candidate"] == "cand"
    assert (body["credential"], body["version"]) == ("cfp", "2024")
    assert body["status"] in {"met", "in_progress", "not_started", "expired"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["issued_at"]), body
    assert body["records_changed_since"] is False
    create(api, w, "degrees")
    changed = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert changed["records_changed_since"] is True
    unknown = client.get("/verify/NO-SUCH-CODE", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.mimetype == "application/json"
    assert unknown.get_json() == {"genuine": False}
    page = client.get(f"/verify/{code}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"


def test_head_on_statement_pdf_issues_and_records_nothing(api, w):
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    before = all_counts(w)
    response = api.call("HEAD", f"/candidates/{c}/statement.pdf?credential=cfp", w.tok("cand"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == b""
    assert all_counts(w) == before
    api.get(f"/candidates/{c}/statement.pdf?credential=cfp", w.tok("cand"))
    assert count(w, IssuedStatement) == before["issued_statements"] + 1


# ---------------------------------------------------------------------------- 405, GET never writes


def test_a_405_carries_allow(api, w):
    record = create(api, w, "degrees")
    waiver = create(api, w, "waivers")
    cases = [
        ("PUT", rpath(w, "degrees", record["id"]), {"GET", "PATCH", "DELETE"}),
        ("PATCH", rpath(w, "waivers", waiver["id"]), {"GET"}),
        ("DELETE", rpath(w, "waivers", waiver["id"]), {"GET"}),
        ("PUT", rpath(w, "waivers", waiver["id"]), {"GET"}),
        ("DELETE", "/me", {"GET"}),
        ("POST", "/credentials", {"GET"}),
        ("GET", f"/waivers/{waiver['id']}/revoke", {"POST"}),
    ]
    for method, path, allowed in cases:
        response = api.call(method, path, w.tok("coord"), **({} if method == "GET" else
                                                              {"body": {}}))  # fmt: skip
        body = error(response, 405)
        assert body["code"] == "method_not_allowed"
        allow = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed <= allow and method not in allow, (method, path, allow)
    assert ok(api.get(rpath(w, "waivers", waiver["id"]), w.tok("cand")))["status"] == "active"


def _get_operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["get"]) for path, item in document["paths"].items() if "get" in item]


def test_no_get_or_head_writes(api, w, document):
    """Every GET of the document, as every role: no table gains or loses a row (issuing a
    statement is the one GET that writes, by design; HEAD on it writes nothing)."""
    c = w.id("cand")
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("cand"), {"credential": "cfp"}), 201)
    records = {kind: create(api, w, kind)["id"] for kind in MODELS}
    evidence = ok(upload(api, w, "degrees", records["degrees"]), 201)["id"]
    values = {"candidate_id": c, "evidence_id": evidence, "credential_id": "cfp"}
    calls = 0
    for path, operation in _get_operations(document):
        url = path
        for name in re.findall(r"\{(\w+)\}", path):
            value = records[path.split("/")[3]] if name == "record_id" else values[name]
            url = url.replace("{" + name + "}", str(value))
        required = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
                    and p.get("required")]  # fmt: skip
        if required:
            url += "?" + "&".join(f"{name}=cfp" for name in required)
        writes = operation["operationId"] == "downloadStatement"
        for who in ("cand", "coord", "mentor", "admin", "cand_b", None):
            before = all_counts(w)
            response = api.call("HEAD", url, w.tok(who) if who else None)
            assert response.status_code < 500
            assert all_counts(w) == before, f"HEAD {url} as {who} wrote"
            response = api.get(url, w.tok(who) if who else None)
            assert response.status_code < 500, (url, who)
            if not (writes and response.status_code == 200):
                assert all_counts(w) == before, f"GET {url} as {who} wrote"
            calls += 2
    assert calls >= 2 * 6 * 20


# ---------------------------------------------------------------------------- strictness


STRICT = [
    ("experience", {"hours": "10"}, "hours"),
    ("experience", {"supervised": "yes"}, "supervised"),
    ("experience", {"start": "2025-13-01"}, "start"),
    ("experience", {"end": None}, "end"),
    ("experience", {"category": "astrology"}, "category"),
    ("experience", {"hours": 8, "minutes": 30}, "minutes"),
    ("attestations", {"signed_on": None}, "signed_on"),
    ("attestations", {"kind": "bogus"}, "kind"),
    ("attestations", {"signed_on": "2099-01-01"}, "signed_on"),
    ("exams", {"code": "ZZZ"}, "code"),
    ("exams", {"passed": "true"}, "passed"),
    ("exams", {"taken_on": 20240310}, "taken_on"),
    ("degrees", {"accredited": 1}, "accredited"),
    ("degrees", {"level": "kindergarten"}, "level"),
    ("courses", {"credits": "3"}, "credits"),
    ("courses", {"topics": "tax"}, "topics"),
    ("credentials", {"id": "CPA!"}, "id"),
    ("credentials", {"expires_on": "2010-01-01"}, "expires_on"),
    ("internships", {"mentor_id": "5"}, "mentor_id"),
    ("internships", {"hours": 1e9}, "hours"),
]


@pytest.mark.parametrize(("kind", "change", "field"), STRICT,
                         ids=[f"{k}-{f}" for k, _c, f in STRICT])  # fmt: skip
def test_strict_types_400_naming_the_field_and_nothing_stored(api, w, kind, change, field):
    c = w.id("cand")
    before = all_counts(w)
    body = {**body_for(w, kind), **change}
    error(api.call("POST", f"/candidates/{c}/{kind}", w.tok("cand"), body), 400, field)
    assert all_counts(w) == before
    record = create(api, w, kind, 1)
    before = all_counts(w)
    error(api.call("PATCH", rpath(w, kind, record["id"]), w.tok("cand"), change), 400, field)
    assert all_counts(w) == before
    assert ok(api.get(rpath(w, kind, record["id"]), w.tok("cand"))) == record


# ---------------------------------------------------------------------------- paging


def _paged_operations(document: dict[str, Any]) -> set[str]:
    return {
        path
        for path, operation in _get_operations(document)
        if any(p["name"] == "limit" for p in operation.get("parameters", []))
    }


def _paged_lists(w: World) -> dict[str, tuple[str, str]]:
    c = w.id("cand")
    lists = {
        "/candidates": ("/candidates", "coord"),
        "/approvals": ("/approvals", "coord"),
        "/audit": (f"/audit?candidate_id={c}", "coord"),
        "/credentials": ("/credentials", "cand"),
        "/mentors": ("/mentors", "cand"),
        "/cohort": ("/cohort", "coord"),
        "/me/notifications": ("/me/notifications", "cand"),
    }
    for kind in MODELS:
        lists[f"/candidates/{{candidate_id}}/{kind}"] = (f"/candidates/{c}/{kind}", "cand")
    return lists


def _walk(api: CheckedClient, path: str, token: str, limit: int) -> tuple[list[Any], int]:
    """Follow the Link headers from the first page; every page says the same total."""
    sep = "&" if "?" in path else "?"
    url: str | None = f"{path}{sep}limit={limit}"
    items: list[Any] = []
    totals = set()
    pages = 0
    while url is not None:
        response = api.get(url, token)
        page = ok(response)
        assert isinstance(page, list) and len(page) <= limit
        items += page
        totals.add(int(response.headers["X-Total-Count"]))
        pages += 1
        link = response.headers.get("Link")
        if link is None:
            url = None
        else:
            match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
            assert match, link
            parts = urlsplit(match.group(1))
            assert parts.path.startswith("/api/v1/")
            url = parts.path.removeprefix("/api/v1") + "?" + parts.query
        assert pages < 100
    assert len(totals) == 1
    return items, totals.pop()


def test_every_list_pages_with_limit_and_cursor(api, w, document):
    c = w.id("cand")
    for kind in MODELS:
        create(api, w, kind)
        create(api, w, kind, 1)
    for who in ("cand", "cand2"):
        ok(api.call("POST", f"/candidates/{w.id(who)}/enrolments", w.tok("coord"),
                    {"credential": "cfp"}), 201)  # fmt: skip
    ok(api.call("POST", f"/candidates/{c}/enrolments", w.tok("coord"), {"credential": "cfa"}), 201)
    lists = _paged_lists(w)
    assert set(lists) == _paged_operations(document), "every paged list needs a row here"
    for template, (path, who) in lists.items():
        token = w.tok(who)
        sep = "&" if "?" in path else "?"
        everything = ok(api.get(f"{path}{sep}limit=1000", token))
        assert len(everything) >= 2, template
        first = api.get(path, token)
        assert int(first.headers["X-Total-Count"]) == len(everything)
        assert "Link" not in first.headers, "fewer than 100 rows: one page"
        walked, total = _walk(api, path, token, 1)
        assert walked == everything and total == len(everything), template
        assert _walk(api, path, token, len(everything) - 1)[0] == everything
        error(api.get(f"{path}{sep}limit=1001", token), 400, "limit")
        error(api.get(f"{path}{sep}limit=0", token), 400, "limit")
        error(api.get(f"{path}{sep}limit=ten", token), 400, "limit")
        error(api.get(f"{path}{sep}cursor=not-a-cursor!", token), 400, "cursor")
        assert ok(api.get(f"{path}{sep}cursor=AAAAAAAA", token)) == everything  # the start
        end = api.get(f"{path}{sep}cursor=________", token)  # far past the last row
        assert ok(end) == [] and "Link" not in end.headers
        assert int(end.headers["X-Total-Count"]) == len(everything)


def test_lists_answer_100_rows_by_default(api, w, factory):
    def many() -> None:
        start = date(2020, 1, 6)
        for n in range(130):
            db.session.add(ExperienceEntry(candidate_id=w.id("cand"), start=start + timedelta(n),
                                           end=start + timedelta(n), hours=1,
                                           category="financial-planning"))  # fmt: skip

    factory.run(many)
    path = f"/candidates/{w.id('cand')}/experience"
    first = api.get(path, w.tok("cand"))
    assert len(ok(first)) == 100 and first.headers["X-Total-Count"] == "131"
    assert 'rel="next"' in first.headers["Link"]
    walked, total = _walk(api, path, w.tok("cand"), 100)
    assert total == 131 and len({r["id"] for r in walked}) == 131
    with w.app.app_context():
        ids = list(db.session.scalars(select(HoursEntry.id).where(
            HoursEntry.candidate_id == w.id("cand"), HoursEntry.source == "employment"
        ).order_by(HoursEntry.id)))  # fmt: skip
    assert [r["id"] for r in walked] == ids


# ---------------------------------------------------------------------------- the document


def test_the_document_describes_operations_limits_and_strict_bodies(document):
    ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            ids.append(operation["operationId"])
            assert operation["tags"] and operation["summary"], (method, path)
            assert (
                "405" in operation["responses"]
                and "Allow" in (operation["responses"]["405"]["headers"])
            )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                name = body["schema"]["$ref"].rsplit("/", 1)[1]
                assert document["components"]["schemas"][name]["additionalProperties"] is False
            params = {p["name"]: p for p in operation.get("parameters", [])}
            if "limit" in params:
                assert params["limit"]["schema"]["maximum"] == 1000
                assert params["limit"]["schema"]["default"] == 100
                assert "cursor" in params
                headers = operation["responses"]["200"]["headers"]
                assert {"Link", "X-Total-Count"} <= set(headers)
    assert len(ids) == len(set(ids)), "operationIds are unique"
    by_id = {op["operationId"]: (path, op) for path, item in document["paths"].items()
             for op in item.values()}  # fmt: skip
    links = 0
    for path, item in document["paths"].items():
        for operation in item.values():
            for response in operation["responses"].values():
                for name, link in response.get("links", {}).items():
                    target_path, _target = by_id[link["operationId"]]
                    assert set(link["parameters"]) == set(re.findall(r"\{(\w+)\}", target_path))
                    links += 1
    assert links >= 40, "created records lead to their own operations"
    progress = document["paths"]["/candidates/{candidate_id}/progress"]["get"]
    schema = progress["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Progress"}
    hours = document["components"]["schemas"]["ExperienceIn"]["properties"]["hours"]
    assert hours["type"] == "number" and hours["maximum"] == 100_000
