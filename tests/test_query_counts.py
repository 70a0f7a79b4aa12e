"""SQL statements per page do not grow with the number of candidates; the result cache
follows every change to a candidate's records; bulk loading builds the same records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bench.bench_pages import counting, forget_caches
from bench.datagen import PASSWORD, populate
from tests.conftest import login
from tracker.accounts.models import User
from tracker.credentials import cache
from tracker.credentials.catalog import current_catalog
from tracker.credentials.evaluation import evaluate_cohort
from tracker.database import writing
from tracker.extensions import db
from tracker.records import adapter as rec
from tracker.records.models import (
    Attestation,
    Course,
    Degree,
    Enrolment,
    EntryStatus,
    ExamResult,
    ExperienceEntry,
    HeldCredential,
    HoursEntry,
    Internship,
    Registration,
    Waiver,
)
from tracker.requirements_engine.records import EntryRecord, parse_records
from tracker.timeutil import today

PAGES = ("progress", "cohort", "approvals")
MAX_STATEMENTS = 14  # constant: one bulk query per record table, waivers of the page


@pytest.fixture()
def orgs(app):
    """A coordinator with 10 candidates and one with 1,000 (8 weekly entries each)."""
    with app.app_context(), writing():
        small = populate(10, weeks=8, start_org=0).orgs[0]
        large = populate(1000, weeks=8, start_org=1).orgs[0]
    return {"small": small, "large": large}


def _url(app, org, page):
    if page == "cohort":
        return "/cohort"
    if page == "approvals":
        return "/approvals"
    with app.app_context():
        cid = db.session.scalar(
            select(Enrolment.candidate_id)
            .where(Enrolment.credential == "cfp", Enrolment.candidate_id.in_(org.candidate_ids))
            .order_by(Enrolment.candidate_id)
        )
    return f"/candidates/{cid}/progress/cfp"


def _statements(app, client, url):
    """Statements of one request with every cache empty (the worst case)."""
    forget_caches(app)
    with app.app_context():
        engine = db.engine
    with counting(engine) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


@pytest.mark.parametrize("page", PAGES)
def test_statements_per_page_do_not_grow_with_candidates(app, orgs, page):
    counts = {}
    for size, org in orgs.items():
        client = app.test_client()
        assert login(client, org.coordinator_email, PASSWORD).status_code == 302
        url = _url(app, org, page)
        _statements(app, client, url)  # first request: catalog, templates
        counts[size] = _statements(app, client, url)
    assert counts["small"] == counts["large"], counts
    assert counts["large"] <= MAX_STATEMENTS, counts


def test_cohort_is_bulk_loaded(app, orgs):
    """evaluate_cohort: the same statements for 10 and 1,000 candidates; none when cached."""
    counts = {}
    with app.test_request_context():
        catalog = current_catalog()
        for size, org in orgs.items():
            people = db.session.scalars(select(User).where(User.id.in_(org.candidate_ids))).all()
            cache.results.clear()
            with counting(db.engine) as cold:
                progress = evaluate_cohort(catalog, people, today())
            with counting(db.engine) as warm:
                again = evaluate_cohort(catalog, people, today())
            assert [p.result for p in again] == [p.result for p in progress]
            assert all(p.error is None for p in progress)
            counts[size] = (len(cold), len(warm))
    assert counts["small"] == counts["large"], counts
    assert counts["large"][1] == 1  # only the enrolments: every result came from the cache


def _evaluate(app, candidate_id):
    with app.test_request_context():
        person = db.session.get(User, candidate_id)
        [progress] = evaluate_cohort(current_catalog(), [person], today())
        return person.records_version, progress.result


def test_the_cache_follows_every_change_to_the_records(app, factory, orgs):
    from tracker.approvals.operations import approve_experience

    org = orgs["small"]
    cid = org.candidate_ids[0]  # has pending weeks (one candidate in ten)
    version, before = _evaluate(app, cid)
    assert _evaluate(app, cid) == (version, before)

    def approve():
        entry = db.session.scalar(
            select(ExperienceEntry).where(
                ExperienceEntry.candidate_id == cid, ExperienceEntry.status == EntryStatus.PENDING
            )
        )
        approve_experience(db.session.get(User, org.coordinator_id), entry)

    factory.run(approve)  # a conditional UPDATE statement, not a flush
    version2, after = _evaluate(app, cid)
    assert version2 != version and after != before

    def delete_degree():
        db.session.delete(db.session.scalar(select(Degree).where(Degree.candidate_id == cid)))

    factory.run(delete_degree)  # a flush
    version3, without_degree = _evaluate(app, cid)
    assert version3 != version2 and without_degree != after

    def edit_course():
        course = db.session.scalar(select(Course).where(Course.candidate_id == cid))
        course.passed = False

    factory.run(edit_course)
    assert _evaluate(app, cid)[0] != version3


def test_bulk_loading_builds_the_same_records_as_the_row_converters(app, factory):
    """Statements fingerprint these documents: the bulk path must not change a byte."""
    org = factory.org()
    cand = factory.user("candidate", org)
    mentor = factory.user("mentor", org)
    coord = factory.user("coordinator", org)
    day = date(2024, 3, 4)

    def add():
        db.session.add_all(
            [
                Degree(candidate_id=cand.id, level="bachelor", field="Finance",
                       institution="U", accredited=True, conferred_on=day),
                Degree(candidate_id=cand.id, level="master", field="Tax",
                       institution="V", accredited=False, conferred_on=None),
                Course(candidate_id=cand.id, title="Tax", provider="cfp-registered",
                       topics=["tax"], credits=3, completed_on=day, passed=True),
                ExamResult(candidate_id=cand.id, code="CFP", taken_on=day, passed=False),
                Attestation(candidate_id=cand.id, kind="ethics", signed_on=day),
                HeldCredential(candidate_id=cand.id, credential_id="cpa", awarded_on=day,
                               expires_on=day + timedelta(days=900)),
                HeldCredential(candidate_id=cand.id, credential_id="clu", awarded_on=day,
                               expires_on=None),
                ExperienceEntry(candidate_id=cand.id, start=day, end=day + timedelta(days=6),
                                hours=40.5, category="financial-planning", supervised=True,
                                status=EntryStatus.APPROVED),
                Internship(candidate_id=cand.id, mentor_id=mentor.id, host="H", start=day,
                           end=day + timedelta(days=30), hours=120,
                           status=EntryStatus.PENDING),
                Waiver(candidate_id=cand.id, credential="cfp", requirement="degree",
                       reason="Exempt", approved_by_id=coord.id, approved_on=day),
                Registration(candidate_id=cand.id, kind="finra", start=day, end=None),
                Registration(candidate_id=cand.id, kind="finra", start=day,
                             end=day + timedelta(days=400)),
            ]
        )  # fmt: skip

    factory.run(add)
    with app.app_context():
        bulk = rec.load_records([cand.id])[cand.id]
        expected = rec.empty_records()
        for key, model, convert in (
            ("degrees", Degree, rec.degree_record),
            ("courses", Course, rec.course_record),
            ("exams", ExamResult, rec.exam_record),
            ("experience", HoursEntry, rec.hours_record),
            ("attestations", Attestation, rec.attestation_record),
            ("credentials", HeldCredential, rec.held_record),
            ("registrations", Registration, rec.registration_record),
        ):
            order = (model.source, model.id) if model is HoursEntry else (model.id,)
            for row in db.session.scalars(select(model).order_by(*order)):
                expected[key].append(convert(row))
        for waiver in db.session.scalars(select(Waiver)):
            expected["waivers"].append(rec.waiver_record(waiver, coord.email))
        assert bulk == expected
        assert rec.fingerprint(bulk) == rec.fingerprint(expected)
        # For evaluation, the entries come typed: the same records the engine makes of them.
        typed = rec.load_records([cand.id], typed=True)[cand.id]
        assert {k: v for k, v in typed.items() if k != "experience"} == {
            k: v for k, v in bulk.items() if k != "experience"
        }
        assert all(isinstance(x, EntryRecord) for x in typed["experience"])
        assert (
            parse_records({"experience": typed["experience"]}).experience
            == parse_records({"experience": bulk["experience"]}).experience
        )
        assert len(typed["experience"]) == 2
