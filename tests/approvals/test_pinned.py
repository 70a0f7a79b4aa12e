"""Decisions pin what was seen; the queue shows evidence, warnings and totals; bulk reject."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from bench.bench_pages import counting
from tests.candidates.test_pages import PNG, client_for
from tests.conftest import extract_csrf
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.candidates.operations import add_record, enrol, update_record
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry


def _entry(start, end, hours, category="financial-planning"):
    return {"start": start, "end": end, "hours": hours, "category": category}


@pytest.fixture()
def world(factory):
    org = factory.org("Home")
    ann = factory.user("candidate", org, name="Ann Able")
    coord = factory.user("coordinator", org, name="Cora Coord")

    def build():
        user = db.session.get(User, ann.id)
        enrol(user, user, current_catalog(), {"credential": "cfp", "pathway": "standard"})
        ids = {
            # A 60-hour week: above CFP's 40 hours a week.
            "heavy": add_record(user, user, "experience",
                                _entry(date(2025, 3, 3), date(2025, 3, 9), 60)).id,
            # The same week logged twice.
            "dup_a": add_record(user, user, "experience",
                                _entry(date(2025, 5, 5), date(2025, 5, 9), 20)).id,
            "dup_b": add_record(user, user, "experience",
                                _entry(date(2025, 5, 5), date(2025, 5, 9), 20)).id,
            # Overlapping a different entry.
            "long": add_record(user, user, "experience",
                               _entry(date(2025, 7, 1), date(2025, 7, 31), 120)).id,
            "inside": add_record(user, user, "experience",
                                 _entry(date(2025, 7, 14), date(2025, 7, 18), 10)).id,
            # Nothing to notice.
            "plain": add_record(user, user, "experience",
                                _entry(date(2025, 10, 1), date(2025, 10, 31), 120)).id,
        }  # fmt: skip
        return ids

    return {"ann": ann, "coord": coord, "org": org, "ids": factory.run(build)}


def _row(html, entry_id):
    match = re.search(rf'<tr id="entry-{entry_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, entry_id
    return match.group(0)


def _csrf(c, url="/approvals"):
    return extract_csrf(c.get(url).get_data(as_text=True))


def _version(app, entry_id):
    with app.app_context():
        return db.session.get(ExperienceEntry, entry_id).version


def test_queue_flags_weekly_cap_duplicates_and_overlaps_and_shows_totals(app, world):
    ids = world["ids"]
    html = client_for(app, world["coord"]).get("/approvals").get_data(as_text=True)
    heavy = _row(html, ids["heavy"])
    assert 'class="flagged"' in heavy and "Over weekly cap" in heavy
    assert "60 h logged, above the 40 h a week" in heavy
    for one, other in (("dup_a", "dup_b"), ("dup_b", "dup_a")):
        row = _row(html, ids[one])
        assert "Likely duplicate" in row and f"entry #{ids[other]}" in row
        assert "Overlaps" not in row
    assert "Overlaps" in _row(html, ids["long"]) and f"#{ids['inside']}" in _row(html, ids["long"])
    assert "Overlaps" in _row(html, ids["inside"])
    plain = _row(html, ids["plain"])
    assert 'class="flagged"' not in plain and "Likely duplicate" not in plain
    # 60 + 20 + 20 + 120 + 10 + 120 pending, nothing approved yet.
    assert "0 h approved, 350 h pending" in plain
    assert "5 entries on this page have warnings" in html


def test_totals_count_approved_hours(app, world):
    ids = world["ids"]
    c = client_for(app, world["coord"])
    r = c.post(f"/approvals/experience/{ids['plain']}/approve",
               data={"csrf_token": _csrf(c), "version": _version(app, ids["plain"])})  # fmt: skip
    assert r.status_code == 302
    html = c.get("/approvals").get_data(as_text=True)
    assert "120 h approved, 230 h pending" in _row(html, ids["heavy"])


def test_a_changed_entry_is_refused_and_the_page_says_what_changed(app, world):
    ids = world["ids"]
    c = client_for(app, world["coord"])
    html = c.get("/approvals").get_data(as_text=True)
    seen = _version(app, ids["inside"])
    assert f'value="{ids["inside"]}:{seen}"' in html

    def inflate():
        ann = db.session.get(User, world["ann"].id)
        row = db.session.get(ExperienceEntry, ids["inside"])
        update_record(ann, ann, "experience", row, {"hours": 110}, partial=True)
        db.session.commit()

    with app.app_context():
        inflate()
    r = c.post(
        f"/approvals/experience/{ids['inside']}/approve",
        data={"csrf_token": extract_csrf(html), "version": seen, "seen_hours": "10",
              "seen_start": "2025-07-14", "seen_end": "2025-07-18"},
    )  # fmt: skip
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "Nothing was decided" in body and "hours 10 → 110" in body
    with app.app_context():
        row = db.session.get(ExperienceEntry, ids["inside"])
        assert row.status is EntryStatus.PENDING and row.hours == 110
        assert db.session.query(AuditEvent).filter_by(action="experience.approve").count() == 0


def test_the_queue_approve_form_sends_its_version_once(app, world):
    """Browsers send the first of two same-named fields: the form must carry one version."""
    ids = world["ids"]
    html = client_for(app, world["coord"]).get("/approvals").get_data(as_text=True)
    form = re.search(
        rf'<form[^>]*action="/approvals/experience/{ids["plain"]}/approve".*?</form>', html, re.S
    ).group(0)
    assert re.findall(r'name="version" value="([0-9]+)"', form) == [
        str(_version(app, ids["plain"]))
    ]
    assert form.count('name="version"') == 1


def test_a_page_decision_without_a_version_decides_nothing(app, world):
    ids = world["ids"]
    c = client_for(app, world["coord"])
    r = c.post(f"/approvals/experience/{ids['plain']}/approve", data={"csrf_token": _csrf(c)})
    assert r.status_code == 302
    assert "did not say which version" in c.get("/approvals").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ExperienceEntry, ids["plain"]).status is EntryStatus.PENDING


def test_bulk_reject_with_one_reason(app, world):
    ids = world["ids"]
    c = client_for(app, world["coord"])
    picked = [f"{ids[k]}:{_version(app, ids[k])}" for k in ("dup_a", "dup_b")]
    no_reason = c.post("/approvals/bulk", data={"csrf_token": _csrf(c), "action": "reject",
                                                "entry_id": picked, "reason": "  "})  # fmt: skip
    assert no_reason.status_code == 302
    with app.app_context():
        assert db.session.get(ExperienceEntry, ids["dup_a"]).status is EntryStatus.PENDING
    r = c.post("/approvals/bulk", data={"csrf_token": _csrf(c), "action": "reject",
                                        "entry_id": picked,
                                        "reason": "The same week was logged twice"})  # fmt: skip
    assert r.status_code == 302
    assert "Rejected 2 entries." in c.get("/approvals").get_data(as_text=True)
    with app.app_context():
        for key in ("dup_a", "dup_b"):
            row = db.session.get(ExperienceEntry, ids[key])
            assert row.status is EntryStatus.REJECTED
            assert row.note == "The same week was logged twice"
        assert db.session.query(AuditEvent).filter_by(action="experience.reject").count() == 2
        assert db.session.get(ExperienceEntry, ids["plain"]).status is EntryStatus.PENDING


def test_bulk_decision_on_a_changed_entry_skips_it(app, world):
    ids = world["ids"]
    c = client_for(app, world["coord"])
    stale = f"{ids['heavy']}:{_version(app, ids['heavy']) - 1 or 99}"
    fresh = f"{ids['plain']}:{_version(app, ids['plain'])}"
    r = c.post("/approvals/bulk", data={"csrf_token": _csrf(c), "action": "approve",
                                        "entry_id": [stale, fresh]})  # fmt: skip
    assert r.status_code == 302
    page = c.get("/approvals").get_data(as_text=True)
    assert "Approved 1 entry." in page and "changed since you saw it" in page
    with app.app_context():
        assert db.session.get(ExperienceEntry, ids["heavy"]).status is EntryStatus.PENDING
        assert db.session.get(ExperienceEntry, ids["plain"]).status is EntryStatus.APPROVED


def test_queue_opens_evidence_in_place(app, world):
    ids = world["ids"]
    cand = client_for(app, world["ann"])
    url = f"/candidates/{world['ann'].id}/records/experience/{ids['heavy']}/evidence"
    up = cand.post(url, data={"csrf_token": _csrf(cand, url),
                              "file": (io.BytesIO(PNG), "timesheet.png")},
                   content_type="multipart/form-data")  # fmt: skip
    assert up.status_code == 302
    c = client_for(app, world["coord"])
    row = _row(c.get("/approvals").get_data(as_text=True), ids["heavy"])
    match = re.search(r'<img src="([^"]+inline=1)"', row)
    assert match and "timesheet.png" in row
    shown = c.get(match.group(1).replace("&amp;", "&"))
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert "attachment" not in shown.headers.get("Content-Disposition", "")
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    download = c.get(match.group(1).split("?")[0])
    assert "attachment" in download.headers["Content-Disposition"]


def test_mentor_decision_on_a_changed_internship_is_refused(app, factory, world):
    from tracker.mentoring.operations import create_internship
    from tracker.records.models import Internship

    mentor = factory.user("mentor", world["org"], name="Max Mentor")

    def build():
        user = db.session.get(User, world["ann"].id)
        return create_internship(user, user, {"mentor_id": mentor.id, "host": "Harbor",
                                              "start": "2025-06-02", "end": "2025-06-27",
                                              "hours": 100}).id  # fmt: skip

    iid = factory.run(build)
    c = client_for(app, mentor)
    page = f"/internships/{iid}"
    html = c.get(page).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="([0-9]+)"', html).group(1)

    def edit():
        user = db.session.get(User, world["ann"].id)
        row = db.session.get(Internship, iid)
        update_record(user, user, "internships", row, {"hours": 160}, partial=True)
        db.session.commit()

    with app.app_context():
        edit()
    r = c.post(f"{page}/signoff", data={"csrf_token": extract_csrf(html), "version": version,
                                        "seen_hours": "100"})  # fmt: skip
    assert r.status_code == 409 and "hours 100 → 160" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Internship, iid).status is EntryStatus.PENDING


def test_candidate_withdraws_a_pending_entry_which_stays_counts_nothing_and_locks(app, world):
    ids = world["ids"]
    cid = world["ann"].id
    cand = client_for(app, world["ann"])
    records = f"/candidates/{cid}/records"
    assert f"/records/experience/{ids['plain']}/withdraw" in cand.get(records).get_data(
        as_text=True
    )
    coord = client_for(app, world["coord"])
    # Not the coordinator's to withdraw.
    assert coord.post(f"{records}/experience/{ids['plain']}/withdraw",
                      data={"csrf_token": _csrf(coord, records)}).status_code == 403  # fmt: skip
    r = cand.post(f"{records}/experience/{ids['plain']}/withdraw",
                  data={"csrf_token": _csrf(cand, records)})  # fmt: skip
    assert r.status_code == 302
    page = cand.get(records).get_data(as_text=True)
    assert "was withdrawn" in page and "badge-withdrawn" in page
    with app.app_context():
        from tracker.records.adapter import load_records

        row = db.session.get(ExperienceEntry, ids["plain"])
        assert row.status is EntryStatus.WITHDRAWN
        ids_counted = {x["id"] for x in load_records([cid])[cid]["experience"]}
        assert f"x{ids['plain']}" not in ids_counted and f"x{ids['heavy']}" in ids_counted
        events = db.session.query(AuditEvent).filter_by(action="experience.withdraw").all()
        assert len(events) == 1
    # Gone from the queue, and a decision on it is refused.
    assert f'id="entry-{ids["plain"]}"' not in coord.get("/approvals").get_data(as_text=True)
    again = coord.post(f"/approvals/experience/{ids['plain']}/approve",
                       data={"csrf_token": _csrf(coord), "version": _version(app, ids["plain"])})  # fmt: skip
    assert again.status_code == 409
    # Locked for the candidate too: a second withdrawal or an edit is refused.
    twice = cand.post(f"{records}/experience/{ids['plain']}/withdraw",
                      data={"csrf_token": _csrf(cand, records)})  # fmt: skip
    assert twice.status_code == 302 and "already withdrawn" in cand.get(records).get_data(
        as_text=True
    )


def test_candidate_corrects_and_resubmits_a_returned_internship(app, factory, world):
    from tracker.approvals.operations import return_internship
    from tracker.mentoring.operations import create_internship
    from tracker.records.models import Internship

    mentor = factory.user("mentor", world["org"], name="Max Mentor")

    def build():
        user = db.session.get(User, world["ann"].id)
        row = create_internship(user, user, {"mentor_id": mentor.id, "host": "Harbor",
                                             "start": "2025-06-02", "end": "2025-06-27",
                                             "hours": 100})  # fmt: skip
        return_internship(db.session.get(User, mentor.id), row, "Dates do not match the letter")
        return row.id

    old = factory.run(build)
    cid = world["ann"].id
    cand = client_for(app, world["ann"])
    records = cand.get(f"/candidates/{cid}/records").get_data(as_text=True)
    url = f"/candidates/{cid}/internships/new?resubmit={old}"
    assert url.replace("?", "?").split("/candidates")[1] in records.replace("&amp;", "&")
    form = cand.get(url).get_data(as_text=True)
    assert "Dates do not match the letter" in form and 'value="Harbor"' in form
    r = cand.post(url, data={"csrf_token": extract_csrf(form), "mentor_id": str(mentor.id),
                             "host": "Harbor", "start": "2025-06-09", "end": "2025-06-27",
                             "hours": "90"})  # fmt: skip
    assert r.status_code == 302
    with app.app_context():
        rows = db.session.query(Internship).order_by(Internship.id).all()
        assert [(x.status, x.hours) for x in rows] == [
            (EntryStatus.REJECTED, 100), (EntryStatus.PENDING, 90)]  # fmt: skip
        link = db.session.query(AuditEvent).filter_by(action="internship.resubmit").one()
        assert link.target == f"internship:{rows[1].id}"
    # Only a returned internship can be resubmitted, and only by the candidate.
    with app.app_context():
        pending_id = db.session.query(Internship).filter_by(status=EntryStatus.PENDING).one().id
    assert cand.get(f"/candidates/{cid}/internships/new?resubmit={pending_id}").status_code == 409
    coord = client_for(app, world["coord"])
    assert coord.get(url).status_code == 403


def test_an_approved_entry_elsewhere_in_the_week_counts_toward_its_cap(app, factory, world):
    """The checks read only the weeks the page touches, but every entry in them: an
    approved Monday-to-Wednesday and a pending Thursday-to-Friday make a 50-hour week."""
    ids = world["ids"]
    c = client_for(app, world["coord"])

    def add(start, end, hours):
        def build():
            user = db.session.get(User, world["ann"].id)
            return add_record(user, user, "experience", _entry(start, end, hours)).id

        return factory.run(build)

    early = add(date(2025, 11, 3), date(2025, 11, 5), 30)
    late = add(date(2025, 11, 6), date(2025, 11, 7), 20)
    old = add(date(2020, 11, 2), date(2020, 11, 6), 35)  # years away: read by no window
    for entry_id in (early, old):
        r = c.post(f"/approvals/experience/{entry_id}/approve",
                   data={"csrf_token": _csrf(c), "version": _version(app, entry_id)})  # fmt: skip
        assert r.status_code == 302
    html = c.get("/approvals").get_data(as_text=True)
    row = _row(html, late)
    assert "Over weekly cap" in row and "50 h logged, above the 40 h a week" in row
    assert "Overlaps" not in row and "Likely duplicate" not in row
    # The totals are the candidate's whole history, the old approved entry included.
    assert "65 h approved, 370 h pending" in _row(html, ids["plain"])


def test_checks_are_kept_until_the_candidates_records_change(app, factory, world):
    """A queue shown again reuses its checks (no totals or neighbours are read); a change
    to the candidate's records (a duplicate of an entry) shows on the next view."""
    ids = world["ids"]
    c = client_for(app, world["coord"])
    before = _row(c.get("/approvals").get_data(as_text=True), ids["plain"])
    assert "Likely duplicate" not in before and "350 h pending" in before
    with app.app_context():
        engine = db.engine
    with counting(engine) as seen:
        again = c.get("/approvals").get_data(as_text=True)
    # The same row (but for the CSRF token: it carries the time it was signed).
    token = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')
    assert token.sub("", _row(again, ids["plain"])) == token.sub("", before)
    assert not [s for s in seen if "sum(hours_entries.hours)" in s and "GROUP BY" in s
                and "hours_entries.candidate_id, hours_entries.status" in s]  # fmt: skip
    assert not [s for s in seen if "enrolments.pathway" in s]

    def duplicate():
        user = db.session.get(User, world["ann"].id)
        add_record(user, user, "experience", _entry(date(2025, 10, 1), date(2025, 10, 31), 120))

    factory.run(duplicate)
    after = _row(c.get("/approvals").get_data(as_text=True), ids["plain"])
    assert "Likely duplicate" in after and "470 h pending" in after
