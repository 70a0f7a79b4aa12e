"""Every leaf counts only the records that match it, and its progress follows its kind's rule.

One table for all leaf kinds: each case mixes matching records with records that fit
another requirement, and checks evidence, exclusions, status and progress together.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_builders import course, define, degree, entry, exam, find, reasons, run

TOPICS_CREDITS = {"provider": "p", "topics": ["tax", "estate"], "min_credits": 6}
TOPICS_COUNT = {"topics": ["tax", "estate"], "min_count": 2}

CASES: list[tuple[str, dict[str, Any], dict[str, Any], set[str], dict[str, str], str, float]] = [
    # --- courses: the reported bug and its variants ---------------------------------
    (
        "courses-topics-credits-off-topic-course-adds-nothing",
        {"courses": TOPICS_CREDITS},
        {
            "courses": [
                course("tax", "2024-01-01", topics=["tax"], credits=3),
                course("ethics", "2024-02-01", topics=["ethics"], credits=10),
            ]
        },
        {"tax"},
        {"ethics": "not_matching"},
        "in_progress",
        0.5,
    ),
    (
        "courses-topics-credits-met-by-matching-courses-only",
        {"courses": TOPICS_CREDITS},
        {
            "courses": [
                course("tax", "2024-01-01", topics=["tax"], credits=3),
                course("ethics", "2024-02-01", topics=["ethics"], credits=3),
                course("estate", "2024-03-01", topics=["estate"], credits=3),
            ]
        },
        {"tax", "estate"},
        {"ethics": "not_matching"},
        "met",
        1.0,
    ),
    (
        "courses-topics-count-off-topic-course-not-counted",
        {"courses": TOPICS_COUNT},
        {
            "courses": [
                course("tax", "2024-01-01", topics=["tax"]),
                course("none", "2024-02-01", topics=[]),
                course("ethics", "2024-03-01", topics=["ethics"]),
            ]
        },
        {"tax"},
        {"none": "not_matching", "ethics": "not_matching"},
        "in_progress",
        0.5,
    ),
    (
        "courses-topics-count-met-on-the-second-matching-course",
        {"courses": {"topics": ["tax"], "min_count": 2}},
        {
            "courses": [
                course("tax-1", "2024-01-01", topics=["tax"]),
                course("ethics", "2024-02-01", topics=["ethics"]),
                course("tax-2", "2024-03-01", topics=["TAX"]),
            ]
        },
        {"tax-1", "tax-2"},
        {"ethics": "not_matching"},
        "met",
        1.0,
    ),
    (
        "courses-credits-without-topics-count-every-course-of-the-provider",
        {"courses": {"provider": "p", "min_credits": 6}},
        {
            "courses": [
                course("a", "2024-01-01", topics=["anything"]),
                course("b", "2024-02-01", topics=[]),
                course("q", "2024-03-01", provider="q"),
            ]
        },
        {"a", "b"},
        {"q": "not_matching"},
        "met",
        1.0,
    ),
    (
        "courses-on-topic-from-another-provider",
        {"courses": TOPICS_CREDITS},
        {"courses": [course("tax", "2024-01-01", topics=["tax"], provider="q")]},
        set(),
        {"tax": "not_matching"},
        "not_started",
        0.0,
    ),
    # --- the other leaf kinds ---------------------------------------------------------
    (
        "degree-only-a-qualifying-degree",
        {"degree": {"min_level": "master", "fields": ["Finance"]}},
        {
            "degrees": [
                degree("ba", "2015-06-01"),
                degree("ma-history", "2017-06-01", "master", field="History"),
                degree("ma", None, "master"),
            ]
        },
        {"ma"},
        {"ba": "not_matching", "ma-history": "not_matching"},
        "in_progress",
        0.0,
    ),
    (
        "exam-only-its-code",
        {"exam": {"code": "S7"}},
        {"exams": [exam("sie", "SIE", "2024-01-01"), exam("s7", "S7", "2024-02-01", False)]},
        set(),
        {"sie": "not_matching", "s7": "not_passed"},
        "not_started",
        0.0,
    ),
    (
        "exam-met-progress-one",
        {"exam": {"code": "S7"}},
        {"exams": [exam("sie", "SIE", "2024-01-01"), exam("s7", "S7", "2024-02-01")]},
        {"s7"},
        {"sie": "not_matching"},
        "met",
        1.0,
    ),
    (
        "attestation-only-its-kind",
        {"attestation": {"kind": "ethics"}},
        {"attestations": [{"id": "bg", "kind": "background-check", "signed_on": "2024-01-01"}]},
        set(),
        {"bg": "not_matching"},
        "not_started",
        0.0,
    ),
    (
        "credential-only-its-id",
        {"credential": {"id": "cpa"}},
        {
            "credentials": [
                {"id": "cfa", "awarded_on": "2015-01-01"},
                {"id": "cpa", "awarded_on": "2016-01-01"},
            ]
        },
        {"cpa"},
        {"cfa": "not_matching"},
        "met",
        1.0,
    ),
    (
        "hours-only-matching-entries-counted-over-min",
        {"hours": {"min": 100, "categories": ["planning"], "source": "employment"}},
        {
            "experience": [
                entry(
                    "plan", "2024-01-01", "2024-01-10", 40, category="planning", source="employment"
                ),
                entry(
                    "sales", "2024-01-01", "2024-01-10", 80, category="sales", source="employment"
                ),
                entry(
                    "intern",
                    "2024-01-01",
                    "2024-01-10",
                    80,
                    category="planning",
                    source="internship",
                ),
            ]
        },
        {"plan"},
        {"sales": "not_matching", "intern": "not_matching"},
        "in_progress",
        0.4,
    ),
]


@pytest.mark.parametrize(
    ("spec", "records", "evidence", "excluded", "status", "progress"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_leaves_count_only_matching_records(
    spec: dict,
    records: dict,
    evidence: set,
    excluded: dict,
    status: str,
    progress: float,
) -> None:
    node = find(run(define({"id": "n", **spec}), records), "n")
    assert set(node["evidence"]) == evidence
    assert reasons(node) == excluded
    assert node["status"] == status
    assert node["progress"] == pytest.approx(progress, abs=1e-4)


def test_courses_detail_counts_only_matching_courses() -> None:
    records = {
        "courses": [
            course("tax", "2024-01-01", topics=["tax"], credits=3),
            course("ethics", "2024-02-01", topics=["ethics"], credits=10),
        ]
    }
    node = find(run(define({"id": "n", "courses": TOPICS_CREDITS}), records), "n")
    assert node["detail"] == "Topics missing: estate; 3 of 6 credits"
