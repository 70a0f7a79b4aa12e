"""The statement's hours-by-year table is the engine's `by_year` (format §6.8): one
evaluation, no second count of hours."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.credentials import cache
from tracker.credentials import evaluation as evaluation_module
from tracker.credentials.catalog import current_catalog
from tracker.records.models import EntryStatus, ExperienceEntry
from tracker.statements.content import prepare_statement


def test_the_table_is_the_engines_by_year_from_one_evaluation(app, factory, monkeypatch):
    org = factory.org()
    cand = factory.user("candidate", org)
    coord = factory.user("coordinator", org)

    def records() -> None:
        from tracker.accounts.models import User
        from tracker.candidates.operations import enrol
        from tracker.extensions import db

        who = db.session.get(User, cand.id)
        enrol(who, who, current_catalog(), {"credential": "cfp"})
        monday = date(2023, 12, 18)
        for week in range(4):  # 2023-12-18 … 2024-01-14: two calendar years
            start = monday + timedelta(weeks=week)
            db.session.add(
                ExperienceEntry(candidate_id=cand.id, start=start, end=start + timedelta(days=6),
                                hours=70, category="financial-planning",
                                status=EntryStatus.APPROVED if week < 3 else EntryStatus.PENDING,
                                decided_by_id=coord.id)
            )  # fmt: skip

    factory.run(records)
    calls = []
    real = evaluation_module.evaluate_records_pathways
    monkeypatch.setattr(
        evaluation_module,
        "evaluate_records_pathways",
        lambda *a, **k: calls.append(a) or real(*a, **k),
    )
    cache.results.clear()
    with app.app_context():
        from tracker.accounts.models import User
        from tracker.extensions import db

        prepared = prepare_statement(current_catalog(), db.session.get(User, cand.id), "cfp",
                                     date(2024, 6, 1))  # fmt: skip
    assert len(calls) == 1, "the statement evaluates once"
    (table,) = prepared.content["hours"]["tables"]
    assert [row["year"] for row in table["rows"]] == [2023, 2024]
    # 40 h a week count (the weekly cap), 30 h of each approved week are above it.
    assert table["totals"]["counted"] == 120
    assert table["totals"]["capped"] == 90
    assert table["totals"]["pending"] == 70
