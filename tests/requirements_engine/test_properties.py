"""Invariants of evaluation, checked with Hypothesis on generated records."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from engine_builders import define, find, walk
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import evaluate, evaluate_pathways

DEFINITION = define(
    {"id": "exam", "exam": {"code": "X", "valid_years": 3}},
    {"id": "deg", "degree": {"min_level": "bachelor"}, "due": {"after": "exam", "years": 2}},
    {
        "id": "study",
        "before": "exam",
        "at_least": {
            "count": 2,
            "of": [
                {"courses": {"topics": ["a", "b"]}},
                {"courses": {"min_credits": 6, "window": {"last_years": 3}}},
                {"attestation": {"kind": "k", "valid_years": 2}},
            ],
        },
    },
    {
        "id": "work",
        "any": [
            {
                "id": "capped",
                "pathway": "p1",
                "hours": {
                    "min": 300,
                    "max_per_week": 30,
                    "max_per_year": 900,
                    "min_months": 3,
                    "window": {"anchor": "exam", "years_before": 3, "years_after": 2},
                },
            },
            {"id": "plain", "pathway": "p2", "hours": {"min": 200, "categories": ["c1"]}},
        ],
    },
    pathways={"p1": "One", "p2": "Two"},
)
HOURS_NODES = ("capped", "plain")

START = date(2018, 1, 1)
days = st.integers(min_value=0, max_value=365 * 8)


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@st.composite
def entries(draw: st.DrawFn, index: int) -> dict[str, Any]:
    start = draw(days)
    length = draw(st.integers(min_value=1, max_value=120))
    return {
        "id": f"x{index}",
        "start": day(start),
        "end": day(start + length - 1),
        "hours": draw(st.floats(min_value=0, max_value=24 * length, allow_nan=False)),
        "category": draw(st.sampled_from(["c1", "c2"])),
        "status": draw(st.sampled_from(["approved", "approved", "pending", "rejected"])),
    }


@st.composite
def candidates(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(min_value=0, max_value=6))
    return {
        "pathway": draw(st.sampled_from(["p1", "p2"])),
        "exams": [
            {
                "id": f"e{i}",
                "code": draw(st.sampled_from(["X", "Y"])),
                "taken_on": day(draw(days)),
                "passed": draw(st.booleans()),
            }
            for i in range(draw(st.integers(min_value=0, max_value=3)))
        ],
        "degrees": [
            {
                "id": f"d{i}",
                "level": draw(st.sampled_from(["associate", "bachelor", "master"])),
                "conferred_on": draw(st.one_of(st.none(), days.map(day))),
            }
            for i in range(draw(st.integers(min_value=0, max_value=2)))
        ],
        "courses": [
            {
                "id": f"c{i}",
                "topics": draw(st.lists(st.sampled_from(["a", "b", "z"]), max_size=2, unique=True)),
                "credits": draw(st.integers(min_value=0, max_value=6)),
                "completed_on": day(draw(days)),
                "passed": draw(st.booleans()),
            }
            for i in range(draw(st.integers(min_value=0, max_value=4)))
        ],
        "attestations": [
            {"id": f"a{i}", "kind": "k", "signed_on": day(draw(days))}
            for i in range(draw(st.integers(0, 2)))
        ],
        "experience": [draw(entries(i)) for i in range(n)],
        "waivers": [
            {
                "id": f"w{i}",
                "requirement": draw(st.sampled_from(["deg", "study", "capped"])),
                "approved_on": day(draw(days)),
            }
            for i in range(draw(st.integers(0, 1)))
        ],
    }


as_of_dates = days.map(lambda offset: START + timedelta(days=offset))


@settings(max_examples=150, deadline=None)
@given(candidates(), as_of_dates)
def test_progress_in_unit_interval_and_met_on_not_after_as_of(records: dict, as_of: date) -> None:
    result = evaluate(DEFINITION, records, as_of)
    for node in [result, *walk(result)]:
        assert 0.0 <= node["progress"] <= 1.0
        if node["status"] == "met":
            assert node["met_on"] is not None and node["met_on"] <= as_of.isoformat()
        else:
            assert node["met_on"] is None
        for key in ("counted_hours", "pending_hours", "capped_hours"):
            if key in node:
                assert node[key] >= 0


@settings(max_examples=100, deadline=None)
@given(candidates(), as_of_dates, st.randoms(use_true_random=False))
def test_record_order_never_changes_the_result(records: dict, as_of: date, rnd: Any) -> None:
    shuffled = {
        k: (rnd.sample(v, len(v)) if isinstance(v, list) else v) for k, v in records.items()
    }

    def canonical(result: dict) -> dict:
        for node in walk(result):
            node["evidence"].sort()
            if "excluded" in node:
                node["excluded"].sort(key=lambda item: item["id"])
        return result

    assert canonical(evaluate(DEFINITION, records, as_of)) == canonical(
        evaluate(DEFINITION, shuffled, as_of)
    )


@settings(max_examples=150, deadline=None)
@given(candidates(), as_of_dates, entries(99))
def test_an_approved_entry_never_lowers_hours_progress(
    records: dict, as_of: date, extra: dict
) -> None:
    extra = dict(extra, status="approved")
    before = evaluate(DEFINITION, records, as_of)
    after = evaluate(DEFINITION, dict(records, experience=[*records["experience"], extra]), as_of)
    for node_id in HOURS_NODES:
        old, new = find(before, node_id), find(after, node_id)
        assert new["progress"] >= old["progress"]
        assert new["counted_hours"] >= old["counted_hours"] - 1e-6


@settings(max_examples=60, deadline=None)
@given(candidates(), as_of_dates)
def test_evaluation_is_deterministic(records: dict, as_of: date) -> None:
    assert evaluate(DEFINITION, records, as_of) == evaluate(DEFINITION, records, as_of)


@settings(max_examples=150, deadline=None)
@given(candidates(), as_of_dates)
def test_hours_by_year_add_up_to_the_node_totals(records: dict, as_of: date) -> None:
    result = evaluate(DEFINITION, records, as_of)
    for node_id in HOURS_NODES:
        node = find(result, node_id)
        rows = node["by_year"]
        years = [r["year"] for r in rows]
        assert years == sorted(set(years))
        assert all(year <= as_of.year for year in years)
        tolerance = 0.005 * (len(rows) + 1) + 1e-6
        for key, total in (
            ("counted", "counted_hours"),
            ("capped", "capped_hours"),
            ("pending", "pending_hours"),
        ):
            assert abs(sum(r[key] for r in rows) - node[total]) <= tolerance
            assert all(r[key] >= 0 for r in rows)
        assert all(r["counted"] or r["capped"] or r["pending"] for r in rows)


@settings(max_examples=150, deadline=None)
@given(candidates(), as_of_dates)
def test_waived_means_met_only_because_of_a_waiver(records: dict, as_of: date) -> None:
    result = evaluate(DEFINITION, records, as_of)
    bare = evaluate(DEFINITION, dict(records, waivers=[]), as_of)
    unwaived = {node["id"]: node["status"] for node in walk(bare)}
    unwaived[""] = bare["status"]
    result["id"] = ""
    for node in [result, *walk(result)]:
        if node["waived"]:
            assert node["status"] == "met"
        expected = node["status"] == "met" and unwaived[node["id"]] != "met"
        assert node["waived"] == expected, node["id"]


# A credential whose pathways both hold DEFINITION (as "test"), one of them also at the exam:
# evaluate_pathways shares the evaluations of "test" (with and without waivers) between them.
HOLDER = define(
    {"id": "exam", "exam": {"code": "Y"}},
    {
        "id": "route",
        "any": [
            {"id": "now", "pathway": "p1", "credential": {"id": "test"}},
            {
                "id": "then",
                "pathway": "p2",
                "all": [
                    {"id": "held", "credential": {"id": "test", "current_at": "exam"}},
                    {"id": "hours", "hours": {"min": 100}},
                ],
            },
        ],
    },
    id="holder",
    pathways={"p1": "Now", "p2": "Then"},
)


@settings(max_examples=150)
@given(candidates(), as_of_dates, st.permutations(["p1", "p2", None]))
def test_pathways_evaluated_together_are_each_as_evaluated_alone(
    records: dict, as_of: date, order: list
) -> None:
    catalog = {"test": DEFINITION}
    together = evaluate_pathways(HOLDER, records, as_of, order, catalog)
    assert list(together) == order
    for pathway in order:
        assert together[pathway] == evaluate(HOLDER, records, as_of, pathway, catalog)


SUB = define({"id": "deg", "degree": {"min_level": "bachelor"}}, id="sub")
TWO_ROUTES = define(
    {
        "id": "route",
        "any": [
            {"id": "first", "pathway": "p1", "credential": {"id": "sub"}},
            {"id": "second", "pathway": "p2", "credential": {"id": "sub"}},
        ],
    },
    id="routes",
    pathways={"p1": "First", "p2": "Second"},
)


@pytest.mark.parametrize("order", [["p1", "p2"], ["p2", "p1"]])
def test_a_credential_held_only_by_a_waiver_reads_waived_on_every_pathway(order):
    """The second pathway reuses the first's evaluation of "sub", met only by a waiver: it
    is still reported waived (met only because of it), as evaluated alone."""
    records = {"waivers": [{"id": "w1", "requirement": "deg", "approved_on": "2024-01-02"}]}
    together = evaluate_pathways(TWO_ROUTES, records, date(2025, 1, 1), order, {"sub": SUB})
    for pathway in order:
        alone = evaluate(TWO_ROUTES, records, date(2025, 1, 1), pathway, {"sub": SUB})
        assert together[pathway] == alone
        assert alone["status"] == "met" and alone["waived"] is True
