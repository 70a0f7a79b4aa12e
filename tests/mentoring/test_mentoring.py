"""Internship pages: who sees what, sign-off and return, creation."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.admin.pages import as_user, assert_accessible_basics, post, text
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.mentoring.operations import create_internship
from tracker.records.models import EntryStatus, Internship


def make_internship(factory, candidate, mentor, host="Harbor Wealth", start="2025-01-06"):
    def run():
        c = db.session.get(User, candidate.id)
        return create_internship(
            c,
            c,
            {
                "mentor_id": mentor.id,
                "host": host,
                "start": start,
                "end": "2025-03-28",
                "hours": 400,
            },
        ).id

    return factory.run(run)


def _read(app, fn):
    with app.app_context():
        return fn()


def _internship(app, internship_id):
    def load():
        row = db.session.get(Internship, internship_id)
        return SimpleNamespace(status=row.status, comment=row.note, decided_by=row.decided_by_id)

    return _read(app, load)


def _actions(app, target):
    return _read(
        app,
        lambda: list(
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == target))
        ),
    )


@pytest.fixture()
def world(factory):
    """Two organizations; in Harbor, Lee mentors Cara, Kim mentors Cody."""
    harbor, north = factory.org("Harbor"), factory.org("Northwind")
    w = SimpleNamespace(
        harbor=harbor,
        north=north,
        cara=factory.user("candidate", harbor, name="Cara Candidate"),
        cody=factory.user("candidate", harbor, name="Cody Candidate"),
        lee=factory.user("mentor", harbor, name="Lee Mentor"),
        kim=factory.user("mentor", harbor, name="Kim Mentor"),
        idle=factory.user("mentor", harbor, name="Ida Idle"),
        coord=factory.user("coordinator", harbor, name="Coral Coord"),
        other_coord=factory.user("coordinator", north, name="Nora North"),
        other_cand=factory.user("candidate", north, name="Ned North"),
        admin=factory.user("admin", name="Ada Admin"),
    )
    w.cara_lee = make_internship(factory, w.cara, w.lee, host="Harbor Wealth")
    w.cody_kim = make_internship(factory, w.cody, w.kim, host="Kim Capital")
    return w


# --- access ----------------------------------------------------------------------------------


def test_list_is_for_mentors_only(client, world):
    anon = client.get("/mentoring")
    assert anon.status_code == 302 and "/login" in anon.headers["Location"]
    for who in ("cara", "coord", "admin"):
        assert as_user(client, getattr(world, who)).get("/mentoring").status_code == 403, who
    page = as_user(client, world.lee).get("/mentoring")
    assert page.status_code == 200
    html = text(page)
    assert_accessible_basics(html)
    assert "Cara Candidate" in html and "Harbor Wealth" in html
    assert "Cody Candidate" not in html and "Kim Capital" not in html
    assert "No internship names you" in text(as_user(client, world.idle).get("/mentoring"))


def test_list_shows_pending_first(client, factory, world, app):
    from tracker.approvals.operations import sign_off_internship

    newer = make_internship(factory, world.cara, world.lee, host="Later Ltd", start="2025-02-03")
    factory.run(
        lambda: sign_off_internship(
            db.session.get(User, world.lee.id), db.session.get(Internship, newer)
        )
    )
    html = text(as_user(client, world.lee).get("/mentoring"))
    assert html.index("Harbor Wealth") < html.index("Later Ltd")
    assert "1 internship waiting" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("cara", 200),  # the candidate
        ("cody", 404),  # another candidate
        ("lee", 200),  # the named mentor
        ("kim", 404),  # a mentor who mentors neither the candidate nor the internship
        ("idle", 404),
        ("coord", 200),  # coordinator of the candidate's organization
        ("other_coord", 404),
        ("other_cand", 404),
        ("admin", 200),
    ],
)
def test_internship_page_visibility(client, world, who, status):
    c = as_user(client, getattr(world, who))
    response = c.get(f"/internships/{world.cara_lee}")
    assert response.status_code == status
    if status == 200:
        html = text(response)
        assert_accessible_basics(html)
        assert ("Sign off internship" in html) is (who == "lee")


def test_internship_page_anonymous_and_missing(client, world):
    anon = client.get(f"/internships/{world.cara_lee}")
    assert anon.status_code == 302 and "/login" in anon.headers["Location"]
    assert as_user(client, world.admin).get("/internships/999999").status_code == 404


@pytest.mark.parametrize("who", ["cara", "cody", "kim", "coord", "other_coord", "admin"])
def test_only_the_named_mentor_may_decide(client, world, app, who):
    c = as_user(client, getattr(world, who))
    url = f"/internships/{world.cara_lee}"
    expected = 403 if who in ("cara", "coord", "admin") else 404
    assert post(c, "/", f"{url}/signoff", {"comment": "ok"}).status_code == expected
    assert post(c, "/", f"{url}/return", {"reason": "no"}).status_code == expected
    assert _internship(app, world.cara_lee).status is EntryStatus.PENDING


def test_mentor_sharing_a_candidate_sees_but_cannot_decide(client, factory, world, app):
    """Kim also mentors Cara elsewhere, so Kim sees Cara's internship with Lee: read-only."""
    make_internship(factory, world.cara, world.kim, host="Kim Capital 2")
    c = as_user(client, world.kim)
    page = c.get(f"/internships/{world.cara_lee}")
    assert page.status_code == 200 and "Sign off internship" not in text(page)
    url = f"/internships/{world.cara_lee}"
    assert post(c, "/", f"{url}/signoff").status_code == 403
    assert post(c, "/", f"{url}/return", {"reason": "x"}).status_code == 403
    assert _internship(app, world.cara_lee).status is EntryStatus.PENDING


