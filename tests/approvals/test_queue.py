"""The coordinator's approval queue through the pages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.candidates.test_pages import client_for
from tests.candidates.test_pages import post_form as _post_form
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.candidates.operations import add_record
from tracker.extensions import db
from tracker.records.models import ExperienceEntry


def post_form(c, url, data, page_url=None):
    """Decide as the queue does: with the version of the entry the page showed."""
    match = re.search(r"/approvals/experience/([0-9]+)/", url)
    if match and "version" not in data:
        with c.application.app_context():
            data = {**data, "version": str(db.session.get(ExperienceEntry, int(match[1])).version)}
    return _post_form(c, url, data, page_url)


def pinned(app, *ids):
    with app.app_context():
        return [f"{i}:{db.session.get(ExperienceEntry, i).version}" for i in ids]


@pytest.fixture()
def queue(factory):
    org, other = factory.org("Home"), factory.org("Other")
    ann = factory.user("candidate", org, name="Ann Able")
    bob = factory.user("candidate", org, name="Bob Baker")
    far = factory.user("candidate", other, name="Far Away")
    coord = factory.user("coordinator", org)

    def entries():
        ids = {}
        for who, month, cat in [
            (ann, 1, "financial-planning"),
            (ann, 2, "investment-decision-making"),
            (bob, 3, "financial-planning"),
            (far, 1, "financial-planning"),
        ]:
            user = db.session.get(User, who.id)
            e = add_record(
                user,
                user,
                "experience",
                {
                    "start": date(2025, month, 1),
                    "end": date(2025, month, 28),
                    "hours": 100 + month,
                    "category": cat,
                },
            )
            ids[(who.name, month)] = e.id
        return ids

    return {"ann": ann, "bob": bob, "far": far, "coord": coord, "ids": factory.run(entries)}


def test_queue_lists_own_org_and_filters(app, queue):
    c = client_for(app, queue["coord"])

    def rows(url):
        return re.findall(
            r'aria-label="Approve ([0-9]+) hours of ([^"]+)"', c.get(url).get_data(as_text=True)
        )

    assert rows("/approvals") == [("101", "Ann Able"), ("102", "Ann Able"), ("103", "Bob Baker")]
    assert rows(f"/approvals?candidate={queue['bob'].id}") == [("103", "Bob Baker")]
    assert rows("/approvals?category=investment-decision-making") == [("102", "Ann Able")]
    assert rows("/approvals?start=2025-03-01") == [("103", "Bob Baker")]
    assert rows("/approvals?end=2025-01-31") == [("101", "Ann Able")]


def test_approve_reject_and_bulk(app, queue):
    c = client_for(app, queue["coord"])
    ids = queue["ids"]
    one = ids[("Ann Able", 1)]
    assert (
        post_form(c, f"/approvals/experience/{one}/approve", {}, page_url="/approvals").status_code
        == 302
    )
    two = ids[("Ann Able", 2)]
    empty = post_form(c, f"/approvals/experience/{two}/reject", {"reason": ""})
    assert empty.status_code == 400
    ok = post_form(c, f"/approvals/experience/{two}/reject", {"reason": "Not investment work"})
    assert ok.status_code == 302
    three = ids[("Bob Baker", 3)]
    token_page = "/approvals"
    bulk = post_form(
        c,
        "/approvals/bulk",
        {"action": "approve", "entry_id": pinned(app, three)},
        page_url=token_page,
    )
    assert bulk.status_code == 302
    with app.app_context():
        statuses = {
            e.id: (e.status.value, e.decided_by_id, e.note)
            for e in db.session.scalars(db.select(ExperienceEntry))
        }
        assert statuses[one][:2] == ("approved", queue["coord"].id)
        assert statuses[two] == ("rejected", queue["coord"].id, "Not investment work")
        assert statuses[three][0] == "approved"
        assert statuses[ids[("Far Away", 1)]][0] == "pending"
        actions = sorted(
            e.action
            for e in db.session.scalars(db.select(AuditEvent))
            if e.action.startswith("experience.") and e.action != "experience.create"
        )
        assert actions == ["experience.approve", "experience.approve", "experience.reject"]


def test_second_decision_gets_a_clear_409_page(app, queue):
    c = client_for(app, queue["coord"])
    one = queue["ids"][("Ann Able", 1)]
    token_page = "/approvals"
    assert (
        post_form(c, f"/approvals/experience/{one}/approve", {}, page_url=token_page).status_code
        == 302
    )
    again = post_form(c, f"/approvals/experience/{one}/approve", {}, page_url=token_page)
    assert again.status_code == 409
    assert "already approved" in again.get_data(as_text=True)


def test_other_org_entries_are_404_and_candidates_403(app, queue):
    c = client_for(app, queue["coord"])
    far = queue["ids"][("Far Away", 1)]
    assert (
        post_form(c, f"/approvals/experience/{far}/approve", {}, page_url="/approvals").status_code
        == 404
    )
    cand = client_for(app, queue["ann"])
    assert cand.get("/approvals").status_code == 403


def test_queue_is_paged_and_keeps_filters(app, factory):
    from datetime import timedelta

    org = factory.org("Paged")
    cand = factory.user("candidate", org, name="Many Entries")
    coord = factory.user("coordinator", org)

    def entries():
        user = db.session.get(User, cand.id)
        for i in range(60):
            day = date(2024, 1, 1) + timedelta(days=i)
            add_record(
                user,
                user,
                "experience",
                {"start": day, "end": day, "hours": 8, "category": "financial-planning"},
            )

    factory.run(entries)
    c = client_for(app, coord)
    first = c.get("/approvals?category=financial-planning").get_data(as_text=True)
    assert first.count('aria-label="Approve 8 hours') == 50
    assert "60 entries, 480 hours in all" in first
    assert "page=2" in first and "category=financial-planning" in first
    second = c.get("/approvals?category=financial-planning&page=2").get_data(as_text=True)
    assert second.count('aria-label="Approve 8 hours') == 10
    assert c.get("/approvals?page=abc").status_code == 200


def test_a_filter_survives_a_rejection_as_it_survives_an_approval(app, queue):
    import html as html_lib

    c = client_for(app, queue["coord"])
    page = c.get("/approvals?category=financial-planning").get_data(as_text=True)
    links = re.findall(r'href="(/approvals/experience/\d+/reject[^"]*)"', page)
    assert links and all("return_query=" in link for link in links)
    link = html_lib.unescape(links[0])
    form = c.get(link).get_data(as_text=True)
    assert 'name="return_query" value="category=financial-planning"' in form
    entry = int(re.search(r"/experience/(\d+)/", link)[1])
    done = post_form(c, f"/approvals/experience/{entry}/reject",
                     {"reason": "No timesheet", "return_query": "category=financial-planning"},
                     page_url=link)  # fmt: skip
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/approvals?category=financial-planning")
