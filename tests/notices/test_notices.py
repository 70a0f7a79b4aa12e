"""Notices and their mails: who is told what, once; outbox and real SMTP; retries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import bearer, login
from tests.notices.conftest import read_outbox
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.notices import operations as notices
from tracker.notices.models import Notice


def _people(factory):
    org = factory.org("Notices Org")
    return {
        "candidate": factory.user("candidate", org, email="cand@n.test", name="Cara Candidate"),
        "coordinator": factory.user("coordinator", org, email="coord@n.test", name="Cody Coord"),
        "mentor": factory.user("mentor", org, email="mentor@n.test", name="Mia Mentor"),
    }


def _entry(client, token, candidate_id, **extra):
    body = {"start": "2026-01-05", "end": "2026-01-30", "hours": 120,
            "category": "financial-planning", **extra}  # fmt: skip
    r = client.post(f"/api/v1/candidates/{candidate_id}/experience", json=body,
                    headers=bearer(token))  # fmt: skip
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _notices(app, user_id, kind=None):
    with app.app_context():
        stmt = select(Notice).where(Notice.user_id == user_id).order_by(Notice.id)
        if kind:
            stmt = stmt.where(Notice.kind == kind)
        return [
            (n.kind, n.event, n.params, n.mailed_at is not None) for n in db.session.scalars(stmt)
        ]


def _to(messages, email):
    return [m for m in messages if m["To"] == email]


def test_rejection_mails_the_candidate_in_their_language_with_both_parts(app, client, factory,
                                                                         outbox):  # fmt: skip
    p = _people(factory)
    factory.run(lambda: setattr(db.session.get(User, p["candidate"].id), "language", "pl"))
    cand, coord = factory.token(p["candidate"]), factory.token(p["coordinator"])
    entry = _entry(client, cand, p["candidate"].id)
    r = client.post(f"/api/v1/experience/{entry}/reject", json={"reason": "No timesheet"},
                    headers=bearer(coord))  # fmt: skip
    assert r.status_code == 200
    mails = _to(read_outbox(outbox), "cand@n.test")
    assert len(mails) == 1
    mail = mails[0]
    assert mail["From"] == "tracker@localhost"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "odrzucone" in text and "No timesheet" in text
    assert "Cara Candidate" in html and 'lang="pl"' in html
    assert f"http://localhost:5000/candidates/{p['candidate'].id}/records" in text
    # The coordinator got today's digest of the waiting entry, in English.
    digest = _to(read_outbox(outbox), "coord@n.test")
    assert len(digest) == 1 and "1 entries wait" in digest[0].get_body(("plain",)).get_content()


def test_digest_at_most_once_a_day_and_the_mentor_gets_internships(app, client, factory, outbox):
    p = _people(factory)
    cand = factory.token(p["candidate"])
    _entry(client, cand, p["candidate"].id)
    _entry(client, cand, p["candidate"].id, start="2026-02-02", end="2026-02-27")
    r = client.post(f"/api/v1/candidates/{p['candidate'].id}/internships", headers=bearer(cand),
                    json={"mentor_id": p["mentor"].id, "start": "2026-03-02",
                          "end": "2026-03-27", "hours": 100, "host": "Desk"})  # fmt: skip
    assert r.status_code == 201, r.get_json()
    assert [k for k, *_ in _notices(app, p["coordinator"].id)] == ["digest"]
    assert [k for k, *_ in _notices(app, p["mentor"].id)] == ["digest"]
    assert len(_to(read_outbox(outbox), "coord@n.test")) == 1
    assert len(_to(read_outbox(outbox), "mentor@n.test")) == 1
    assert _notices(app, p["candidate"].id) == []


def test_each_notice_once_even_against_the_database(app, factory):
    p = _people(factory)

    def twice():
        user = db.session.get(User, p["candidate"].id)
        first = notices.notify(
            user, "reminder", "reminder:x", {"what": "due"}, "/", date(2027, 1, 1)
        )
        second = notices.notify(
            user, "reminder", "reminder:x", {"what": "due"}, "/", date(2027, 1, 1)
        )
        return first, second

    first, second = factory.run(twice)
    assert first is not None and second is None

    def raw_duplicate():
        db.session.add(Notice(user_id=p["candidate"].id, kind="reminder", event="reminder:x",
                              day=date(2027, 1, 1), params={}, link="", mail_attempts=0))  # fmt: skip
        db.session.flush()

    with pytest.raises(IntegrityError):
        factory.run(raw_duplicate)


def test_decision_verification_and_waiver_reach_the_candidate(app, client, factory, outbox):
    p = _people(factory)
    cand, coord = factory.token(p["candidate"]), factory.token(p["coordinator"])
    cid = p["candidate"].id
    entry = _entry(client, cand, cid)
    assert client.post(f"/api/v1/experience/{entry}/approve", json={},
                       headers=bearer(coord)).status_code == 200  # fmt: skip
    exam = client.post(f"/api/v1/candidates/{cid}/exams", headers=bearer(cand),
                       json={"code": "CFP", "taken_on": "2025-03-01", "passed": True})  # fmt: skip
    assert exam.status_code == 201
    assert client.post(f"/api/v1/candidates/{cid}/exams/{exam.get_json()['id']}/verify",
                       json={}, headers=bearer(coord)).status_code == 200  # fmt: skip
    client.post(f"/api/v1/candidates/{cid}/enrolments", json={"credential": "cfp"},
                headers=bearer(cand))  # fmt: skip
    w = client.post(f"/api/v1/candidates/{cid}/waivers", headers=bearer(coord),
                    json={"credential": "cfp", "requirement": "degree", "reason": "Foreign"})  # fmt: skip
    assert w.status_code == 201, w.get_json()
    assert client.post(f"/api/v1/waivers/{w.get_json()['id']}/revoke", json={"reason": "Error"},
                       headers=bearer(coord)).status_code == 200  # fmt: skip
    kinds = [(k, params.get("status") or params.get("action") or params.get("kind"))
             for k, _e, params, mailed in _notices(app, cid)]  # fmt: skip
    assert kinds == [("decision", "approved"), ("verification", "exams"),
                     ("waiver", "granted"), ("waiver", "revoked")]  # fmt: skip
    assert all(mailed for *_x, mailed in _notices(app, cid))
    assert len(_to(read_outbox(outbox), "cand@n.test")) == 4


def test_turned_off_kinds_are_neither_shown_nor_mailed(app, client, factory, outbox):
    p = _people(factory)
    factory.run(lambda: notices.set_muted(db.session.get(User, p["candidate"].id), ["decision"]))
    cand, coord = factory.token(p["candidate"]), factory.token(p["coordinator"])
    entry = _entry(client, cand, p["candidate"].id)
    client.post(f"/api/v1/experience/{entry}/approve", json={}, headers=bearer(coord))
    assert _notices(app, p["candidate"].id) == []
    assert _to(read_outbox(outbox), "cand@n.test") == []
    with pytest.raises(Exception, match="muted"):
        factory.run(lambda: notices.set_muted(db.session.get(User, p["candidate"].id), ["bogus"]))


def test_api_lists_pages_and_marks_read(app, client, factory):
    p = _people(factory)

    def make():
        user = db.session.get(User, p["candidate"].id)
        for n in range(3):
            notices.notify(user, "reminder", f"reminder:{n}", {"what": "due", "title": f"T{n}",
                           "date": "2027-01-01", "days": 9}, "/me/records")  # fmt: skip

    factory.run(make)
    token = factory.token(p["candidate"])
    r = client.get("/api/v1/me/notifications?limit=2", headers=bearer(token))
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "3"
    page = r.get_json()
    assert len(page) == 2 and 'rel="next"' in r.headers["Link"]
    assert set(page[0]) == {"id", "at", "kind", "text", "link", "read"}
    assert page[0]["text"].startswith("T2 (") and page[0]["read"] is False
    assert page[0]["link"] == "http://localhost/me/records"
    nid = page[0]["id"]
    other = factory.token(p["coordinator"])
    assert client.post(f"/api/v1/me/notifications/{nid}/read", json={},
                       headers=bearer(other)).status_code == 404  # fmt: skip
    done = client.post(f"/api/v1/me/notifications/{nid}/read", json={}, headers=bearer(token))
    assert done.status_code == 200 and done.get_json()["read"] is True
    assert client.get("/api/v1/me/notifications?limit=5000",
                      headers=bearer(token)).status_code == 400  # fmt: skip
    # The page shows them, with the unread count in the navigation.
    login(client, "cand@n.test")
    html = client.get("/notifications").get_data(as_text=True)
    assert "T0" in html and "T1" in html and 'class="badge badge-count"' in html
    assert ">2</span>" in html


def test_smtp_server_receives_the_mail(app, client, factory, smtp_server):
    from tests.conftest import make_app

    port, received = smtp_server
    smtp_app = make_app(MAIL_URL=f"smtp://user:secret@127.0.0.1:{port}", MAIL_RETRY_DELAYS=(0.0,))
    p = _people(factory)

    def tell():
        user = db.session.get(User, p["candidate"].id)
        notices.notify(user, "digest", "digest", {"count": 0}, "/approvals")

    from tracker.database import writing

    with smtp_app.app_context(), writing():
        tell()
        db.session.commit()
    assert received.logins == [(b"user", b"secret")]
    assert len(received.messages) == 1
    msg = received.messages[0]
    assert received.envelopes[0].rcpt_tos == ["cand@n.test"]
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
    with smtp_app.app_context():
        assert db.session.scalar(select(Notice.mailed_at)) is not None


def test_a_failed_send_keeps_the_notice_and_a_later_run_delivers_it(app, factory):
    from aiosmtpd.controller import Controller

    from tests.conftest import make_app
    from tests.live import free_port
    from tests.notices.conftest import Received
    from tracker.database import writing

    port = free_port()  # nothing listens there yet
    smtp_app = make_app(MAIL_URL=f"smtp://127.0.0.1:{port}", MAIL_RETRY_DELAYS=(0.0, 0.0))
    p = _people(factory)
    with smtp_app.app_context(), writing():
        notices.notify(db.session.get(User, p["candidate"].id), "digest", "digest", {}, "/")
        db.session.commit()  # the request's commit succeeds; the mail fails after it
    with smtp_app.app_context():
        row = db.session.scalar(select(Notice))
        assert row.mailed_at is None and row.mail_attempts == 3 and "Error" in row.mail_error
    handler = Received()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        result = smtp_app.test_cli_runner().invoke(args=["send-reminders", "--as-of", "2026-12-01"])
        assert result.exit_code == 0, result.output
        assert "1 mails retried" in result.output
    finally:
        controller.stop()
    assert [m["To"] for m in handler.messages] == ["cand@n.test"]
    with smtp_app.app_context():
        assert db.session.scalar(select(func.count(Notice.id))) == 1
        assert db.session.scalar(select(Notice.mailed_at)) is not None
