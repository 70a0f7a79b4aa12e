"""Candidate workflows through the pages: records, evidence, enrolment, what-if, waivers."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import extract_csrf, login
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.records.models import Degree, Enrolment, EvidenceFile, ExperienceEntry, Waiver

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture()
def people(factory):
    org, other = factory.org("Home"), factory.org("Other")
    return {
        "cand": factory.user("candidate", org, name="Casey Cand"),
        "coord": factory.user("coordinator", org, name="Cora Coord"),
        "mentor": factory.user("mentor", org, name="Max Mentor"),
        "outsider": factory.user("coordinator", other),
        "admin": factory.user("admin"),
    }


def client_for(app, user):
    c = app.test_client()
    assert login(c, user.email).status_code == 302
    return c


def post_form(c, url, data, page_url=None):
    token = extract_csrf(c.get(page_url or url).get_data(as_text=True))
    return c.post(url, data={**data, "csrf_token": token})


def count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def test_candidate_logs_edits_and_deletes_pending_hours(app, people):
    c = client_for(app, people["cand"])
    cid = people["cand"].id
    url = f"/candidates/{cid}/records/experience/new"
    r = post_form(
        c,
        url,
        {
            "start": "2025-01-01",
            "end": "2025-01-31",
            "hours": "160",
            "category": "financial-planning",
            "employer": "Acme",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        entry = db.session.scalar(db.select(ExperienceEntry))
        assert (
            entry.status.value == "pending" and entry.hours == 160 and entry.source == "employment"
        )
        eid = entry.id
    edit = f"/candidates/{cid}/records/experience/{eid}/edit"
    r = post_form(
        c,
        edit,
        {
            "start": "2025-01-01",
            "end": "2025-01-31",
            "hours": "150",
            "category": "financial-planning",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(ExperienceEntry, eid).hours == 150
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
        assert "experience.create" in actions and "experience.update" in actions
    r = post_form(
        c,
        f"/candidates/{cid}/records/experience/{eid}/delete",
        {},
        page_url=f"/candidates/{cid}/records",
    )
    assert r.status_code == 302
    assert count(app, ExperienceEntry) == 0


def test_bad_hours_keep_what_was_typed_and_store_nothing(app, people):
    c = client_for(app, people["cand"])
    url = f"/candidates/{people['cand'].id}/records/experience/new"
    r = post_form(
        c,
        url,
        {
            "start": "2025-01-10",
            "end": "2025-01-01",
            "hours": "20",
            "category": "financial-planning",
            "employer": "Typed Employer Ltd",
        },
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "must be on or after start" in html
    assert "Typed Employer Ltd" in html  # nothing the user entered is lost
    r = post_form(
        c,
        url,
        {
            "start": "2025-01-01",
            "end": "2025-01-01",
            "hours": "25",
            "category": "financial-planning",
        },
    )
    assert r.status_code == 400 and "24 hours a day" in r.get_data(as_text=True)
    assert count(app, ExperienceEntry) == 0


def test_decided_entries_are_locked(app, people, factory):
    from tracker.accounts.models import User
    from tracker.approvals.operations import approve_experience
    from tracker.candidates.operations import add_record

    def make():
        cand = db.session.get(User, people["cand"].id)
        entry = add_record(
            cand,
            cand,
            "experience",
            {
                "start": "2025-02-01",
                "end": "2025-02-28",
                "hours": 100,
                "category": "financial-planning",
            },
        )
        approve_experience(db.session.get(User, people["coord"].id), entry)
        return entry.id

    eid = factory.run(make)
    c = client_for(app, people["cand"])
    cid = people["cand"].id
    r = post_form(
        c,
        f"/candidates/{cid}/records/experience/{eid}/edit",
        {
            "start": "2025-02-01",
            "end": "2025-02-28",
            "hours": "999",
            "category": "financial-planning",
        },
    )
    assert r.status_code == 302
    assert "already approved" in c.get(r.headers["Location"]).get_data(as_text=True)
    r = post_form(
        c,
        f"/candidates/{cid}/records/experience/{eid}/delete",
        {},
        page_url=f"/candidates/{cid}/records",
    )
    with app.app_context():
        assert db.session.get(ExperienceEntry, eid).hours == 100


def test_degree_course_exam_attestation_forms(app, people):
    c = client_for(app, people["cand"])
    cid = people["cand"].id
    base = f"/candidates/{cid}/records"
    assert (
        post_form(
            c,
            f"{base}/degrees/new",
            {
                "level": "bachelor",
                "field": "Finance",
                "institution": "State U",
                "accredited": "y",
                "conferred_on": "2018-06-01",
            },
        ).status_code
        == 302
    )
    assert (
        post_form(
            c,
            f"{base}/courses/new",
            {
                "title": "Tax",
                "provider": "cfp-registered",
                "topics": ["tax", "estate"],
                "credits": "3",
                "completed_on": "2023-01-01",
                "passed": "y",
            },
        ).status_code
        == 302
    )
    assert (
        post_form(
            c, f"{base}/exams/new", {"code": "CFP", "taken_on": "2024-03-10", "passed": "true"}
        ).status_code
        == 302
    )
    assert post_form(c, f"{base}/attestations/new", {"kind": "ethics"}).status_code == 302
    assert (
        post_form(
            c, f"{base}/credentials/new", {"credential_id": "cpa", "awarded_on": "2015-01-01"}
        ).status_code
        == 302
    )
    page = c.get(base).get_data(as_text=True)
    for text in (
        "Finance",
        "State U",
        "Tax",
        "Estate planning, Tax planning",
        "CFP® exam",
        "Ethics declaration",
        "CPA licence",
    ):
        assert text in page
    bad = post_form(
        c, f"{base}/degrees/new", {"level": "bachelor", "field": "", "institution": "X"}
    )
    assert bad.status_code == 400
    assert count(app, Degree) == 1


def test_evidence_upload_checked_by_content_and_served_only_to_allowed(app, people, factory):
    from tracker.accounts.models import User
    from tracker.candidates.operations import add_record

    did = factory.run(
        lambda: (
            add_record(
                db.session.get(User, people["cand"].id),
                db.session.get(User, people["cand"].id),
                "degrees",
                {
                    "level": "bachelor",
                    "field": "Finance",
                    "institution": "U",
                    "conferred_on": "2018-01-01",
                },
            ).id
        )
    )
    c = client_for(app, people["cand"])
    cid = people["cand"].id
    url = f"/candidates/{cid}/records/degrees/{did}/evidence"
    token = extract_csrf(c.get(url).get_data(as_text=True))
    fake = c.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "transcript.pdf")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "checked by content" in fake.get_data(as_text=True)
    big = c.post(
        url,
        data={
            "csrf_token": token,
            "file": (io.BytesIO(PDF + b"0" * (10 * 1024 * 1024)), "big.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert big.status_code in (400, 413)
    ok = c.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(PNG), "../../etc/passwd.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    with app.app_context():
        item = db.session.scalar(db.select(EvidenceFile))
        assert item.content_type == "image/png" and item.original_name == "passwd.png"
        assert re.fullmatch(r"[0-9a-f]{32}\.png", item.stored_name)
        assert (app.config["UPLOAD_DIR"] / item.stored_name).read_bytes() == PNG
        eid = item.id
    got = c.get(f"/evidence/{eid}")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert client_for(app, people["coord"]).get(f"/evidence/{eid}").status_code == 200
    assert client_for(app, people["outsider"]).get(f"/evidence/{eid}").status_code == 404
    assert client_for(app, people["mentor"]).get(f"/evidence/{eid}").status_code == 404
    assert app.test_client().get(f"/evidence/{eid}").status_code == 302


def test_enrol_what_if_and_switch_pathway(app, people):
    c = client_for(app, people["cand"])
    cid = people["cand"].id
    r = post_form(c, f"/candidates/{cid}/enrolments", {"credential": "cfp", "pathway": "standard"})
    assert r.status_code == 302
    page = c.get(f"/candidates/{cid}/progress/cfp")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "What is left" in html and "Standard Pathway" in html
    what_if = c.get(f"/candidates/{cid}/progress/cfp?pathway=apprenticeship").get_data(as_text=True)
    assert "What-if" in what_if
    r = post_form(
        c,
        f"/candidates/{cid}/progress/cfp/pathway",
        {"pathway": "apprenticeship"},
        page_url=f"/candidates/{cid}/progress/cfp?pathway=apprenticeship",
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Enrolment)).pathway == "apprenticeship"
    dup = post_form(c, f"/candidates/{cid}/enrolments", {"credential": "cfp"})
    assert dup.status_code == 400 and "already enrolled" in dup.get_data(as_text=True)
    assert c.get(f"/candidates/{cid}/progress/cfp?pathway=nope").status_code == 400


def test_coordinator_grants_waiver_with_reason(app, people, factory):
    from tracker.accounts.models import User
    from tracker.candidates.operations import enrol
    from tracker.credentials.catalog import current_catalog

    factory.run(
        lambda: enrol(
            db.session.get(User, people["cand"].id),
            db.session.get(User, people["cand"].id),
            current_catalog(),
            {"credential": "cfp"},
        )
    )
    coord = client_for(app, people["coord"])
    cid = people["cand"].id
    page = f"/candidates/{cid}"
    missing = post_form(
        coord,
        f"/candidates/{cid}/waivers",
        {"credential": "cfp", "requirement": "degree", "reason": ""},
        page_url=page,
    )
    assert missing.status_code == 400 and count(app, Waiver) == 0
    ok = post_form(
        coord,
        f"/candidates/{cid}/waivers",
        {
            "credential": "cfp",
            "requirement": "degree",
            "reason": "Foreign degree evaluated as equivalent",
        },
        page_url=page,
    )
    assert ok.status_code == 302
    html = coord.get(f"/candidates/{cid}/progress/cfp").get_data(as_text=True)
    assert "Foreign degree evaluated as equivalent" in html
    cand = client_for(app, people["cand"])
    assert cand.post(f"/candidates/{cid}/waivers", data={}).status_code in (400, 403)


def test_cohort_sorts_and_exports_csv(app, people, factory):
    from tracker.accounts.models import User
    from tracker.candidates.operations import enrol
    from tracker.credentials.catalog import current_catalog

    factory.run(
        lambda: enrol(
            db.session.get(User, people["cand"].id),
            db.session.get(User, people["cand"].id),
            current_catalog(),
            {"credential": "finra-rep"},
        )
    )
    coord = client_for(app, people["coord"])
    page = coord.get("/cohort?sort=progress&dir=desc")
    assert page.status_code == 200 and "Casey Cand" in page.get_data(as_text=True)
    csv_resp = coord.get("/cohort.csv")
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    lines = csv_resp.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("candidate_id,name,email,credential")
    assert "finra-rep" in lines[1]
    assert client_for(app, people["cand"]).get("/cohort").status_code == 403
    assert (
        client_for(app, people["outsider"]).get("/cohort.csv").get_data(as_text=True).count("\n")
        == 1
    )


def test_evidence_on_an_internship_reaches_its_mentor(app, people, factory):
    from tracker.accounts.models import User
    from tracker.mentoring.operations import create_internship

    def make():
        cand = db.session.get(User, people["cand"].id)
        return create_internship(
            cand,
            cand,
            {
                "mentor_id": people["mentor"].id,
                "host": "Desk",
                "start": "2025-06-01",
                "end": "2025-08-31",
                "hours": 400,
            },
        ).id

    iid = factory.run(make)
    c = client_for(app, people["cand"])
    url = f"/candidates/{people['cand'].id}/records/internships/{iid}/evidence"
    token = extract_csrf(c.get(url).get_data(as_text=True))
    r = c.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(PDF), "letter.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    with app.app_context():
        item = db.session.scalar(db.select(EvidenceFile))
        assert (item.record_type, item.record_id, item.content_type) == (
            "internships",
            iid,
            "application/pdf",
        )
    assert client_for(app, people["mentor"]).get(f"/evidence/{item.id}").status_code == 200
    assert (
        c.get(f"/candidates/{people['cand'].id}/records/nothing/{iid}/evidence").status_code == 404
    )