# --- decisions -------------------------------------------------------------------------------


def test_mentor_signs_off(client, world, app):
    c = as_user(client, world.lee)
    page = f"/internships/{world.cara_lee}"
    response = post(c, page, f"{page}/signoff", {"comment": "Solid <work>"})
    assert response.status_code == 302 and response.headers["Location"] == page
    after = text(c.get(page))
    assert "Signed off: 400 hours at Harbor Wealth" in after
    assert "Solid &lt;work&gt;" in after and "Sign off internship" not in after
    row = _internship(app, world.cara_lee)
    assert row.status is EntryStatus.APPROVED and row.comment == "Solid <work>"
    assert row.decided_by == world.lee.id
    assert _actions(app, f"internship:{world.cara_lee}") == [
        "internship.create",
        "internship.signoff",
    ]


def test_deciding_twice_is_a_conflict_not_a_second_event(client, world, app):
    c = as_user(client, world.lee)
    page = f"/internships/{world.cara_lee}"
    token_page = c.get(page)
    from tests.conftest import extract_csrf

    token = extract_csrf(text(token_page))
    version = re.search(r'name="version"[^>]*value="([0-9]+)"', text(token_page)).group(1)
    pinned = {"csrf_token": token, "version": version}
    assert c.post(f"{page}/signoff", data=pinned).status_code == 302
    again = c.post(f"{page}/return", data={**pinned, "reason": "late"})
    assert again.status_code == 302
    assert "already approved" in text(c.get(page))
    assert _internship(app, world.cara_lee).status is EntryStatus.APPROVED
    assert _actions(app, f"internship:{world.cara_lee}").count("internship.reject") == 0


def test_mentor_returns_with_a_reason_and_the_reason_is_required(client, world, app):
    c = as_user(client, world.lee)
    page = f"/internships/{world.cara_lee}"
    empty = post(c, page, f"{page}/return", {"reason": "   "})
    assert empty.status_code == 400
    html = text(empty)
    assert "Reason is required" in html and 'id="reason-err"' in html
    assert _internship(app, world.cara_lee).status is EntryStatus.PENDING
    assert _actions(app, f"internship:{world.cara_lee}") == ["internship.create"]

    response = post(c, page, f"{page}/return", {"reason": "Dates do not match the host's letter"})
    assert response.status_code == 302
    assert "Returned to Cara Candidate" in text(c.get(page))
    row = _internship(app, world.cara_lee)
    assert row.status is EntryStatus.REJECTED
    assert row.comment == "Dates do not match the host's letter"
    assert _actions(app, f"internship:{world.cara_lee}")[-1] == "internship.reject"


def test_too_long_comment_keeps_the_text(client, world, app):
    c = as_user(client, world.lee)
    page = f"/internships/{world.cara_lee}"
    response = post(c, page, f"{page}/signoff", {"comment": "x" * 2001})
    assert response.status_code == 400 and "x" * 2001 in text(response)
    assert _internship(app, world.cara_lee).status is EntryStatus.PENDING


