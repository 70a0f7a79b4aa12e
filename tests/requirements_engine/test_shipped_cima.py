"""cima.yaml: CIMA® of the Investments & Wealth Institute (IWI1, IWI2)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_shipped_definitions import CREDENTIALS_DIR, attest, check, course, exam, find

from tracker.requirements_engine import evaluate, load_directory

CATALOG = load_directory(CREDENTIALS_DIR)


def cima_candidate(**overrides: Any) -> dict[str, Any]:
    """Certified by 2024-09-01: application, Yale program, exam, then the final steps."""
    records: dict[str, Any] = {
        "courses": [course("c-yale", "iwi-registered-education", [], "2024-03-15")],
        "exams": [exam("e-cima", "CIMA", "2024-06-10")],
        "attestations": [
            attest("a-app", "cima-application", "2024-01-10"),
            attest("a-bg2", "cima-background-check", "2024-08-01"),
            attest("a-exp", "cima-experience", "2024-08-15"),
            attest("a-lic", "cima-license-agreement", "2024-09-01"),
        ],
    }
    records.update(overrides)
    return records


CASES = [
    pytest.param(
        cima_candidate(),
        "2024-10-01",
        {None: {"status": "met", "met_on": "2024-09-01"}, "certification": {"status": "met"}},
        id="IWI1-all-four-steps",
    ),
    pytest.param(
        cima_candidate(
            attestations=[
                attest("a-app", "cima-application", "2024-01-10"),
                attest("a-exp", "cima-experience", "2024-08-15"),
                attest("a-lic", "cima-license-agreement", "2024-09-01"),
            ]
        ),
        "2024-10-01",
        {
            None: {"status_not": "met"},
            "second-background-check": {"status": "not_started"},
            "certification": {"status": "in_progress"},
        },
        id="IWI1-second-background-check-required",
    ),
    pytest.param(
        cima_candidate(courses=[course("c-other", "cfp-registered", ["investment"], "2024-03-15")]),
        "2024-10-01",
        {
            None: {"status_not": "met"},
            "education": {"status": "not_started", "excluded": {("c-other", "not_matching")}},
        },
        id="IWI2-only-a-registered-education-provider-counts",
    ),
    pytest.param(
        cima_candidate(exams=[exam("e-cima", "CIMA", "2024-06-10", passed=False)]),
        "2024-10-01",
        {None: {"status_not": "met"}, "exam": {"excluded": {("e-cima", "not_passed")}}},
        id="IWI1-exam-must-be-passed",
    ),
    pytest.param(
        cima_candidate(),
        "2024-08-20",
        {None: {"status_not": "met"}, "license-agreement": {"excluded": {("a-lic", "future")}}},
        id="IWI1-before-the-licence-agreement",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CASES)
def test_cima(records: dict[str, Any], as_of: str, expected: dict) -> None:
    check(CATALOG, "cima", records, as_of, expected)


def test_polish_titles() -> None:
    result = evaluate(CATALOG["cima"], {}, date(2024, 6, 1), lang="pl")
    assert find(result, "exam")["title"] == "Egzamin certyfikacyjny CIMA® zdany"
