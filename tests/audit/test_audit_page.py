"""The audit log page: who reads which events, filters, paging, chain status."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import text as sql_text
from sqlalchemy import update

from tests.admin.pages import as_user, assert_accessible_basics, text
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.operations import record
from tracker.extensions import db


def _record(factory, actor, action, candidate=None, target="thing:1", before=None, after=None):
    def run():
        return record(
            db.session.get(User, actor.id) if actor else None,
            action,
            target,
            candidate=db.session.get(User, candidate.id) if candidate else None,
            before=before,
            after=after,
        ).id

    return factory.run(run)


def _targets(html):
    """The targets of the events listed on the page, in order."""
    return re.findall(r"<td><code>([^<]+)</code></td>", html)


@pytest.fixture()
def world(factory):
    harbor, north = factory.org("Harbor"), factory.org("Northwind")
    w = SimpleNamespace(
        harbor=harbor,
        north=north,
        cara=factory.user("candidate", harbor, name="Cara Candidate"),
        cody=factory.user("candidate", harbor, name="Cody Candidate"),
        ned=factory.user("candidate", north, name="Ned North"),
        coord=factory.user("coordinator", harbor, name="Coral Coord"),
        other_coord=factory.user("coordinator", north, name="Nora North"),
        mentor=factory.user("mentor", harbor, name="Lee Mentor"),
        admin=factory.user("admin", name="Ada Admin"),
    )
    _record(factory, w.coord, "experience.approve", w.cara, "experience:1", {"a": 1}, {"b": 2})
    _record(factory, w.coord, "experience.reject", w.cody, "experience:2")
    _record(factory, w.other_coord, "experience.approve", w.ned, "experience:3")
    return w


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["cara", "mentor"])
def test_candidates_and_mentors_get_403(client, world, who):
    assert as_user(client, getattr(world, who)).get("/audit").status_code == 403


def test_coordinator_reads_only_their_organization(client, world):
    response = as_user(client, world.coord).get("/audit")
    assert response.status_code == 200
    html = text(response)
    assert_accessible_basics(html)
    assert "experience:1" in _targets(html) and "experience:2" in _targets(html)
    assert "experience:3" not in _targets(html)
    assert "Hash chain" not in html
    assert "Ned North" not in html  # not offered in the candidate filter either
    other = text(as_user(client, world.other_coord).get("/audit"))
    assert "experience:3" in _targets(other) and "experience:1" not in _targets(other)


def test_admin_reads_everything_and_sees_an_intact_chain(client, world):
    html = text(as_user(client, world.admin).get("/audit"))
    assert_accessible_basics(html)
    assert {"experience:1", "experience:2", "experience:3"} <= set(_targets(html))
    assert re.search(r"Chain intact \(\d+ events\)", html)


def test_admin_sees_where_the_chain_breaks(client, world, factory):
    victim = _record(factory, world.coord, "experience.approve", world.cara, "experience:9")

    def tamper():
        pg = db.engine.dialect.name == "postgresql"
        trigger = "TRIGGER audit_events_append_only"
        if pg:  # as the database's owner would, past the append-only trigger
            db.session.execute(sql_text(f"ALTER TABLE audit_events DISABLE {trigger}"))
        db.session.execute(
            update(AuditEvent).where(AuditEvent.id == victim).values(target="experience:10")
        )
        if pg:
            db.session.execute(sql_text(f"ALTER TABLE audit_events ENABLE {trigger}"))

    factory.run(tamper)
    html = text(as_user(client, world.admin).get("/audit"))
    assert f"Chain broken at event {victim}" in html
    assert "changed after it was written" in html


def test_filter_by_candidate(client, world):
    c = as_user(client, world.coord)
    html = text(c.get(f"/audit?candidate={world.cara.id}"))
    assert "experience:1" in _targets(html) and "experience:2" not in _targets(html)
    assert f'<option selected value="{world.cara.id}">' in html
    assert "Show all" in html


def test_filter_by_action(client, world):
    html = text(as_user(client, world.coord).get("/audit?action=experience.reject"))
    assert _targets(html) == ["experience:2"]
    assert '<option value="experience.reject" selected>' in html or (
        '<option selected value="experience.reject">' in html
    )
    admin = text(as_user(client, world.admin).get("/audit?action=experience.approve"))
    assert set(_targets(admin)) == {"experience:1", "experience:3"}


def test_filter_by_a_candidate_of_another_organization_is_404(client, world):
    assert as_user(client, world.coord).get(f"/audit?candidate={world.ned.id}").status_code == 404
    admin = as_user(client, world.admin)
    targets = _targets(text(admin.get(f"/audit?candidate={world.ned.id}")))
    assert set(targets) == {"experience:3", f"user:{world.ned.id}"}  # user.create names him too


def test_before_and_after_are_compact_escaped_json(client, world, factory):
    _record(
        factory,
        world.coord,
        "experience.edit",
        world.cara,
        "experience:5",
        {"note": "<script>alert(1)</script>"},
        {"hours": 10, "note": "ok"},
    )
    html = text(as_user(client, world.coord).get("/audit?action=experience.edit"))
    assert "<script>alert(1)</script>" not in html
    assert "{&#34;note&#34;:&#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;}" in html
    assert "{&#34;hours&#34;:10,&#34;note&#34;:&#34;ok&#34;}" in html


def test_paging(client, world, factory):
    def many():
        coord = db.session.get(User, world.coord.id)
        cara = db.session.get(User, world.cara.id)
        for n in range(120):
            record(coord, "bulk.test", f"bulk:{n}", candidate=cara)

    factory.run(many)
    c = as_user(client, world.coord)
    first = text(c.get("/audit?action=bulk.test"))
    assert len(_targets(first)) == 100 and _targets(first)[0] == "bulk:119"
    assert "Page 1 of 2" in first and "Events 1–100 of 120" in first
    assert 'href="/audit?page=2&amp;action=bulk.test"' in first
    second = text(c.get("/audit?action=bulk.test&page=2"))
    assert len(_targets(second)) == 20 and _targets(second)[-1] == "bulk:0"
    assert "Events 101–120 of 120" in second
    assert c.get("/audit?page=-3").status_code == 200
    assert _targets(text(c.get("/audit?action=bulk.test&page=9"))) == []
