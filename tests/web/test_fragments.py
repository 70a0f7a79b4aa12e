"""Cached row fragments (tracker/web/fragments.py): a row is rendered once per content and
language, and a row whose data changed is rendered afresh, never shown stale."""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass
from datetime import date

import pytest

from bench.bench_pages import counting
from tests.approvals.test_queue import post_form, queue  # noqa: F401 - the fixture
from tests.candidates.test_pages import client_for
from tracker.accounts.models import Organization, User
from tracker.candidates import operations as records
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.web.fragments import SHARED_TTL, FragmentCache, SharedFragments, cache_of, freeze


def test_a_fragment_is_rendered_once_per_key():
    cache, calls = FragmentCache(), []

    def render(text):
        def run():
            calls.append(text)
            return text

        return run

    assert cache.get(("row", 1), render("<tr>a</tr>")) == "<tr>a</tr>"
    assert cache.get(("row", 1), render("<tr>b</tr>")) == "<tr>a</tr>"
    assert cache.get(("row", 2), render("<tr>b</tr>")) == "<tr>b</tr>"
    assert calls == ["<tr>a</tr>", "<tr>b</tr>"] and (cache.hits, cache.misses) == (1, 2)


def test_the_cache_keeps_its_size_dropping_the_least_recently_used():
    cache = FragmentCache(limit_chars=10)
    for key in ("a", "b", "c"):
        cache.get(key, lambda: "1234")
    cache.get("b", lambda: "lost")  # b used again: a is the oldest now
    cache.get("d", lambda: "1234")
    assert cache.size <= 10
    assert cache.get("b", lambda: "new") == "1234"
    assert cache.get("a", lambda: "new") == "new"


@dataclass(frozen=True)
class Week:
    start: date
    hours: float


def test_keys_are_frozen_from_the_shown_values():
    assert freeze({"b": [1, 2], "a": Week(date(2026, 1, 5), 40.0)}) == freeze(
        {"a": Week(date(2026, 1, 5), 40.0), "b": [1, 2]}
    )
    assert freeze([1, 2]) != freeze([2, 1])
    assert freeze({3, 1}) == freeze({1, 3})
    with pytest.raises(TypeError, match="cannot key a cached fragment on a object"):
        freeze(object())


@pytest.fixture()
def cohort(factory):
    org = factory.org("Fragments Bank")
    coordinator = factory.user("coordinator", org, email="coord@fragments.example")
    people = [factory.user("candidate", org, name=name) for name in ("Bea Bell", "Al Alder")]

    def enrol() -> None:
        for person in people:
            me = db.session.get(User, person.id)
            records.enrol(me, me, current_catalog(), {"credential": "cfp"})

    factory.run(enrol)
    return {"coordinator": coordinator, "people": people}


def test_a_cohort_row_follows_its_data_and_the_language(app, cohort, factory):
    client = client_for(app, cohort["coordinator"])
    first = client.get("/cohort?lang=en").get_data(as_text=True)
    assert "Al Alder" in first and ">Not started<" in first
    hits = cache_of(app).hits
    assert client.get("/cohort?lang=en").get_data(as_text=True) == first
    assert cache_of(app).hits >= hits + 1  # the table, and so both rows, from the cache
    polish = client.get("/cohort?lang=pl").get_data(as_text=True)
    assert ">Nierozpoczęty<" in polish and ">Not started<" not in polish

    def rename() -> None:
        db.session.get(User, cohort["people"][1].id).name = "Alan Alder"

    factory.run(rename)
    renamed = client.get("/cohort?lang=en").get_data(as_text=True)
    assert "Alan Alder" in renamed and "Al Alder" not in renamed


def test_a_queue_row_shows_the_candidate_s_new_totals_after_a_decision(app, queue):  # noqa: F811
    client = client_for(app, queue["coord"])

    def totals():
        html = client.get("/approvals").get_data(as_text=True)
        return re.findall(r'class="muted small totals">([^<]+)<', html)

    assert totals()[:2] == ["0 h approved, 203 h pending"] * 2
    first = queue["ids"][("Ann Able", 1)]
    assert (
        post_form(client, f"/approvals/experience/{first}/approve", {}, "/approvals").status_code
        == 302
    )
    assert totals()[0] == "101 h approved, 102 h pending"


