"""Evaluation of every node kind and rule, table-driven, with small inline definitions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from engine_builders import course, define, degree, entry, exam, find, reasons, run

from tracker.requirements_engine import Definition, evaluate, parse_definition, render_text

# --- composites -------------------------------------------------------------------------

A = {"id": "a", "exam": {"code": "A"}}
B = {"id": "b", "exam": {"code": "B"}}
C = {"id": "c", "exam": {"code": "C"}}
PASSES = {"exams": [exam("ea", "A", "2020-01-01"), exam("eb", "B", "2021-01-01")]}

COMPOSITES = [
    ("all-met", {"all": [A, B]}, PASSES, "met", 1.0, "2021-01-01", "2 of 2 met"),
    ("all-partial", {"all": [A, B, C]}, PASSES, "in_progress", 2 / 3, None, "2 of 3 met"),
    ("all-none", {"all": [A, B]}, {}, "not_started", 0.0, None, "0 of 2 met"),
    ("any-met-first-date", {"any": [A, B, C]}, PASSES, "met", 1.0, "2020-01-01", "2 of 3 met"),
    (
        "any-none",
        {"any": [A, C]},
        {"exams": [exam("ec", "C", "2020-01-01", False)]},
        "not_started",
        0.0,
        None,
        "0 of 2",
    ),
    (
        "at-least-met-nth-date",
        {"at_least": {"count": 2, "of": [A, B, C]}},
        PASSES,
        "met",
        1.0,
        "2021-01-01",
        "2 of 3 met; 2 needed",
    ),
    (
        "at-least-short",
        {"at_least": {"count": 3, "of": [A, B, C]}},
        PASSES,
        "in_progress",
        2 / 3,
        None,
        "3 needed",
    ),
]


@pytest.mark.parametrize(
    ("node", "records", "status", "progress", "met_on", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in COMPOSITES],
)
def test_composites(
    node: dict, records: dict, status: str, progress: float, met_on: str | None, detail: str
) -> None:
    result = run(define({"id": "top", **node}), records)
    top = find(result, "top")
    assert (top["status"], top["met_on"]) == (status, met_on)
    assert top["progress"] == pytest.approx(progress, abs=1e-4)
    assert detail in top["detail"]
    assert top["kind"] in ("all", "any", "at_least")
    assert (result["status"], result["met_on"]) == (status, met_on)


def test_at_least_progress_is_the_mean_of_the_best_n() -> None:
    hours = {"id": "h", "hours": {"min": 100}}
    d = define({"id": "top", "at_least": {"count": 2, "of": [A, hours, C]}})
    records = {
        "exams": [exam("ea", "A", "2020-01-01")],
        "experience": [entry("x", "2020-01-01", "2020-01-10", 50)],
    }
    assert find(run(d, records), "top")["progress"] == pytest.approx(0.75)


def test_root_status_progress_and_met_on() -> None:
    d = define(A, B)
    result = run(d, PASSES)
    assert result["status"] == "met"
    assert result["met_on"] == "2021-01-01"
    assert result["progress"] == 1.0
    assert result["credential"] == "test"
    assert result["name"] == "Test credential"
    assert result["version"] == "1"
    assert result["as_of"] == "2026-11-26"
    assert result["pathway"] is None
    json.dumps(result)


# --- pathways ---------------------------------------------------------------------------

PATHWAY_DEF: dict[str, Any] = {
    "pathways": {"fast": "Fast track", "slow": "Slow track"},
}


def pathway_definition() -> Definition:
    return define(
        A,
        {
            "id": "route",
            "any": [
                {"id": "fast-exam", "pathway": "fast", "exam": {"code": "B"}},
                {"id": "slow-exam", "pathway": "slow", "exam": {"code": "C"}},
            ],
        },
        {"id": "slow-only", "pathway": "slow", "exam": {"code": "D"}},
        **PATHWAY_DEF,
    )


@pytest.mark.parametrize(
    ("explicit", "recorded", "chosen"),
    [
        (None, None, "fast"),
        (None, "slow", "slow"),
        ("fast", "slow", "fast"),
        ("slow", None, "slow"),
    ],
)
def test_pathway_resolution(explicit: str | None, recorded: str | None, chosen: str) -> None:
    result = run(pathway_definition(), {"pathway": recorded}, pathway=explicit)
    assert result["pathway"] == chosen


def test_not_applicable_nodes_are_ignored_by_their_parents() -> None:
    records = {"exams": [exam("ea", "A", "2020-01-01"), exam("eb", "B", "2022-01-01")]}
    result = run(pathway_definition(), records, pathway="fast")
    assert result["status"] == "met"
    assert result["met_on"] == "2022-01-01"
    assert find(result, "slow-exam")["status"] == "not_applicable"
    assert find(result, "slow-only")["status"] == "not_applicable"
    assert find(result, "slow-only")["excluded"] == []
    assert "Slow track" in find(result, "slow-only")["detail"]
    assert find(result, "route")["detail"] == "1 of 1 met"
    slow = run(pathway_definition(), records, pathway="slow")
    assert slow["status"] == "in_progress"
    assert slow["progress"] == pytest.approx(1 / 3, abs=1e-4)


# --- degrees ----------------------------------------------------------------------------

DEGREE = {
    "id": "deg",
    "degree": {"min_level": "bachelor", "accredited": True, "fields": ["Finance", "Economics"]},
}

DEGREE_CASES = [
    (
        "bachelor",
        [degree("d1", "2018-06-01")],
        "met",
        "2018-06-01",
        ["d1"],
        {},
        "Bachelor, Finance, Example University",
    ),
    (
        "master-is-higher",
        [degree("d1", "2019-06-01", "master")],
        "met",
        "2019-06-01",
        ["d1"],
        {},
        "Master",
    ),
    (
        "field-case-insensitive",
        [degree("d1", "2018-06-01", field="  finance")],
        "met",
        "2018-06-01",
        ["d1"],
        {},
        "",
    ),
    (
        "associate-too-low",
        [degree("d1", "2018-06-01", "associate")],
        "not_started",
        None,
        [],
        {"d1": "not_matching"},
        "No degree",
    ),
    (
        "not-accredited",
        [degree("d1", "2018-06-01", accredited=False)],
        "not_started",
        None,
        [],
        {"d1": "not_matching"},
        "accredited",
    ),
    (
        "wrong-field",
        [degree("d1", "2018-06-01", field="History")],
        "not_started",
        None,
        [],
        {"d1": "not_matching"},
        "Finance or Economics",
    ),
    ("not-conferred", [degree("d1", None)], "in_progress", None, ["d1"], {}, "not yet conferred"),
    ("future", [degree("d1", "2027-06-01")], "not_started", None, [], {"d1": "future"}, ""),
    (
        "earliest-counts",
        [degree("d2", "2020-06-01", "master"), degree("d1", "2018-06-01")],
        "met",
        "2018-06-01",
        ["d2", "d1"],
        {},
        "",
    ),
]


@pytest.mark.parametrize(
    ("degrees", "status", "met_on", "evidence", "excluded", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in DEGREE_CASES],
)
def test_degree(
    degrees: list, status: str, met_on: str | None, evidence: list, excluded: dict, detail: str
) -> None:
    node = find(run(define(DEGREE), {"degrees": degrees}), "deg")
    assert (node["status"], node["met_on"]) == (status, met_on)
    assert node["evidence"] == evidence
    assert reasons(node) == excluded
    assert detail in node["detail"]
    assert node["progress"] == (1.0 if status == "met" else 0.0)


# --- courses ----------------------------------------------------------------------------

TOPICS = {"id": "c", "courses": {"provider": "p", "topics": ["tax", "estate"]}}
CREDITS = {
    "id": "c",
    "courses": {
        "provider": ["p", "q"],
        "min_credits": 6,
        "min_count": 3,
        "window": {"last_years": 2},
    },
}

COURSE_CASES = [
    (
        "topics-met",
        TOPICS,
        [
            course("c1", "2024-01-01", topics=["tax"]),
            course("c2", "2024-03-01", topics=["estate", "x"]),
        ],
        "met",
        "2024-03-01",
        1.0,
        {},
        "All 2 topics covered",
    ),
    (
        "topics-missing",
        TOPICS,
        [course("c1", "2024-01-01", topics=["tax"])],
        "in_progress",
        None,
        0.5,
        {},
        "Topics missing: estate",
    ),
    (
        "topics-irrelevant-course",
        TOPICS,
        [course("c1", "2024-01-01", topics=["ethics"])],
        "not_started",
        None,
        0.0,
        {"c1": "not_matching"},
        "Topics missing: tax, estate",
    ),
    (
        "other-provider",
        TOPICS,
        [course("c1", "2024-01-01", topics=["tax"], provider="z")],
        "not_started",
        None,
        0.0,
        {"c1": "not_matching"},
        "",
    ),
    (
        "failed",
        TOPICS,
        [course("c1", "2024-01-01", topics=["tax"], passed=False)],
        "not_started",
        None,
        0.0,
        {"c1": "not_passed"},
        "",
    ),
    (
        "not-completed",
        TOPICS,
        [course("c1", None, topics=["tax"])],
        "not_started",
        None,
        0.0,
        {"c1": "pending"},
        "",
    ),
    (
        "future",
        TOPICS,
        [course("c1", "2027-01-01", topics=["tax"])],
        "not_started",
        None,
        0.0,
        {"c1": "future"},
        "",
    ),
    (
        "credits-and-count",
        CREDITS,
        [
            course("c1", "2025-01-01"),
            course("c2", "2025-02-01", provider="q"),
            course("c3", "2025-03-01"),
        ],
        "met",
        "2025-03-01",
        1.0,
        {},
        "9 of 6 credits; 3 of 3 courses",
    ),
    (
        "lowest-share",
        CREDITS,
        [course("c1", "2025-01-01", credits=6)],
        "in_progress",
        None,
        1 / 3,
        {},
        "1 of 3 courses",
    ),
    (
        "outside-window",
        CREDITS,
        [course("c1", "2024-11-25"), course("c2", "2024-11-26")],
        "in_progress",
        None,
        1 / 3,
        {"c1": "outside_window"},
        "3 of 6 credits",
    ),
]


@pytest.mark.parametrize(
    ("node", "courses", "status", "met_on", "progress", "excluded", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in COURSE_CASES],
)
def test_courses(
    node: dict,
    courses: list,
    status: str,
    met_on: str | None,
    progress: float,
    excluded: dict,
    detail: str,
) -> None:
    result = find(run(define(node), {"courses": courses}), "c")
    assert (result["status"], result["met_on"]) == (status, met_on)
    assert result["progress"] == pytest.approx(progress, abs=1e-4)
    assert reasons(result) == excluded
    assert detail in result["detail"]
    assert set(result["evidence"]) == {c["id"] for c in courses} - set(excluded)


# --- exams, attestations ----------------------------------------------------------------

EXAM_NODE = {"id": "x", "exam": {"code": "CFP", "valid_years": 5}}

EXAM_CASES = [
    (
        "passed",
        [exam("e1", "CFP", "2024-03-10")],
        "met",
        "2024-03-10",
        {},
        "Passed CFP on 2024-03-10; lapses 2029-03-10",
    ),
    ("code-case-insensitive", [exam("e1", "cfp", "2024-03-10")], "met", "2024-03-10", {}, ""),
    (
        "failed",
        [exam("e1", "CFP", "2024-03-10", False)],
        "not_started",
        None,
        {"e1": "not_passed"},
        "not passed yet",
    ),
    (
        "lapsed",
        [exam("e1", "CFP", "2021-11-26")],
        "expired",
        None,
        {"e1": "lapsed"},
        "Passed CFP on 2021-11-26; lapsed 2026-11-26",
    ),
    ("valid-the-day-before", [exam("e1", "CFP", "2021-11-27")], "met", "2021-11-27", {}, ""),
    (
        "retaken-after-lapse",
        [exam("e1", "CFP", "2015-01-01"), exam("e2", "CFP", "2022-01-01")],
        "met",
        "2022-01-01",
        {"e1": "lapsed"},
        "",
    ),
    (
        "other-code",
        [exam("e1", "SIE", "2024-03-10")],
        "not_started",
        None,
        {"e1": "not_matching"},
        "No pass of CFP",
    ),
    ("future", [exam("e1", "CFP", "2026-11-27")], "not_started", None, {"e1": "future"}, ""),
]


@pytest.mark.parametrize(
    ("exams", "status", "met_on", "excluded", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in EXAM_CASES],
)
def test_exam(exams: list, status: str, met_on: str | None, excluded: dict, detail: str) -> None:
    node = find(run(define(EXAM_NODE), {"exams": exams}), "x")
    assert (node["status"], node["met_on"]) == (status, met_on)
    assert reasons(node) == excluded
    assert detail in node["detail"]


def test_exam_without_valid_years_never_lapses() -> None:
    node = find(
        run(
            define({"id": "x", "exam": {"code": "L1"}}), {"exams": [exam("e1", "L1", "1990-01-01")]}
        ),
        "x",
    )
    assert node["status"] == "met"
    assert node["detail"] == "Passed L1 on 1990-01-01"


@pytest.mark.parametrize(
    ("signed", "status", "reason"),
    [
        ("2026-01-01", "met", None),
        ("2025-11-26", "expired", "lapsed"),
        ("2026-12-01", "not_started", "future"),
    ],
)
def test_attestation_lapses_like_an_exam(signed: str, status: str, reason: str | None) -> None:
    d = define({"id": "pcs", "attestation": {"kind": "conduct", "valid_years": 1}})
    records = {
        "attestations": [
            {"id": "a1", "kind": "conduct", "signed_on": signed},
            {"id": "a2", "kind": "other", "signed_on": "2026-01-01"},
        ]
    }
    node = find(run(d, records), "pcs")
    assert node["status"] == status
    assert reasons(node) == ({"a1": reason} if reason else {}) | {"a2": "not_matching"}


# --- credentials ------------------------------------------------------------------------


def held(cred: str, awarded: str, expires: str | None = None) -> dict[str, Any]:
    return {"id": cred, "awarded_on": awarded, "expires_on": expires}


@pytest.mark.parametrize(
    ("records", "status", "met_on", "excluded"),
    [
        ([held("cpa", "2015-01-01")], "met", "2015-01-01", {}),
        ([held("cpa", "2015-01-01", "2030-01-01")], "met", "2015-01-01", {}),
        ([held("cpa", "2015-01-01", "2026-11-26")], "expired", None, {"cpa": "lapsed"}),
        ([held("cpa", "2027-01-01")], "not_started", None, {"cpa": "future"}),
        ([held("cfa", "2015-01-01")], "not_started", None, {"cfa": "not_matching"}),
    ],
)
def test_held_credential(records: list, status: str, met_on: str | None, excluded: dict) -> None:
    node = find(
        run(define({"id": "k", "credential": {"id": "cpa"}}), {"credentials": records}), "k"
    )
    assert (node["status"], node["met_on"]) == (status, met_on)
    assert reasons(node) == excluded


def test_credential_from_catalog_evaluation() -> None:
    other = parse_definition(
        {"id": "lvl", "name": "Level", "version": "1", "requirements": [A]}, "lvl.yaml"
    )
    d = define({"id": "k", "credential": {"id": "lvl"}})
    catalog = {"lvl": other}
    met = find(run(d, {"exams": [exam("ea", "A", "2020-05-01")]}, catalog=catalog), "k")
    assert (met["status"], met["met_on"]) == ("met", "2020-05-01")
    assert find(run(d, {}, catalog=catalog), "k")["status"] == "not_started"
    not_loaded = find(run(d, {"exams": [exam("ea", "A", "2020-05-01")]}), "k")
    assert not_loaded["status"] == "not_started"
    both = find(
        run(
            d,
            {"exams": [exam("ea", "A", "2020-05-01")], "credentials": [held("lvl", "2019-01-01")]},
            catalog=catalog,
        ),
        "k",
    )
    assert (both["met_on"], both["evidence"]) == ("2019-01-01", ["lvl"])


def test_credential_cycle_in_catalog_does_not_recurse() -> None:
    a = parse_definition(
        {
            "id": "a",
            "name": "A",
            "version": "1",
            "requirements": [{"id": "r", "credential": {"id": "b"}}],
        }
    )
    b = parse_definition(
        {
            "id": "b",
            "name": "B",
            "version": "1",
            "requirements": [{"id": "r", "credential": {"id": "a"}}],
        }
    )
    result = evaluate(a, {}, date(2026, 1, 1), catalog={"a": a, "b": b})
    assert result["status"] == "not_started"


# --- before, due, waivers, future ----------------------------------------------------------

BEFORE = define(
    {"id": "exam", "exam": {"code": "X"}},
    {"id": "study", "before": "exam", "all": [{"id": "course", "courses": {"topics": ["t"]}}]},
)


def test_before_excludes_evidence_after_the_referenced_node_was_met() -> None:
    records = {
        "exams": [exam("e1", "X", "2024-03-10")],
        "courses": [
            course("on-the-day", "2024-03-10", topics=["t"]),
            course("late", "2024-03-11", topics=["t"]),
        ],
    }
    node = find(run(BEFORE, records), "course")
    assert node["evidence"] == ["on-the-day"]
    assert reasons(node) == {"late": "after_cutoff"}
    assert node["status"] == "met"


def test_before_without_the_referenced_node_met_has_no_cutoff() -> None:
    node = find(run(BEFORE, {"courses": [course("c1", "2025-01-01", topics=["t"])]}), "course")
    assert node["status"] == "met"


DUE = define(
    {"id": "exam", "exam": {"code": "X"}},
    {"id": "deg", "degree": {"min_level": "bachelor"}, "due": {"after": "exam", "years": 5}},
)

DUE_CASES = [
    ("anchor-not-met", {}, "not_started", None, None),
    (
        "before-the-due-date",
        {"exams": [exam("e", "X", "2022-03-10")]},
        "not_started",
        "2027-03-10",
        None,
    ),
    (
        "met-on-time",
        {"exams": [exam("e", "X", "2021-03-10")], "degrees": [degree("d", "2026-03-10")]},
        "met",
        "2026-03-10",
        "2026-03-10",
    ),
    (
        "met-late",
        {"exams": [exam("e", "X", "2021-03-10")], "degrees": [degree("d", "2026-03-11")]},
        "expired",
        "2026-03-10",
        None,
    ),
    (
        "missed",
        {"exams": [exam("e", "X", "2021-03-10")], "degrees": [degree("d", None)]},
        "expired",
        "2026-03-10",
        None,
    ),
    (
        "in-progress-before-due",
        {"exams": [exam("e", "X", "2022-03-10")], "degrees": [degree("d", None)]},
        "in_progress",
        "2027-03-10",
        None,
    ),
]


@pytest.mark.parametrize(
    ("records", "status", "due", "met_on"), [pytest.param(*c[1:], id=c[0]) for c in DUE_CASES]
)
def test_due(records: dict, status: str, due: str | None, met_on: str | None) -> None:
    node = find(run(DUE, records), "deg")
    assert (node["status"], node["due"], node["met_on"]) == (status, due, met_on)
    if status == "expired":
        assert "due date 2026-03-10" in node["detail"]


def waiver(wid: str, requirement: str, approved_on: str) -> dict[str, Any]:
    return {
        "id": wid,
        "requirement": requirement,
        "reason": "Foreign degree evaluated as equivalent",
        "approved_by": "c@example.com",
        "approved_on": approved_on,
    }


def test_waiver_makes_the_node_met_from_its_approval() -> None:
    records = {
        "degrees": [degree("d1", "2010-01-01", "associate")],
        "waivers": [waiver("w1", "deg", "2025-02-01")],
    }
    node = find(run(DUE, records), "deg")
    assert (node["status"], node["met_on"], node["progress"]) == ("met", "2025-02-01", 1.0)
    assert node["evidence"] == ["w1"]
    assert node["detail"] == "Waived: Foreign degree evaluated as equivalent"


def test_waiver_after_as_of_is_ignored_and_composites_can_be_waived() -> None:
    records = {"waivers": [waiver("w1", "deg", "2027-01-01"), waiver("w2", "study", "2020-01-01")]}
    assert find(run(DUE, records), "deg")["status"] == "not_started"
    study = find(run(BEFORE, records), "study")
    assert (study["status"], study["met_on"], study["evidence"]) == ("met", "2020-01-01", ["w2"])
    assert find(run(BEFORE, records), "course")["status"] == "not_started"


def test_everything_dated_after_as_of_is_ignored() -> None:
    d = define({"id": "x", "exam": {"code": "X"}}, {"id": "h", "hours": {"min": 10}})
    records = {
        "exams": [exam("e1", "X", "2024-03-10")],
        "experience": [entry("x1", "2024-03-01", "2024-03-20", 20)],
    }
    past = run(d, records, "2024-03-09")
    assert reasons(find(past, "x")) == {"e1": "future"}
    assert find(past, "h")["counted_hours"] == pytest.approx(9.0)
    later = run(d, records, "2024-03-31")
    assert later["status"] == "met"


def test_render_text_shows_marks_progress_dates_and_details() -> None:
    records = {"exams": [exam("e", "X", "2021-03-10")], "degrees": [degree("d", None)]}
    text = render_text(run(DUE, records))
    assert "✔ met" in text and "✖ expired" in text
    assert "due 2026-03-10" in text
    assert "Passed X on 2021-03-10" in text
    assert "Test credential" in text
    pathway_text = render_text(run(pathway_definition(), {}))
    assert "○ not started" in pathway_text and "– not applicable" in pathway_text
    half = render_text(
        run(define({"id": "top", "all": [A, B]}), {"exams": [exam("ea", "A", "2020-01-01")]})
    )
    assert "◐ in progress, 50%" in half
