"""Records a regulator can trust: waivers that respect the rules, verified records."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.candidates.test_pages import PDF, client_for, count, post_form
from tests.conftest import bearer
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.records.models import EvidenceFile, ExamResult, Waiver
from tracker.timeutil import today


@pytest.fixture()
def people(factory):
    from tracker.accounts.models import User
    from tracker.candidates.operations import enrol
    from tracker.credentials.catalog import current_catalog

    org, other = factory.org("Home"), factory.org("Other")
    people = {
        "cand": factory.user("candidate", org, name="Casey Cand"),
        "coord": factory.user("coordinator", org, name="Cora Coord"),
        "outsider": factory.user("coordinator", other),
    }

    def setup():
        cand = db.session.get(User, people["cand"].id)
        enrol(cand, cand, current_catalog(), {"credential": "cfp"})
        enrol(cand, cand, current_catalog(), {"credential": "finra-rep"})

    factory.run(setup)
    return people


def _waive(client, token, cid, **body):
    return client.post(f"/api/v1/candidates/{cid}/waivers", json=body, headers=bearer(token))


@pytest.mark.parametrize(
    ("credential", "requirement"),
    [
        ("cfp", "exam"),
        ("cfp", "ethics"),
        ("cfp", "ethics-declaration"),
        ("cfp", "background-check"),
        ("finra-rep", "sie"),
        ("finra-rep", "series-7"),
        ("finra-rep", "series-63"),
    ],
)
def test_api_refuses_a_waiver_the_issuer_never_grants(
    app, people, factory, credential, requirement
):
    token = factory.token(people["coord"])
    r = _waive(app.test_client(), token, people["cand"].id, credential=credential,
               requirement=requirement, reason="Please")  # fmt: skip
    assert r.status_code == 400
    message = r.get_json()["error"]["message"]
    assert message.startswith("requirement:") and "cannot be waived" in message
    assert count(app, Waiver) == 0


def test_api_refuses_the_cfa_exams(app, factory):
    from tracker.accounts.models import User
    from tracker.candidates.operations import enrol
    from tracker.credentials.catalog import current_catalog

    org = factory.org("CFA org")
    cand, coord = factory.user("candidate", org), factory.user("coordinator", org)
    factory.run(
        lambda: enrol(
            db.session.get(User, cand.id),
            db.session.get(User, cand.id),
            current_catalog(),
            {"credential": "cfa"},
        )  # fmt: skip
    )
    token = factory.token(coord)
    for level in ("level-1", "level-2", "level-3"):
        r = _waive(app.test_client(), token, cand.id, credential="cfa", requirement=level,
                   reason="Experienced")  # fmt: skip
        assert r.status_code == 400, level
    assert count(app, Waiver) == 0


def test_duplicate_active_waiver_is_409_and_revoked_one_can_be_granted_again(app, people, factory):
    token = factory.token(people["coord"])
    client, cid = app.test_client(), people["cand"].id
    body = {"credential": "cfp", "requirement": "capstone", "reason": "Pre-2012 enrolment (E7)"}
    first = _waive(client, token, cid, **body)
    assert first.status_code == 201 and first.get_json()["status"] == "active"
    again = _waive(client, token, cid, **body)
    assert again.status_code == 409
    assert "already has an active waiver" in again.get_json()["error"]["message"]
    assert count(app, Waiver) == 1
    wid = first.get_json()["id"]
    revoked = client.post(f"/api/v1/waivers/{wid}/revoke", json={"reason": "Granted in error"},
                          headers=bearer(token))  # fmt: skip
    assert revoked.status_code == 200
    assert _waive(client, token, cid, **body).status_code == 201


def test_waiver_expiry_must_be_in_the_future_and_an_expired_waiver_is_not_active(
    app, people, factory
):
    token = factory.token(people["coord"])
    client, cid = app.test_client(), people["cand"].id
    body = {"credential": "cfp", "requirement": "capstone", "reason": "Alternative (E10)"}
    past = _waive(client, token, cid, **body, expires_on=today().isoformat())
    assert past.status_code == 400
    assert past.get_json()["error"]["message"].startswith("expires_on:")
    future = (today() + timedelta(days=30)).isoformat()
    ok = _waive(client, token, cid, **body, expires_on=future)
    assert ok.status_code == 201 and ok.get_json()["expires_on"] == future


def test_waived_requirement_reads_waived_on_every_page(app, people, factory):
    token = factory.token(people["coord"])
    cid = people["cand"].id
    reason = "Transcript Review credited the remaining domains"
    r = _waive(app.test_client(), token, cid, credential="cfp", requirement="registered-program",
               reason=reason)  # fmt: skip
    assert r.status_code == 201
    coord = client_for(app, people["coord"])
    progress = coord.get(f"/candidates/{cid}/progress/cfp").get_data(as_text=True)
    assert 'badge badge-waived">Waived' in progress and reason in progress
    profile = coord.get(f"/candidates/{cid}").get_data(as_text=True)
    # The credential is not met, but the profile names the waiver and its reason.
    assert "badge-waived" in profile and reason in profile
    cohort = coord.get("/cohort").get_data(as_text=True)
    assert cohort.count("badge-waived") == profile.count("badge-waived")
    cand = client_for(app, people["cand"])
    home = cand.get("/").get_data(as_text=True)
    assert home.count("badge-waived") == profile.count("badge-waived")
    waivers = coord.get(f"/candidates/{cid}/waivers").get_data(as_text=True)
    assert reason in waivers and "Revoke" in waivers


def test_a_fully_waived_requirement_shows_waived_on_profile_home_and_cohort(app, people, factory):
    token = factory.token(people["coord"])
    cid = people["cand"].id
    reason = "Degree evaluated as equivalent"
    assert _waive(app.test_client(), token, cid, credential="cfp", requirement="degree",
                  reason=reason).status_code == 201  # fmt: skip
    coord = client_for(app, people["coord"])
    for url in (f"/candidates/{cid}", "/cohort"):
        html = coord.get(url).get_data(as_text=True)
        assert "badge-waived" in html and reason in html, url
    home = client_for(app, people["cand"]).get("/").get_data(as_text=True)
    assert "badge-waived" in home and reason in home


def test_page_refuses_a_non_waivable_requirement_and_names_it(app, people):
    coord = client_for(app, people["coord"])
    cid = people["cand"].id
    r = post_form(coord, f"/candidates/{cid}/waivers",
                  {"credential": "cfp", "requirement": "exam", "reason": "Strong candidate"},
                  page_url=f"/candidates/{cid}")  # fmt: skip
    assert r.status_code == 400
    assert "cannot be waived" in r.get_data(as_text=True)
    assert count(app, Waiver) == 0


def test_page_lists_and_revokes_a_waiver_with_a_reason(app, people):
    coord = client_for(app, people["coord"])
    cid = people["cand"].id
    page = f"/candidates/{cid}/waivers"
    granted = post_form(coord, f"/candidates/{cid}/waivers",
                        {"credential": "cfp", "requirement": "capstone", "reason": "E7 exemption",
                         "expires_on": (today() + timedelta(days=60)).isoformat(),
                         "from": "waivers"}, page_url=page)  # fmt: skip
    assert granted.status_code == 302
    dup = post_form(coord, f"/candidates/{cid}/waivers",
                    {"credential": "cfp", "requirement": "capstone", "reason": "Again",
                     "from": "waivers"}, page_url=page)  # fmt: skip
    assert dup.status_code == 409 and "already has an active waiver" in dup.get_data(as_text=True)
    with app.app_context():
        wid = db.session.query(Waiver).one().id
    url = f"/candidates/{cid}/waivers/{wid}/revoke"
    empty = post_form(coord, url, {f"w{wid}-reason": ""}, page_url=page)
    assert empty.status_code == 400
    done = post_form(coord, url, {f"w{wid}-reason": "The exemption letter was withdrawn"},
                     page_url=page)  # fmt: skip
    assert done.status_code == 302
    html = coord.get(page).get_data(as_text=True)
    assert "The exemption letter was withdrawn" in html and "Revoked" in html
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        assert "waiver.create" in actions and "waiver.revoke" in actions
    outsider = app.test_client()
    login_ok = client_for(app, people["outsider"])
    assert login_ok.get(page).status_code == 404
    assert outsider.get(page).status_code == 302


def _add_exam(app, people):
    from tracker.accounts.models import User
    from tracker.candidates.operations import add_record

    with app.app_context():
        cand = db.session.get(User, people["cand"].id)
        row = add_record(cand, cand, "exams", {"code": "CFP", "taken_on": "2025-03-10",
                                                "passed": True})  # fmt: skip
        db.session.commit()
        return row.id


def test_coordinator_verifies_a_record_on_the_records_page_and_it_locks(app, people):
    cid = people["cand"].id
    rid = _add_exam(app, people)
    cand = client_for(app, people["cand"])
    records = f"/candidates/{cid}/records"
    up = cand.post(
        f"/candidates/{cid}/records/exams/{rid}/evidence",
        data={"csrf_token": _csrf(cand, records), "file": (io.BytesIO(PDF), "score.pdf")},
        content_type="multipart/form-data",
    )
    assert up.status_code == 302
    assert "Self-reported" in cand.get(records).get_data(as_text=True)
    # The candidate may not verify their own record.
    assert post_form(cand, f"/candidates/{cid}/records/exams/{rid}/verify", {},
                     page_url=records).status_code == 403  # fmt: skip
    coord = client_for(app, people["coord"])
    page = coord.get(records).get_data(as_text=True)
    assert f"/records/exams/{rid}/verify" in page
    r = post_form(coord, f"/candidates/{cid}/records/exams/{rid}/verify", {}, page_url=records)
    assert r.status_code == 302
    page = coord.get(records).get_data(as_text=True)
    assert "verified by Cora Coord on" in page
    assert f"/records/exams/{rid}/verify" not in page
    with app.app_context():
        exam = db.session.get(ExamResult, rid)
        assert exam.verified_by_id == people["coord"].id and exam.verified_on == today()
        assert db.session.query(AuditEvent).filter_by(action="exams.verify").count() == 1
        evidence_id = db.session.query(EvidenceFile).one().id
    # Locked: no edit, no delete, no evidence added or removed.
    cand_page = cand.get(records).get_data(as_text=True)
    assert f"/records/exams/{rid}/edit" not in cand_page
    assert f"/evidence/{evidence_id}/delete" not in cand_page
    assert (
        post_form(cand, f"/evidence/{evidence_id}/delete", {}, page_url=records).status_code == 302
    )
    assert count(app, EvidenceFile) == 1
    assert post_form(cand, f"/candidates/{cid}/records/exams/{rid}/delete", {},
                     page_url=records).status_code == 302  # fmt: skip
    assert count(app, ExamResult) == 1
    more = cand.post(
        f"/candidates/{cid}/records/exams/{rid}/evidence",
        data={"csrf_token": _csrf(cand, records), "file": (io.BytesIO(PDF), "more.pdf")},
        content_type="multipart/form-data",
    )
    assert more.status_code == 409 and count(app, EvidenceFile) == 1


def test_statement_says_verified_by_or_self_reported(app, people, factory):
    from tracker.accounts.models import User
    from tracker.candidates.operations import add_record, verify_record
    from tracker.credentials.catalog import current_catalog
    from tracker.statements.content import prepare_statement
    from tracker.statements.pdf import render_html

    with app.app_context():
        cand = db.session.get(User, people["cand"].id)
        coord = db.session.get(User, people["coord"].id)
        exam = add_record(cand, cand, "exams", {"code": "CFP", "taken_on": "2025-03-10",
                                                 "passed": True})  # fmt: skip
        add_record(cand, cand, "attestations", {"kind": "ethics", "signed_on": "2025-04-01"})
        verify_record(coord, cand, "exams", exam)
        db.session.commit()
        content = prepare_statement(current_catalog(), cand, "cfp", today()).content
        checked = {x["kind"]: x for x in content["records"]}
        assert checked["Exam result"]["verified"] is True
        assert checked["Exam result"]["verified_by"] == "Cora Coord"
        assert checked["Exam result"]["verified_on"] == today().isoformat()
        assert checked["Attestation"]["verified"] is False
        with app.test_request_context():
            html = render_html({"content": content, "verification": {
                "code": "TEST", "url": "http://localhost/verify/TEST",
                "issued_at": "2026-01-01T00:00:00+00:00", "issued_by": "Cora Coord"}})  # fmt: skip
        assert "verified by Cora Coord on" in html and "self-reported" in html


def _csrf(client, url):
    from tests.conftest import extract_csrf

    return extract_csrf(client.get(url).get_data(as_text=True))


def test_the_demo_shows_verified_self_reported_waived_and_a_refused_waiver(app, runner):
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.candidates.operations import grant_waiver
    from tracker.credentials.catalog import current_catalog
    from tracker.errors import ValidationError
    from tracker.records.models import Course, Degree

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():

        def user(email):
            return db.session.scalar(select(User).where(User.email == email))

        alice, elena = user("alice.carter@demo.tracker"), user("elena.rossi@demo.tracker")
        farid, coord = user("farid.haddad@demo.tracker"), user("coordinator@demo.tracker")
        assert db.session.scalar(
            select(Degree).where(Degree.candidate_id == alice.id)
        ).verified_by_id
        assert not any(
            c.verified_by_id for c in db.session.scalars(select(Course).where(
                Course.candidate_id == alice.id))
        )  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            grant_waiver(coord, farid, current_catalog(),
                         {"credential": "finra-rep", "requirement": "sie", "reason": "Lapsed"})  # fmt: skip
        assert "requirement" in refused.value.errors
        db.session.rollback()
        waiver = db.session.scalar(select(Waiver).where(Waiver.candidate_id == elena.id))
        assert waiver.requirement == "registered-program"
        alice_id, elena_id = alice.id, elena.id
    coord_client = app.test_client()
    from tests.conftest import login

    assert login(coord_client, "coordinator@demo.tracker", "tracker-demo-2026").status_code == 302
    progress = coord_client.get(f"/candidates/{elena_id}/progress/cfp").get_data(as_text=True)
    assert "badge-waived" in progress and "Transcript Review" in progress
    records = coord_client.get(f"/candidates/{alice_id}/records").get_data(as_text=True)
    assert "verified by Dana Whitfield on" in records and "Self-reported" in records


def test_the_waiver_form_greys_out_what_the_issuer_never_waives(app, people):
    import re

    coord = client_for(app, people["coord"])
    html = coord.get(f"/candidates/{people['cand'].id}/waivers?lang=pl").get_data(as_text=True)
    options = re.findall(r'<option ((?:disabled )?)value="([^"]+)"', html)
    disabled = {value for flag, value in options if flag}
    offered = {value for flag, value in options if not flag}
    assert {"exam", "ethics"} <= disabled and "capstone" in offered
    assert "nigdy nie podlega zwolnieniu" in html and "Certyfikat CFP®" in html
