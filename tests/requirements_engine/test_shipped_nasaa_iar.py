"""nasaa-iar.yaml: the Series 65 path for investment adviser representatives (F5, F13)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_shipped_definitions import CREDENTIALS_DIR, check, exam, find

from tracker.requirements_engine import evaluate, load_directory

CATALOG = load_directory(CREDENTIALS_DIR)

CASES = [
    pytest.param(
        {"exams": [exam("e-s65", "S65", "2024-05-10")]},
        "2024-06-01",
        {None: {"status": "met", "met_on": "2024-05-10"}, "series-65": {"evidence": {"e-s65"}}},
        id="F13-series-65-alone-qualifies-no-sie-no-sponsor",
    ),
    pytest.param(
        {"exams": [exam("e-s65-1", "S65", "2024-02-10", passed=False)]},
        "2024-06-01",
        {
            None: {"status": "not_started"},
            "series-65": {"excluded": {("e-s65-1", "not_passed")}},
        },
        id="F13-a-failed-attempt-is-not-a-pass",
    ),
    pytest.param(
        {
            "exams": [
                exam("e-s65-1", "S65", "2024-02-10", False),
                exam("e-s65", "S65", "2024-04-01"),
            ]
        },
        "2024-06-01",
        {None: {"status": "met", "met_on": "2024-04-01"}},
        id="F13-passed-on-the-second-attempt",
    ),
    pytest.param(
        # The Series 66 + Series 7 route is not in the fact sheet and not modelled.
        {"exams": [exam("e-s7", "S7", "2024-01-10"), exam("e-s66", "S66", "2024-02-10")]},
        "2024-06-01",
        {
            None: {"status_not": "met"},
            "series-65": {"excluded": {("e-s7", "not_matching"), ("e-s66", "not_matching")}},
        },
        id="F13-series-66-with-series-7-is-not-the-series-65-path",
    ),
    pytest.param(
        {"exams": [exam("e-s65", "S65", "2024-07-01")]},
        "2024-06-01",
        {None: {"status": "not_started"}, "series-65": {"excluded": {("e-s65", "future")}}},
        id="a-pass-after-the-evaluation-date-is-not-seen",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CASES)
def test_series_65_path(records: dict[str, Any], as_of: str, expected: dict) -> None:
    check(CATALOG, "nasaa-iar", records, as_of, expected)


def test_polish_titles() -> None:
    result = evaluate(CATALOG["nasaa-iar"], {}, date(2024, 6, 1), lang="pl")
    assert result["name"] == "Przedstawiciel doradcy inwestycyjnego (Series 65)"
    assert find(result, "series-65")["title"].startswith("Egzamin Series 65")