# --- creation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("cara", 200),  # the candidate, for themself
        ("coord", 200),
        ("admin", 200),
        ("cody", 404),
        ("other_coord", 404),
        ("other_cand", 404),
        ("lee", 403),  # sees Cara (mentors her) but may not create her internships
        ("idle", 404),
    ],
)
def test_new_internship_access(client, world, who, status):
    response = as_user(client, getattr(world, who)).get(
        f"/candidates/{world.cara.id}/internships/new"
    )
    assert response.status_code == status
    if status == 200:
        assert_accessible_basics(text(response))


def test_new_internship_anonymous_and_non_candidate(client, world):
    anon = client.get(f"/candidates/{world.cara.id}/internships/new")
    assert anon.status_code == 302 and "/login" in anon.headers["Location"]
    admin = as_user(client, world.admin)
    assert admin.get(f"/candidates/{world.lee.id}/internships/new").status_code == 404


def test_coordinator_creates_an_internship(client, world, app):
    c = as_user(client, world.coord)
    page = f"/candidates/{world.cara.id}/internships/new"
    html = text(c.get(page))
    options = re.findall(r'<option value="(\d+)">', html)
    assert sorted(map(int, options)) == sorted([world.lee.id, world.kim.id, world.idle.id])
    response = post(
        c,
        page,
        page,
        {
            "mentor_id": str(world.idle.id),
            "host": "Idle & Co",
            "start": "2025-04-01",
            "end": "2025-06-30",
            "hours": "320.5",
        },
    )
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    shown = text(c.get(response.headers["Location"]))
    assert "Internship at Idle &amp; Co recorded; Ida Idle can now sign it off." in shown

    def load():
        row = db.session.get(Internship, new_id)
        return (row.candidate_id, row.mentor_id, row.hours, row.status, row.created_by_id)

    assert _read(app, load) == (
        world.cara.id,
        world.idle.id,
        320.5,
        EntryStatus.PENDING,
        world.coord.id,
    )
    assert "Idle &amp; Co" in text(as_user(client, world.idle).get("/mentoring"))


def test_candidate_creates_their_own_internship(client, world, app):
    c = as_user(client, world.cara)
    page = f"/candidates/{world.cara.id}/internships/new"
    response = post(
        c,
        page,
        page,
        {
            "mentor_id": str(world.kim.id),
            "host": "Kim Capital",
            "start": "2025-04-01",
            "end": "2025-04-30",
            "hours": "100",
        },
    )
    assert response.status_code == 302
    assert "Kim Capital" in text(c.get(response.headers["Location"]))


def test_new_internship_errors_keep_what_was_typed(client, world, app):
    c = as_user(client, world.coord)
    page = f"/candidates/{world.cara.id}/internships/new"
    count = lambda: _read(app, lambda: db.session.scalar(select(func.count(Internship.id))))  # noqa: E731
    before = count()
    response = post(
        c,
        page,
        page,
        {
            "mentor_id": str(world.lee.id),
            "host": "Typed Host",
            "start": "2025-05-01",
            "end": "2025-04-01",
            "hours": "10",
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "must be on or after start" in html
    assert 'value="Typed Host"' in html and 'value="2025-05-01"' in html and 'value="10"' in html
    assert f'<option selected value="{world.lee.id}">' in html or (
        f'<option value="{world.lee.id}" selected>' in html
    )
    missing = post(
        c, page, page, {"mentor_id": "", "host": "", "start": "", "end": "", "hours": ""}
    )
    assert missing.status_code == 400
    assert text(missing).count("is required") >= 4
    assert count() == before


def test_mentor_of_another_organization_is_refused(client, factory, world, app):
    outsider = factory.user("mentor", world.north, name="Out Sider")
    c = as_user(client, world.coord)
    page = f"/candidates/{world.cara.id}/internships/new"
    assert f'value="{outsider.id}"' not in text(c.get(page))
    response = post(
        c,
        page,
        page,
        {
            "mentor_id": str(outsider.id),
            "host": "X",
            "start": "2025-04-01",
            "end": "2025-04-30",
            "hours": "10",
        },
    )
    assert response.status_code == 400
    assert "is not an active mentor of the candidate&#39;s organization" in text(response)
