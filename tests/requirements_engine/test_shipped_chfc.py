"""chfc.yaml: ChFC® of The American College (fact sheet section 4) and its use as a CFP®
Accelerated Path credential (E8)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_shipped_definitions import (
    CREDENTIALS_DIR,
    attest,
    cfp_candidate,
    check,
    course,
    degree,
    find,
    job,
)

from tracker.requirements_engine import evaluate, load_directory

CATALOG = load_directory(CREDENTIALS_DIR)


def chfc_courses(count: int = 8, year: int = 2023) -> list[dict[str, Any]]:
    return [
        course(f"c-chfc-{n}", "american-college-chfc", [], f"{year}-{n:02d}-01")
        for n in range(1, count + 1)
    ]


def business(id_: str, start: str, end: str, hours: float) -> dict[str, Any]:
    return job(id_, start, end, hours, "business-experience")


def chfc_candidate(**overrides: Any) -> dict[str, Any]:
    """Meets ChFC by 2023-09-01: 8 courses in 2023, 3 full-time years 2020-2022, the Code."""
    records: dict[str, Any] = {
        "courses": chfc_courses(),
        "experience": [
            business(f"x-{y}", f"{y}-01-01", f"{y}-12-31", 2000) for y in (2020, 2021, 2022)
        ],
        "attestations": [attest("a-code", "american-college-code-of-ethics", "2023-09-01")],
    }
    records.update(overrides)
    return records


CASES = [
    pytest.param(
        chfc_candidate(),
        "2024-01-01",
        {
            None: {"status": "met", "met_on": "2023-09-01"},
            "three-years": {"status": "met", "counted_hours": 6000.0},
        },
        id="ChFC-3-full-time-years-courses-and-code",
    ),
    pytest.param(
        chfc_candidate(courses=chfc_courses(7)),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "program-courses": {"status": "in_progress", "progress": 0.875},
        },
        id="ChFC-one-course-short",
    ),
    pytest.param(
        # 2,500 hours a year for 2 years: a year counts at most 2,000 hours (2,000 h = 1 year).
        chfc_candidate(
            experience=[
                business("x-2022", "2022-01-01", "2022-12-31", 2500),
                business("x-2023", "2023-01-01", "2023-12-31", 2500),
            ]
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "three-years": {
                "status": "in_progress",
                "counted_hours": 4000.0,
                "capped_hours": 1000.0,
            },
        },
        id="ChFC-long-hours-do-not-make-a-third-year",
    ),
    pytest.param(
        chfc_candidate(
            degrees=[degree("d-ba", "2015-06-01")],
            experience=[business("x-2", "2022-01-01", "2023-12-31", 4000)],
        ),
        "2024-01-01",
        {
            None: {"status": "met"},
            "three-years": {"status": "in_progress"},
            "degree-and-two-years": {"status": "met"},
        },
        id="ChFC-a-degree-counts-as-one-year",
    ),
    pytest.param(
        # Only the 5 years up to the award count: 2018 falls out on 2024-01-01.
        chfc_candidate(
            experience=[
                business("x-old", "2018-01-01", "2018-12-31", 2000),
                business("x-2020", "2020-01-01", "2020-12-31", 2000),
                business("x-2021", "2021-01-01", "2021-12-31", 2000),
            ]
        ),
        "2024-01-01",
        {
            None: {"status_not": "met"},
            "three-years": {"counted_hours": 4000.0, "excluded": {("x-old", "outside_window")}},
        },
        id="ChFC-experience-older-than-5-years-does-not-count",
    ),
    pytest.param(
        chfc_candidate(attestations=[]),
        "2024-01-01",
        {None: {"status_not": "met"}, "ethics": {"status": "not_started"}},
        id="ChFC-code-of-ethics-required",
    ),
    pytest.param(
        chfc_candidate(
            courses=[*chfc_courses(7), course("c-other", "cfp-registered", ["tax"], "2023-08-01")]
        ),
        "2024-01-01",
        {"program-courses": {"status_not": "met", "excluded": {("c-other", "not_matching")}}},
        id="ChFC-only-the-colleges-courses-count",
    ),
]


@pytest.mark.parametrize(("records", "as_of", "expected"), CASES)
def test_chfc(records: dict[str, Any], as_of: str, expected: dict) -> None:
    check(CATALOG, "chfc", records, as_of, expected)


def test_chfc_from_its_records_opens_the_cfp_accelerated_path() -> None:
    """E8: a ChFC® met by chfc.yaml on the day of the CFP® exam waives the domain courses."""
    chfc = chfc_candidate()
    records = cfp_candidate(
        courses=[
            *chfc["courses"],
            course("c-capstone", "cfp-registered", ["capstone"], "2024-01-15"),
        ],
        exams=[{"id": "e-cfp", "code": "CFP", "taken_on": "2024-03-15", "passed": True}],
        experience=[
            *chfc["experience"],
            job("x-planner", "2019-01-01", "2021-12-31", 6100),
        ],
        attestations=[
            *chfc["attestations"],
            attest("a-ethics", "ethics", "2024-04-01"),
            attest("a-bg", "background-check", "2024-03-25"),
        ],
    )
    result = evaluate(CATALOG["cfp"], records, date(2024, 6, 1), catalog=CATALOG)
    assert find(result, "accelerated-chfc")["status"] == "met"
    assert find(result, "knowledge")["status"] == "met"


def test_polish_titles() -> None:
    result = evaluate(CATALOG["chfc"], {}, date(2024, 6, 1), lang="pl")
    assert find(result, "program-courses")["title"] == "Kursy programu ChFC® zaliczone"
