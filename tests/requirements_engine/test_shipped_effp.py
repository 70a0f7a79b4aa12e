"""effp-efg.yaml and effp-efg-recert.yaml: €FFP Polska's EFG® and its training points (P1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_shipped_definitions import CREDENTIALS_DIR, check, course, exam, find, held

from tracker.requirements_engine import evaluate, load_directory

CATALOG = load_directory(CREDENTIALS_DIR)


def points(id_: str, completed_on: str, credits: float) -> dict[str, Any]:
    return course(id_, "effp-training", [], completed_on, credits)


EFG_CASES = [
    pytest.param(
        {"exams": [exam("e-efg", "EFG", "2024-03-10")]},
        "2024-04-01",
        {None: {"status": "met", "met_on": "2024-03-10"}},
        id="P1-exam-passed-no-course-required",
    ),
    pytest.param(
        {"exams": [exam("e-efg", "EFG", "2024-03-10", passed=False)]},
        "2024-04-01",
        {None: {"status": "not_started"}, "exam": {"excluded": {("e-efg", "not_passed")}}},
        id="P1-failed-exam",
    ),
    pytest.param(
        {"exams": [exam("e-efa", "EFA", "2024-03-10")]},
        "2024-04-01",
        {None: {"status": "not_started"}, "exam": {"excluded": {("e-efa", "not_matching")}}},
        id="P1-another-certificates-exam-is-not-the-efg",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), EFG_CASES)
def test_efg(records: dict[str, Any], as_of: str, expected: dict) -> None:
    check(CATALOG, "effp-efg", records, as_of, expected)


# Exam 2024-03-10: periods 2024-03-10..2026-03-09, 2026-03-10..2028-03-09.
PASSED = [exam("e-efg", "EFG", "2024-03-10")]

RECERT_CASES = [
    pytest.param(
        {
            "exams": PASSED,
            "courses": [points("p1", "2025-01-10", 60), points("p2", "2026-03-09", 40)],
        },
        "2026-03-09",
        {
            None: {"status": "met", "met_on": "2026-03-09"},
            "training-points": {"cycle": {"start": "2024-03-10", "end": "2026-03-09"}},
        },
        id="P1-100-points-by-the-last-day-of-the-period",
    ),
    pytest.param(
        {
            "exams": PASSED,
            "courses": [points("p1", "2025-01-10", 60), points("p2", "2026-03-09", 40)],
        },
        "2026-03-10",
        {
            None: {"status_not": "met"},
            "training-points": {
                "status": "not_started",
                "excluded": {("p1", "outside_window"), ("p2", "outside_window")},
                "cycle": {"start": "2026-03-10", "end": "2028-03-09"},
            },
        },
        id="P1-points-do-not-carry-into-the-next-period",
    ),
    pytest.param(
        {"exams": PASSED, "courses": [points("p1", "2025-01-10", 99)]},
        "2026-03-09",
        {"training-points": {"status": "in_progress", "progress": 0.99}},
        id="P1-99-points-are-not-enough",
    ),
    pytest.param(
        {
            "credentials": [held("effp-efg", "2022-06-01")],
            "courses": [points("p1", "2024-06-01", 100)],
        },
        "2024-12-31",
        {
            None: {"status": "met"},
            "training-points": {"cycle": {"start": "2024-06-01", "end": "2026-05-31"}},
        },
        id="P1-held-certificate-starts-the-periods",
    ),
    pytest.param(
        {"courses": [points("p1", "2024-06-01", 100)]},
        "2024-12-31",
        {None: {"status_not": "met"}, "training-points": {"status": "not_started", "cycle": None}},
        id="P1-no-period-without-the-certificate",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), RECERT_CASES)
def test_efg_training_points(records: dict[str, Any], as_of: str, expected: dict) -> None:
    check(CATALOG, "effp-efg-recert", records, as_of, expected)


def test_polish_titles() -> None:
    result = evaluate(CATALOG["effp-efg-recert"], {}, date(2024, 6, 1), lang="pl", catalog=CATALOG)
    assert result["name"] == "Utrzymanie certyfikatu EFG® (punkty szkoleniowe €FFP Polska)"
    assert (
        find(result, "training-points")["title"]
        == "100 punktów szkoleniowych w bieżącym 2-letnim okresie"
    )
