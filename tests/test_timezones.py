""" "Today" is the day in the acting user's zone: their organization's, else TRACKER_TIMEZONE.

Pacific/Kiritimati (UTC+14) and Etc/GMT+12 (UTC-12) are 26 hours apart, so Kiritimati's
date is always later than that zone's: the tests hold whatever the hour they run at.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.conftest import bearer
from tracker.extensions import db
from tracker.timeutil import set_default_zone, today, using_zone

AHEAD = "Pacific/Kiritimati"
BEHIND = "Etc/GMT+12"


def _day_in(zone: str) -> str:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date().isoformat()


def _org_in(app, factory, zone: str | None):
    org = factory.org(f"Bank in {zone}")
    with app.app_context():
        from tracker.accounts.models import Organization

        db.session.get(Organization, org.id).timezone = zone
        db.session.commit()
    return org


def test_today_follows_the_zone_in_use_and_the_installation_default():
    with using_zone(ZoneInfo(AHEAD)):
        assert today().isoformat() == _day_in(AHEAD)
    with using_zone(ZoneInfo(BEHIND)):
        assert today().isoformat() == _day_in(BEHIND)
    set_default_zone(AHEAD)
    try:
        assert today().isoformat() == _day_in(AHEAD)
    finally:
        set_default_zone("UTC")
    assert today() == datetime.now(UTC).date()


def _log_hours_on(client, token, cand, day: str):
    body = {"start": day, "end": day, "hours": 2, "category": "financial-planning",
            "supervised": False}  # fmt: skip
    return client.post(f"/api/v1/candidates/{cand.id}/experience", json=body,
                       headers=bearer(token))  # fmt: skip


def test_an_entry_dated_today_where_the_user_is_is_not_in_the_future(app, client, factory):
    ahead = factory.user("candidate", _org_in(app, factory, AHEAD))
    behind = factory.user("candidate", _org_in(app, factory, BEHIND))
    kiritimati_today = _day_in(AHEAD)
    accepted = _log_hours_on(client, factory.token(ahead), ahead, kiritimati_today)
    assert accepted.status_code == 201, accepted.get_json()
    # For a user twelve hours behind UTC that day has not come yet.
    refused = _log_hours_on(client, factory.token(behind), behind, kiritimati_today)
    assert refused.status_code == 400 and "end" in refused.get_json()["error"]["message"]


def test_pages_use_the_zone_of_the_signed_in_users_organization(app, factory):
    from tests.candidates.test_pages import client_for, post_form

    form = {"end": _day_in(AHEAD), "start": _day_in(AHEAD), "hours": "2,5",
            "category": "financial-planning"}  # fmt: skip
    ahead = factory.user("candidate", _org_in(app, factory, AHEAD))
    url = f"/candidates/{ahead.id}/records/experience/new"
    saved = post_form(client_for(app, ahead), url + "?lang=pl", form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    behind = factory.user("candidate", _org_in(app, factory, BEHIND))
    url = f"/candidates/{behind.id}/records/experience/new"
    refused = post_form(client_for(app, behind), url + "?lang=pl", form)
    assert refused.status_code == 400


def test_a_polish_form_takes_a_decimal_comma_and_shows_it_back(app, factory):
    from tests.candidates.test_pages import client_for, post_form
    from tracker.records.models import ExperienceEntry

    cand = factory.user("candidate", factory.org())
    c = client_for(app, cand)
    url = f"/candidates/{cand.id}/records/experience/new?lang=pl"
    form = {"start": "2025-01-06", "end": "2025-01-10", "hours": "37,5",
            "category": "financial-planning"}  # fmt: skip
    assert post_form(c, url, form).status_code == 302
    with app.app_context():
        entry = db.session.query(ExperienceEntry).filter_by(candidate_id=cand.id).one()
        assert entry.hours == 37.5
        entry_id = entry.id
    edit = c.get(f"/candidates/{cand.id}/records/experience/{entry_id}/edit?lang=pl")
    assert 'value="37,5"' in edit.get_data(as_text=True)
    english = post_form(c, url.replace("lang=pl", "lang=en"), {**form, "hours": "37,5"})
    assert english.status_code == 400  # in English "37,5" is no number: nothing is guessed
