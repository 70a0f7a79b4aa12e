"""Counting hours: spreading, caps, windows, calendar arithmetic, min_months, projections."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from engine_builders import define, entry, exam, find, reasons, run

from tracker.requirements_engine import render_text


def hours_node(
    as_of: str, records: dict[str, Any], *others: dict[str, Any], **spec: Any
) -> dict[str, Any]:
    d = define({"id": "h", "hours": {"min": 1000, **spec}}, *others)
    return find(run(d, records, as_of), "h")


def test_hours_are_spread_evenly_over_calendar_days() -> None:
    node = hours_node("2024-01-05", {"experience": [entry("x1", "2024-01-01", "2024-01-10", 100)]})
    assert node["counted_hours"] == 50.0
    assert node["evidence"] == ["x1"]
    assert node["required_hours"] == 1000.0
    assert node["status"] == "in_progress"
    assert node["detail"] == "50 of 1,000 hours"


def test_met_on_is_the_day_the_running_total_reaches_min() -> None:
    node = hours_node("2024-12-31", {"experience": [entry("x1", "2024-01-01", "2024-04-09", 2000)]})
    assert node["status"] == "met"
    assert node["met_on"] == "2024-02-19"
    assert node["projected_on"] is None
    assert node["progress"] == 1.0


def test_weekly_cap_and_capped_hours() -> None:
    # 4 calendar weeks, Monday 2024-01-01 to Sunday 2024-01-28, 55 hours a week.
    node = hours_node(
        "2024-06-01",
        {"experience": [entry("x1", "2024-01-01", "2024-01-28", 220)]},
        max_per_week=40,
    )
    assert node["counted_hours"] == 160.0
    assert node["capped_hours"] == 60.0
    assert (
        node["detail"]
        == "160 of 1,000 hours; 60 hours above the 40-hour weekly limit were not counted"
    )


def test_concurrent_entries_share_the_weekly_cap() -> None:
    records = {
        "experience": [
            entry("full", "2024-01-01", "2024-01-28", 160),
            entry("part", "2024-01-01", "2024-01-28", 40),
        ]
    }
    node = hours_node("2024-06-01", records, max_per_week=40)
    assert (node["counted_hours"], node["capped_hours"]) == (160.0, 40.0)
    assert sorted(node["evidence"]) == ["full", "part"]


def test_week_runs_monday_to_sunday() -> None:
    # Thursday to Wednesday: 7 days at 10 h a day fall into two calendar weeks (40 + 30).
    node = hours_node(
        "2024-06-01", {"experience": [entry("x1", "2024-01-04", "2024-01-10", 70)]}, max_per_week=35
    )
    assert node["counted_hours"] == 65.0
    assert node["capped_hours"] == 5.0


def test_yearly_cap() -> None:
    records = {"experience": [entry("x1", "2022-01-01", "2023-12-31", 730 * 2)]}
    node = hours_node("2024-06-01", records, min=2000, max_per_year=500)
    assert (node["counted_hours"], node["capped_hours"]) == (1000.0, 460.0)
    assert "above the 500-hour yearly limit" in node["detail"]


def test_both_caps_are_named() -> None:
    records = {"experience": [entry("x1", "2024-01-01", "2024-12-29", 364 * 10)]}
    node = hours_node("2025-06-01", records, min=5000, max_per_week=50, max_per_year=2000)
    assert node["counted_hours"] == 2000.0
    assert node["capped_hours"] == 1640.0
    assert "50-hour weekly and 2,000-hour yearly limits" in node["detail"]


EXAM = {"id": "exam", "exam": {"code": "X"}}
AROUND = {"anchor": "exam", "years_before": 1, "years_after": 1}


def test_window_around_the_anchor_counts_straddling_entries_in_part() -> None:
    records = {
        "exams": [exam("e1", "X", "2020-07-15")],
        "experience": [
            entry("inside", "2020-01-01", "2020-01-10", 10),
            entry("straddles", "2021-07-11", "2021-07-20", 100),
            entry("before", "2019-01-01", "2019-07-14", 50),
            entry("after", "2021-07-16", "2021-08-01", 50),
        ],
    }
    node = hours_node("2024-01-01", records, EXAM, window=AROUND)
    assert node["counted_hours"] == 60.0
    assert sorted(node["evidence"]) == ["inside", "straddles"]
    assert reasons(node) == {"before": "outside_window", "after": "outside_window"}


def test_window_anchor_not_met_uses_as_of_so_only_the_lower_bound_applies() -> None:
    records = {
        "experience": [
            entry("old", "2021-11-01", "2021-11-25", 25),
            entry("ok", "2021-11-26", "2021-11-30", 5),
        ]
    }
    node = hours_node("2022-11-26", records, EXAM, window=AROUND)
    assert node["counted_hours"] == 5.0
    assert reasons(node) == {"old": "outside_window"}


def test_last_years_window_is_inclusive() -> None:
    records = {
        "experience": [
            entry("edge", "2022-06-30", "2022-06-30", 8),
            entry("out", "2022-06-29", "2022-06-29", 8),
        ]
    }
    node = hours_node("2025-06-30", records, window={"last_years": 3})
    assert node["counted_hours"] == 8.0
    assert reasons(node) == {"out": "outside_window"}


def test_feb_29_plus_a_year_is_feb_28() -> None:
    records = {
        "exams": [exam("e1", "X", "2024-02-29")],
        "experience": [
            entry("last-day", "2025-02-28", "2025-02-28", 8),
            entry("too-late", "2025-03-01", "2025-03-01", 8),
        ],
    }
    node = hours_node("2026-01-01", records, EXAM, window={"anchor": "exam", "years_after": 1})
    assert node["counted_hours"] == 8.0
    assert reasons(node) == {"too-late": "outside_window"}


def test_min_months_waits_for_the_later_date() -> None:
    # 4,000 hours in 24 months must wait for month 36.
    records = {"experience": [entry("x1", "2020-01-01", "2021-12-31", 4000)]}
    waiting = hours_node("2022-12-31", records, min=4000, min_months=36)
    assert (waiting["status"], waiting["met_on"], waiting["counted_hours"]) == (
        "in_progress",
        None,
        4000.0,
    )
    assert waiting["progress"] < 1.0
    assert waiting["projected_on"] == "2023-01-01"
    assert "met on 2023-01-01" in waiting["detail"]
    met = hours_node("2023-01-01", records, min=4000, min_months=36)
    assert (met["status"], met["met_on"]) == ("met", "2023-01-01")
    slow = hours_node(
        "2030-01-01",
        {"experience": [entry("x1", "2020-01-01", "2025-12-31", 4000)]},
        min=3000,
        min_months=36,
    )
    assert slow["met_on"] == "2024-07-01"


@pytest.mark.parametrize(
    ("item", "spec", "reason"),
    [
        (entry("x", "2024-01-01", "2024-01-02", 8, status="pending"), {}, "pending"),
        (entry("x", "2024-01-01", "2024-01-02", 8, status="rejected"), {}, "rejected"),
        (
            entry("x", "2024-01-01", "2024-01-02", 8, source="internship"),
            {"source": "employment"},
            "not_matching",
        ),
        (
            entry("x", "2024-01-01", "2024-01-02", 8, category="sales"),
            {"categories": ["planning"]},
            "not_matching",
        ),
        (entry("x", "2024-01-01", "2024-01-02", 8), {"categories": ["planning"]}, "not_matching"),
        (
            entry("x", "2024-01-01", "2024-01-02", 8, supervised=False),
            {"supervised": True},
            "not_matching",
        ),
        (entry("x", "2026-01-01", "2026-01-02", 8), {}, "future"),
        (
            entry("x", "2010-01-01", "2010-01-02", 8),
            {"window": {"last_years": 5}},
            "outside_window",
        ),
        (
            entry("x", "2024-01-01", "2024-01-02", 8, status="approved"),
            {"status": "pending"},
            "not_matching",
        ),
    ],
)
def test_hours_exclusions(item: dict, spec: dict, reason: str) -> None:
    node = hours_node("2025-06-01", {"experience": [item]}, **spec)
    assert reasons(node) == {"x": reason}
    assert node["counted_hours"] == 0.0
    assert node["status"] == "not_started"


def test_matching_filters_count() -> None:
    item = entry(
        "x",
        "2024-01-01",
        "2024-01-02",
        8,
        source="employment",
        category="Planning",
        supervised=True,
    )
    node = hours_node(
        "2025-06-01",
        {"experience": [item]},
        source=["employment"],
        categories=["planning"],
        supervised=True,
    )
    assert node["counted_hours"] == 8.0


def test_after_cutoff_and_status_widening() -> None:
    records = {
        "exams": [exam("e1", "X", "2024-01-05")],
        "experience": [
            entry("a", "2024-01-01", "2024-01-10", 100),
            entry("b", "2024-02-01", "2024-02-10", 100),
            entry("p", "2023-01-01", "2023-01-10", 10, status="pending"),
        ],
    }
    node = hours_node("2025-01-01", records, EXAM, status=["approved", "pending"])
    d = define(
        {"id": "h", "before": "exam", "hours": {"min": 1000, "status": ["approved", "pending"]}},
        EXAM,
    )
    node = find(run(d, records, "2025-01-01"), "h")
    assert node["counted_hours"] == 60.0
    assert reasons(node) == {"b": "after_cutoff"}
    assert node["pending_hours"] == 0.0
    assert node["projected_on"] is None


def test_pending_hours_are_reported_separately_within_the_window() -> None:
    records = {
        "experience": [
            entry("p", "2024-01-01", "2024-01-10", 100, status="pending"),
            entry("old", "2010-01-01", "2010-01-10", 100, status="pending"),
        ]
    }
    node = hours_node("2024-01-05", records, window={"last_years": 5})
    assert node["pending_hours"] == 50.0
    assert node["counted_hours"] == 0.0
    assert reasons(node) == {"p": "pending", "old": "pending"}
    assert "50 hours pending approval" in node["detail"]


def test_projected_on_uses_the_average_of_the_last_26_weeks() -> None:
    as_of = date(2026, 11, 26)
    start = as_of - timedelta(days=26 * 7 - 1)
    records = {
        "experience": [
            entry("old", "2020-01-01", "2020-12-31", 480),
            entry("recent", start.isoformat(), as_of.isoformat(), 26 * 20),
        ]
    }
    node = hours_node(as_of.isoformat(), records)
    assert node["counted_hours"] == 1000.0
    node = hours_node(as_of.isoformat(), records, min=2000)
    # 1,000 of 2,000 counted; 20 hours a week means 50 more weeks.
    assert node["projected_on"] == (as_of + timedelta(weeks=50)).isoformat()
    assert "projected" in render_text(
        run(define({"id": "h", "hours": {"min": 2000}}), records, as_of)
    )


def test_projected_on_is_null_without_recent_hours_or_after_the_window() -> None:
    records = {
        "exams": [exam("e1", "X", "2020-01-01")],
        "experience": [entry("x", "2019-06-01", "2019-06-30", 100)],
    }
    assert hours_node("2026-11-26", records)["projected_on"] is None
    recent = {
        "exams": [exam("e1", "X", "2026-01-01")],
        "experience": [entry("x", "2026-11-01", "2026-11-26", 26)],
    }
    node = hours_node(
        "2026-11-26", recent, EXAM, window={"anchor": "exam", "years_before": 1, "years_after": 1}
    )
    assert node["projected_on"] is None


def test_calendar_arithmetic_saturates_at_the_ends_of_the_calendar() -> None:
    from datetime import date

    from tracker.requirements_engine.dates import add_months, add_years

    assert add_years(date(9999, 12, 31), 5) == date.max
    assert add_years(date(1, 1, 1), -10) == date.min
    assert add_months(date(9999, 12, 1), 1) == date.max
    assert add_months(date(1, 1, 1), -1) == date.min
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


# --- hours by year (contract 6.8) --------------------------------------------------------------


def row(year: int, counted: float, capped: float = 0.0, pending: float = 0.0) -> dict[str, Any]:
    return {"year": year, "counted": counted, "capped": capped, "pending": pending}


BY_YEAR_CASES = [
    (
        "spread-over-two-years",
        [entry("x", "2023-12-22", "2024-01-10", 200)],
        {},
        [row(2023, 100.0), row(2024, 100.0)],
    ),
    (
        # Monday 2022-12-26 to Sunday 2023-01-01 at 10 h a day: the week's first days (in
        # 2022) fill the cap first; the dropped hours belong to the days they were spread on.
        "weekly-cap-week-straddles-new-year",
        [entry("x", "2022-12-26", "2023-01-01", 70)],
        {"max_per_week": 40},
        [row(2022, 40.0, 20.0), row(2023, 0.0, 10.0)],
    ),
    (
        "weekly-cap-week-straddles-new-year-counted-in-both",
        [entry("x", "2022-12-26", "2023-01-01", 70)],
        {"max_per_week": 65},
        [row(2022, 60.0), row(2023, 5.0, 5.0)],
    ),
    (
        "yearly-cap-each-year",
        [entry("x", "2022-01-01", "2023-12-31", 1460)],
        {"min": 2000, "max_per_year": 500},
        [row(2022, 500.0, 230.0), row(2023, 500.0, 230.0)],
    ),
    (
        "concurrent-jobs-capped-in-their-year",
        [
            entry("full", "2024-01-01", "2024-01-28", 160),
            entry("part", "2024-01-01", "2024-01-28", 40),
        ],
        {"max_per_week": 40},
        [row(2024, 160.0, 40.0)],
    ),
    (
        "pending-split-by-year",
        [
            entry("p", "2023-12-31", "2024-01-01", 16, status="pending"),
            entry("a", "2024-06-03", "2024-06-03", 8),
        ],
        {},
        [row(2023, 0.0, pending=8.0), row(2024, 8.0, pending=8.0)],
    ),
    (
        "rejected-and-not-matching-years-have-no-row",
        [
            entry("r", "2019-01-01", "2019-01-10", 80, status="rejected"),
            entry("other", "2020-01-01", "2020-01-10", 80, category="sales"),
            entry("a", "2021-01-01", "2021-01-10", 80, category="planning"),
        ],
        {"categories": ["planning"]},
        [row(2021, 80.0)],
    ),
    (
        "window-keeps-only-days-inside",
        # The window opens 2023-06-30; 1 hour a day.
        [entry("x", "2023-06-01", "2024-01-31", 245)],
        {"window": {"last_years": 1}},
        [row(2023, 185.0), row(2024, 31.0)],
    ),
    (
        "fractions-rounded-to-2-places",
        [entry("x", "2023-12-31", "2024-01-02", 10)],
        {},
        [row(2023, 3.33), row(2024, 6.67)],
    ),
    ("no-entries", [], {}, []),
]


@pytest.mark.parametrize(
    ("items", "spec", "expected"), [pytest.param(*c[1:], id=c[0]) for c in BY_YEAR_CASES]
)
def test_by_year(items: list, spec: dict, expected: list) -> None:
    node = hours_node("2024-06-30", {"experience": items}, **spec)
    assert node["by_year"] == expected
    for key, total in (("counted", "counted_hours"), ("capped", "capped_hours")):
        assert sum(r[key] for r in node["by_year"]) == pytest.approx(node[total], abs=0.01)
    assert sum(r["pending"] for r in node["by_year"]) == pytest.approx(
        node["pending_hours"], abs=0.01
    )


def test_by_year_stops_at_the_evaluation_date_and_is_empty_when_not_applicable() -> None:
    d = define(
        {"id": "h", "hours": {"min": 1000}},
        {"id": "other", "pathway": "b", "hours": {"min": 10}},
        pathways={"a": "A", "b": "B"},
    )
    result = run(d, {"experience": [entry("x", "2024-12-01", "2025-01-30", 61)]}, "2025-01-10")
    assert find(result, "h")["by_year"] == [row(2024, 31.0), row(2025, 10.0)]
    assert find(result, "other")["by_year"] == []
