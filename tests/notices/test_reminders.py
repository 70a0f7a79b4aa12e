"""send-reminders: the day D − N of the contract, once, catching up; the demo's SIE."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import bearer, extract_csrf, login
from tests.notices.conftest import read_outbox
from tracker.extensions import db
from tracker.notices.models import Notice


def _sie_candidate(client, factory, taken_on: str):
    org = factory.org("Reminder Org")
    cand = factory.user("candidate", org, email="sie@r.test", name="Sam Sie")
    coord = factory.user("coordinator", org, email="coord@r.test", name="Cleo Coord")
    token = factory.token(cand)
    assert client.post(f"/api/v1/candidates/{cand.id}/enrolments", json={"credential": "finra-rep"},
                       headers=bearer(token)).status_code == 201  # fmt: skip
    assert client.post(f"/api/v1/candidates/{cand.id}/exams", headers=bearer(token),
                       json={"code": "SIE", "taken_on": taken_on, "passed": True}).status_code == 201  # fmt: skip
    return cand, coord


def _reminders(app):
    with app.app_context():
        return [(n.user_id, n.event, n.day, n.params["days"]) for n in
                db.session.scalars(select(Notice).where(Notice.kind == "reminder").order_by(Notice.id))]  # fmt: skip


def _run(runner, day):
    result = runner.invoke(args=["send-reminders", "--as-of", day])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_90_30_7_days_before_the_lapse_once_each(app, client, factory, runner, outbox):
    cand, coord = _sie_candidate(client, factory, "2023-03-01")  # the pass lapses 2027-03-01
    lapse = date(2027, 3, 1)
    assert "0 reminders" in _run(runner, str(lapse - timedelta(days=91)))
    assert "2 reminders" in _run(runner, str(lapse - timedelta(days=90)))
    assert "0 reminders" in _run(runner, str(lapse - timedelta(days=90)))  # twice: nothing twice
    assert "0 reminders" in _run(runner, str(lapse - timedelta(days=60)))
    # A run missed for weeks: the 30-day reminder (due on D − 30) is sent on a later run.
    assert "2 reminders" in _run(runner, str(lapse - timedelta(days=20)))
    assert "2 reminders" in _run(runner, str(lapse - timedelta(days=7)))
    assert "0 reminders" in _run(runner, str(lapse))  # D itself: too late to remind
    got = _reminders(app)
    assert [(u, d) for u, _e, d, _n in got] == [
        (cand.id, lapse - timedelta(days=90)), (coord.id, lapse - timedelta(days=90)),
        (cand.id, lapse - timedelta(days=30)), (coord.id, lapse - timedelta(days=30)),
        (cand.id, lapse - timedelta(days=7)), (coord.id, lapse - timedelta(days=7)),
    ]  # fmt: skip
    mails = [m for m in read_outbox(outbox) if m["Subject"].startswith("Reminder")]
    assert sorted(m["To"] for m in mails) == ["coord@r.test"] * 3 + ["sie@r.test"] * 3
    coordinator_text = next(m for m in mails if m["To"] == "coord@r.test").get_body(("plain",))
    assert "Sam Sie: Securities Industry Essentials" in coordinator_text.get_content()
    assert "lapses on March 1, 2027" in coordinator_text.get_content()


def test_the_demo_lapsing_sie_produces_a_reminder(app, runner, outbox):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    # Daniel Kim passed the SIE on 2024-02-10: it lapses on 2028-02-10 (4 years).
    output = _run(runner, "2027-11-20")
    assert "reminders" in output
    with app.app_context():
        from tracker.accounts.models import User

        daniel = db.session.scalar(select(User).where(User.email == "daniel.kim@demo.tracker"))
        events = [e for u, e, _d, _n in _reminders(app) if u == daniel.id]
    assert events == ["reminder:finra-rep:sie:lapse:2028-02-10:90"]
    to = [m["To"] for m in read_outbox(outbox)]
    # The demo's people each got their mails: the candidate, the coordinator, the mentor.
    for person in ("daniel.kim@demo.tracker", "farid.haddad@demo.tracker",
                   "coordinator@demo.tracker", "mentor.lee@demo.tracker"):  # fmt: skip
        assert person in to, person


def test_calendar_feed_parses_and_renewing_stops_the_old_address(app, client, factory):
    cand, _coord = _sie_candidate(client, factory, "2023-03-01")
    login(client, "sie@r.test")
    page = client.get("/account").get_data(as_text=True)
    import re

    url = re.search(r'value="(http://localhost/calendar/[^"]+\.ics)"', page).group(1)
    path = url.removeprefix("http://localhost")
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.data)
    events = {str(e["summary"]): e.decoded("dtstart") for e in cal.walk("VEVENT")}
    lapse = [day for summary, day in events.items() if summary.startswith("Securities")]
    assert lapse == [date(2027, 3, 1)], events
    renewed = client.post("/account/calendar", data={"csrf_token": extract_csrf(page)})
    assert renewed.status_code == 302
    assert client.get(path).status_code == 404
    new_page = client.get("/account").get_data(as_text=True)
    new_path = re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', new_page).group(1)
    assert new_path != path and client.get(new_path).status_code == 200


def test_account_page_saves_language_and_notice_kinds(app, client, factory):
    org = factory.org("Account Org")
    factory.user("mentor", org, email="m@a.test")
    login(client, "m@a.test")
    page = client.get("/account").get_data(as_text=True)
    assert "/calendar/" not in page  # only candidates have a feed
    token = extract_csrf(page)
    assert (
        client.post("/account/language", data={"csrf_token": token, "language": "pl"}).status_code
        == 302
    )
    assert (
        client.post("/account/language", data={"csrf_token": token, "language": "xx"}).status_code
        == 400
    )
    r = client.post(
        "/account/notices", data={"csrf_token": token, "wanted": ["decision", "digest"]}
    )
    assert r.status_code == 302
    with app.app_context():
        from tracker.accounts.models import User
        from tracker.notices.operations import muted_kinds

        user = db.session.scalar(select(User).where(User.email == "m@a.test"))
        assert user.language == "pl"
        assert muted_kinds(user.id) == ["reminder", "verification", "waiver"]