def test_stale_rows_of_two_candidates_keep_their_own_names(app, cohort):
    """Recomputed rows of two candidates with the same result are still two rows: each
    is keyed by who it is, not only by what the evaluation said."""
    from sqlalchemy import update

    from tracker.credentials.models import EnrolmentResult
    from tracker.database import writing

    with app.app_context(), writing():
        db.session.execute(update(EnrolmentResult).values(records_version=-1))
        db.session.commit()
    page = client_for(app, cohort["coordinator"]).get("/cohort?lang=en").get_data(as_text=True)
    assert ">Bea Bell</a>" in page and ">Al Alder</a>" in page


def test_a_shared_fragment_is_rendered_once_for_every_worker(tmp_path):
    """Two workers (two stores on one directory): the second reads what the first wrote."""
    root = tmp_path / "fragments"
    first, second, calls = SharedFragments(root), SharedFragments(root), []

    def render(text):
        def run():
            calls.append(text)
            return text

        return run

    key = ("progress", "pl", "", (7, 42, date(2026, 12, 2)))
    assert first.get(key, render("<section>zażółć</section>")) == "<section>zażółć</section>"
    assert second.get(key, render("other")) == "<section>zażółć</section>"
    assert second.get(("progress", "en", "", 7), render("en")) == "en"
    assert calls == ["<section>zażółć</section>", "en"]
    stored = first.path(key)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert not list(root.glob("*/.*.part"))  # written whole, then renamed into place
    # Files older than the time to live are removed; the others stay.
    old = time.time() - SHARED_TTL.total_seconds() - 60
    os.utime(stored, (old, old))
    assert first.prune() == 1
    assert not stored.exists() and second.path(("progress", "en", "", 7)).exists()


def test_holes_take_each_request_s_own_parts_into_a_cached_fragment(app):
    with app.test_request_context("/"):
        template = app.jinja_env.from_string(
            '{% call cached("t", 1, holes={"who": who}) %}<p>{{ text }} {{ hole("who") }}'
            "</p>{% endcall %}"
        )
        assert template.render(text="<b>", who="Ann") == "<p>&lt;b&gt; Ann</p>"
        # The fragment is cached (its text is not rendered again), its hole is not.
        assert template.render(text="other", who="Bo") == "<p>&lt;b&gt; Bo</p>"
        # Shown data cannot open a hole: its "<" is escaped.
        template = app.jinja_env.from_string(
            '{% call cached("u", 1, holes={"who": "X"}) %}{{ text }}{% endcall %}'
        )
        assert template.render(text="<!--hole:who-->") == "&lt;!--hole:who--&gt;"


def _progress_url(person):
    return f"/candidates/{person.id}/progress/cfp?lang=en"


def test_a_progress_page_is_evaluated_once_for_every_worker(app, cohort, factory):
    """Another worker (empty caches of its own) shows the page from the shared fragment,
    without reading the candidate's records; a change to them shows at once."""
    from tracker.credentials import cache

    person = cohort["people"][0]
    client = client_for(app, cohort["coordinator"])

    def shown(response):
        """The page's own content (the navigation around it may change meanwhile: a
        notice), without its CSRF tokens (they carry the time they were signed)."""
        html = response.get_data(as_text=True)
        content = html[html.index("<main") : html.index("</main>")]
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", content)

    first = shown(client.get(_progress_url(person)))
    assert "Counted 0 of 6,000 h" in first
    cache_of(app).clear()
    cache.results.clear()
    with app.app_context():
        engine = db.engine
    with counting(engine) as seen:
        again = shown(client.get(_progress_url(person)))
    assert again == first
    assert not [s for s in seen if "FROM hours_entries" in s or "FROM degrees" in s]

    def log_hours() -> None:
        me = db.session.get(User, person.id)
        records.add_record(me, me, "experience", {"start": date(2026, 1, 5),
                           "end": date(2026, 1, 9), "hours": 40, "category": "financial-planning"})  # fmt: skip

    factory.run(log_hours)
    after = client.get(_progress_url(person)).get_data(as_text=True)
    assert "40 h pending approval" in after


