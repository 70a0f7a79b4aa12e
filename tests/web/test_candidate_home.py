"""The candidate's home tells them what to do next (issue 14): what is left per credential,
the nearest due date, entries returned to them, what waits for approval — in their language."""

from __future__ import annotations

from datetime import date, datetime

from tests.candidates.test_pages import client_for
from tracker.accounts.models import User
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry


def _candidate_with_work_to_do(app, factory):
    org = factory.org()
    cand = factory.user("candidate", org)
    coord = factory.user("coordinator", org)
    with app.app_context():
        from tracker.candidates.operations import enrol

        enrol(db.session.get(User, coord.id), db.session.get(User, cand.id), current_catalog(),
              {"credential": "cfp"})  # fmt: skip
        db.session.add_all([
            ExperienceEntry(candidate_id=cand.id, start=date(2025, 3, 3), end=date(2025, 3, 7),
                            hours=40, category="financial-planning", status=EntryStatus.REJECTED,
                            decided_by_id=coord.id, decided_at=datetime(2025, 4, 1),
                            note="No timesheet attached"),
            ExperienceEntry(candidate_id=cand.id, start=date(2025, 5, 5), end=date(2025, 5, 9),
                            hours=40, category="financial-planning"),
        ])  # fmt: skip
        db.session.commit()
    return cand


def test_home_lists_what_is_left_and_what_came_back(app, factory):
    cand = _candidate_with_work_to_do(app, factory)
    html = client_for(app, cand).get("/?lang=en").get_data(as_text=True)
    assert "Next steps" in html and "Left for CFP® certification" in html
    assert "No timesheet attached" in html and "Log the corrected hours" in html
    assert "1 entry waits for approval." in html
    assert "more requirement" in html  # the first three leaves, then a link to the rest


def test_home_speaks_polish(app, factory):
    cand = _candidate_with_work_to_do(app, factory)
    html = client_for(app, cand).get("/?lang=pl").get_data(as_text=True)
    assert "Co dalej" in html and "Pozostało do kwalifikacji Certyfikat CFP®" in html
    assert "1 wpis czeka na zatwierdzenie." in html and "Wpisz poprawione godziny" in html
    assert "marca 2025" in html  # the returned entry's dates, in Polish


def test_a_candidate_not_enrolled_is_offered_enrolment_not_steps(app, factory):
    cand = factory.user("candidate", factory.org())
    html = client_for(app, cand).get("/").get_data(as_text=True)
    assert "Next steps" not in html  # not enrolled: the page offers enrolment instead
