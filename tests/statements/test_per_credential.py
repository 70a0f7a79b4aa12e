"""A statement is about one credential (issue 14): a FINRA statement lists no CFP courses
and shows no CFP hours."""

from __future__ import annotations

import re
from datetime import date

from tracker.accounts.models import User
from tracker.candidates.operations import add_record, enrol
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.statements.content import prepare_statement


def _statement(factory, credential, as_of, add_records):
    """A candidate enrolled in `credential` by a coordinator, with the records that
    add_records(candidate) adds; the candidate and the content of their statement."""
    org = factory.org()
    cand, coord = factory.user("candidate", org), factory.user("coordinator", org)

    def world():
        me, boss = db.session.get(User, cand.id), db.session.get(User, coord.id)
        catalog = current_catalog()
        enrol(boss, me, catalog, {"credential": credential})
        add_records(me)
        return prepare_statement(catalog, me, credential, as_of).content

    return cand, factory.run(world)


def test_a_finra_statement_lists_only_the_records_finra_reads(app, factory):
    def records(me):
        add_record(
            me,
            me,
            "degrees",
            {
                "level": "bachelor",
                "field": "Finance",
                "institution": "U",
                "conferred_on": date(2015, 6, 1),
            },
        )
        add_record(
            me,
            me,
            "courses",
            {
                "title": "Tax Planning",
                "provider": "cfp-registered",
                "topics": ["tax"],
                "completed_on": date(2020, 1, 1),
            },
        )
        add_record(me, me, "exams", {"code": "SIE", "taken_on": date(2024, 3, 1), "passed": True})
        add_record(
            me,
            me,
            "experience",
            {
                "start": date(2024, 1, 1),
                "end": date(2024, 1, 31),
                "hours": 150,
                "category": "financial-planning",
            },
        )

    _cand, content = _statement(factory, "finra-rep", date(2025, 1, 1), records)
    assert {r["kind"] for r in content["records"]} == {"Exam result"}
    assert content["hours"]["tables"] == []


def test_the_current_renewal_cycle_is_on_the_progress_page_and_the_statement(app, factory):
    """cfp-ce counts CE in 24-month cycles from certification (§6.4): both show its ends."""
    from tests.candidates.test_pages import client_for

    def records(me):
        add_record(me, me, "credentials", {"id": "cfp", "awarded_on": date(2024, 1, 15)})

    cand, content = _statement(factory, "cfp-ce", date(2025, 6, 1), records)
    cycles = [r["cycle"] for r in content["requirements"] if "cycle" in r]
    assert cycles and cycles[0]["start"] == "2024-01-15"
    html = client_for(app, cand).get(f"/candidates/{cand.id}/progress/cfp-ce?lang=pl")
    # Periods end on a month's last day: "… – 31 stycznia 20XX" whichever period runs today.
    assert re.search(r"Bieżący okres rozliczeniowy: \d+ \w+ \d{4} – 31 stycznia \d{4}\.",
                     html.get_data(as_text=True))  # fmt: skip