def test_a_progress_page_cached_for_one_user_shows_another_their_own_actions(app, cohort):
    person = cohort["people"][0]
    own = client_for(app, person).get(_progress_url(person)).get_data(as_text=True)
    assert "Add or change records" in own  # only the candidate may change their records
    theirs = client_for(app, cohort["coordinator"]).get(_progress_url(person))
    assert theirs.status_code == 200
    page = theirs.get_data(as_text=True)
    assert "Add or change records" not in page and "Counted 0 of 6,000 h" in page
    assert "<!--hole:" not in page and "<!--hole:" not in own


def test_the_queue_filter_offers_a_candidate_as_soon_as_their_hours_wait(app, queue, factory):  # noqa: F811
    client = client_for(app, queue["coord"])
    options = re.compile(r'<option (?:selected )?value="[0-9]*">([^<]+)</option>')
    assert options.findall(client.get("/approvals").get_data(as_text=True))[:3] == [
        "All candidates", "Ann Able", "Bob Baker"
    ]  # fmt: skip

    with app.app_context():
        org = db.session.get(Organization, queue["coord"].organization_id)
    cy = factory.user("candidate", org, name="Cy Cole")

    def newcomer() -> None:
        me = db.session.get(User, cy.id)
        records.add_record(me, me, "experience", {"start": date(2025, 6, 2),
                           "end": date(2025, 6, 6), "hours": 30, "category": "financial-planning"})  # fmt: skip

    factory.run(newcomer)
    html = client.get("/approvals").get_data(as_text=True)
    assert "Cy Cole" in options.findall(html)
    assert html.count('id="entry-') == 4  # the table too: the newcomer's row is on it


def test_a_queue_shown_again_reads_no_entry_and_shows_every_change(app, queue, factory):  # noqa: F811
    """The queue's table is keyed by its rows (entry version, candidate records_version
    and name) and files: shown again, it reads neither the entries nor their checks; an
    edit, a rename, a file and a decision each show on the next view."""
    from tracker.records.models import EvidenceFile, ExperienceEntry

    client = client_for(app, queue["coord"])
    first = client.get("/approvals").get_data(as_text=True)
    with app.app_context():
        engine = db.engine
    with counting(engine) as seen:
        again = client.get("/approvals").get_data(as_text=True)
    assert again.count('id="entry-') == first.count('id="entry-') == 3
    # Only the page's plain rows, the waiting totals and the files: no entry's columns, no
    # totals of a candidate, no enrolments (the checks).
    assert not [s for s in seen if "hours_entries.employer" in s or "enrolments" in s]
    assert [s for s in seen if "evidence_files" in s]
    entry_id = queue["ids"][("Ann Able", 1)]

    def edit() -> None:
        ann = db.session.get(User, queue["ann"].id)
        row = db.session.get(ExperienceEntry, entry_id)
        records.update_record(ann, ann, "experience", row, {"start": row.start, "end": row.end,
                              "hours": 77, "category": row.category})  # fmt: skip

    factory.run(edit)
    html = client.get("/approvals").get_data(as_text=True)
    assert 'aria-label="Approve 77 hours of Ann Able"' in html
    assert "0 h approved, 179 h pending" in html  # her totals follow the edit too

    def rename() -> None:
        db.session.get(User, queue["bob"].id).name = "Robert Baker"

    factory.run(rename)
    html = client.get("/approvals").get_data(as_text=True)
    assert "Robert Baker" in html and "Bob Baker" not in html

    def attach() -> None:
        db.session.add(EvidenceFile(candidate_id=queue["ann"].id, record_type="experience",
                                    record_id=entry_id, original_name="payslip-jan.pdf",
                                    stored_name="f" * 64, content_type="application/pdf",
                                    size=10, sha256="0" * 64, uploaded_by_id=queue["ann"].id))  # fmt: skip

    factory.run(attach)
    assert "payslip-jan.pdf" in client.get("/approvals").get_data(as_text=True)
    assert (
        post_form(client, f"/approvals/experience/{entry_id}/approve", {}, "/approvals").status_code
        == 302
    )
    assert client.get("/approvals").get_data(as_text=True).count('id="entry-') == 2
