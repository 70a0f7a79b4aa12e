"""Planned records (contract 6.7): ignored unless asked for, then counted as if real."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from engine_builders import course, define, degree, entry, exam, find, reasons, run, walk
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import RecordsError, evaluate, render_text

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-26"
P = {"planned": True}
EXAM = {"id": "exam", "exam": {"code": "X"}}
DEG = {"id": "deg", "degree": {"min_level": "bachelor"}}


def test_without_the_flag_planned_records_are_nowhere() -> None:
    d = define(EXAM, DEG, {"id": "h", "hours": {"min": 10}})
    records = {
        "exams": [exam("e-real", "X", "2027-01-01"), exam("e-plan", "X", "2027-02-01", **P)],
        "degrees": [degree("d-plan", "2020-01-01", **P)],
        "experience": [entry("x-plan", "2026-01-01", "2026-01-10", 80, **P)],
    }
    result = run(d, records)
    assert reasons(find(result, "exam")) == {"e-real": "future"}
    for node in walk(result):
        assert "e-plan" not in node["evidence"] and "d-plan" not in node["evidence"]
        assert not {"e-plan", "d-plan", "x-plan"} & set(reasons(node))
        assert node["planned"] is False
    assert (result["with_planned"], result["planned"], result["status"]) == (
        False,
        False,
        "not_started",
    )


def test_planned_records_count_as_if_real_even_after_the_evaluation_date() -> None:
    d = define({"id": "study", "all": [EXAM, DEG]}, {"id": "other", "exam": {"code": "Y"}})
    records = {
        "exams": [exam("e-plan", "X", "2027-03-01", **P), exam("e-y", "Y", "2020-01-01")],
        "degrees": [degree("d", "2018-06-01")],
    }
    result = run(d, records, planned=True)
    exam_node, study = find(result, "exam"), find(result, "study")
    assert (exam_node["status"], exam_node["met_on"], exam_node["planned"]) == (
        "met",
        "2027-03-01",
        True,
    )
    assert exam_node["evidence"] == ["e-plan"]
    assert (study["status"], study["met_on"], study["planned"]) == ("met", "2027-03-01", True)
    assert (find(result, "deg")["planned"], find(result, "other")["planned"]) == (False, False)
    assert (result["status"], result["met_on"], result["planned"], result["with_planned"]) == (
        "met",
        "2027-03-01",
        True,
        True,
    )
    assert "✔ met (planned), 100%, met 2027-03-01" in render_text(result)


def test_a_node_met_without_its_plans_is_not_planned() -> None:
    records = {"exams": [exam("e-real", "X", "2020-01-01"), exam("e-plan", "X", "2027-01-01", **P)]}
    node = find(run(define(EXAM), records, planned=True), "exam")
    assert (node["status"], node["met_on"], node["planned"]) == ("met", "2020-01-01", False)
    assert node["evidence"] == ["e-real", "e-plan"]


def test_real_records_after_the_evaluation_date_stay_ignored_with_the_flag() -> None:
    records = {"exams": [exam("e-real", "X", "2027-01-01")]}
    node = find(run(define(EXAM), records, planned=True), "exam")
    assert (node["status"], reasons(node)) == ("not_started", {"e-real": "future"})


def test_planned_hours_are_counted_on_their_dates() -> None:
    d = define({"id": "h", "hours": {"min": 100, "max_per_week": 40}})
    records = {
        "experience": [
            entry("real", "2026-11-23", "2026-11-29", 70),  # Monday to Sunday, 10 h a day
            entry("plan", "2026-12-28", "2027-01-10", 140, **P),
            entry("late", "2026-12-01", "2026-12-02", 20),
        ]
    }
    node = find(run(d, records, planned=True), "h")
    # The real entry counts up to the evaluation date (Thursday): 40 hours, the cap.
    assert node["status"] == "met" and node["planned"] is True
    assert node["met_on"] == "2027-01-05"
    assert node["counted_hours"] == 120.0 and node["capped_hours"] == 60.0
    assert node["by_year"] == [
        {"year": 2026, "counted": 80.0, "capped": 0.0, "pending": 0.0},
        {"year": 2027, "counted": 40.0, "capped": 60.0, "pending": 0.0},
    ]
    assert reasons(node) == {"late": "future"}
    without = find(run(d, records), "h")
    assert (without["counted_hours"], without["status"], without["planned"]) == (
        40.0,
        "in_progress",
        False,
    )


def test_waiting_for_min_months_is_not_a_plan() -> None:
    d = define({"id": "h", "hours": {"min": 100, "min_months": 12}})
    records = {
        "experience": [
            entry("real", "2026-06-01", "2026-06-10", 200),
            entry("plan", "2027-01-01", "2027-01-01", 1, **P),
        ]
    }
    node = find(run(d, records, planned=True), "h")
    assert (node["status"], node["met_on"], node["planned"]) == ("in_progress", None, False)
    assert node["projected_on"] == "2027-06-01"


def test_planned_hours_needed_and_min_months_give_the_later_date() -> None:
    d = define({"id": "h", "hours": {"min": 100, "min_months": 12}})
    records = {"experience": [entry("plan", "2027-01-01", "2027-01-10", 200, **P)]}
    node = find(run(d, records, planned=True), "h")
    assert (node["status"], node["met_on"], node["planned"]) == ("met", "2028-01-01", True)


def test_references_to_a_node_met_by_plans_use_the_planned_date() -> None:
    d = define(
        EXAM,
        {"id": "study", "before": "exam", "all": [{"id": "c", "courses": {"min_count": 1}}]},
        {"id": "h", "hours": {"min": 10, "window": {"anchor": "exam", "years_after": 1}}},
        {**DEG, "due": {"after": "exam", "years": 1}},
    )
    records = {
        "exams": [exam("e-plan", "X", "2027-06-01", **P)],
        "courses": [course("c-plan", "2027-07-01", **P)],
        "experience": [entry("x-plan", "2028-05-01", "2028-05-02", 16, **P)],
        "degrees": [degree("d-plan", "2028-07-01", **P)],
    }
    result = run(d, records, planned=True)
    assert reasons(find(result, "c")) == {"c-plan": "after_cutoff"}
    assert find(result, "h")["status"] == "met" and find(result, "h")["met_on"] == "2028-05-02"
    deg = find(result, "deg")
    assert (deg["status"], deg["due"], deg["planned"]) == ("expired", "2028-06-01", False)


def test_planned_waiver_registration_credential_and_cycle() -> None:
    d = define(
        EXAM,
        {"id": "deg", "degree": {"min_level": "master"}},
        {"id": "sie", "exam": {"code": "SIE", "valid_years": 4, "renewed_by": "finra"}},
        {"id": "cpa", "credential": {"id": "cpa"}},
        {"id": "ce", "courses": {"min_count": 1, "window": {"cycle_months": 12, "from": "exam"}}},
    )
    records = {
        "exams": [exam("e-sie", "SIE", "2022-01-01"), exam("e-plan", "X", "2027-02-01", **P)],
        "waivers": [{"id": "w", "requirement": "deg", "approved_on": "2027-01-15", **P}],
        "registrations": [{"id": "u4", "kind": "finra", "start": "2025-06-01", "end": None, **P}],
        "credentials": [{"id": "cpa", "awarded_on": "2027-05-01", **P}],
        "courses": [course("c-plan", "2027-03-01", **P)],
    }
    result = run(d, records, planned=True)
    deg = find(result, "deg")
    assert (deg["status"], deg["met_on"], deg["waived"], deg["planned"]) == (
        "met",
        "2027-01-15",
        True,
        True,
    )
    sie = find(result, "sie")
    assert (sie["status"], sie["planned"]) == ("met", True)
    assert "valid while registered" in sie["detail"]
    assert (find(result, "cpa")["met_on"], find(result, "cpa")["planned"]) == ("2027-05-01", True)
    ce = find(result, "ce")
    assert ce["cycle"] == {"start": "2027-02-01", "end": "2028-01-31"}
    assert (ce["status"], ce["met_on"], ce["planned"]) == ("met", "2027-03-01", True)


def test_planned_must_be_a_boolean_also_when_planned_records_are_ignored() -> None:
    with pytest.raises(RecordsError) as caught:
        run(define(EXAM), {"exams": [exam("e", "X", "2020-01-01", planned="yes")]})
    assert (caught.value.record_id, caught.value.field) == ("e", "planned")
    with pytest.raises(RecordsError) as caught:
        run(define(EXAM), {"experience": [entry("x", "2020-01-01", "2020-01-02", 8, planned=1)]})
    assert (caught.value.record_id, caught.value.field) == ("x", "planned")


def test_cli_with_planned(tmp_path: Path) -> None:
    definition = tmp_path / "t.yaml"
    definition.write_text(
        "id: t\nname: T\nversion: '1'\nrequirements:\n  - id: e\n    exam: {code: X}\n",
        encoding="utf-8",
    )
    records = tmp_path / "r.json"
    records.write_text(
        json.dumps({"exams": [exam("e1", "X", "2030-01-01", **P)]}), encoding="utf-8"
    )

    def cli(*args: str) -> dict[str, Any]:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tracker.requirements_engine",
                "check",
                str(definition),
                str(records),
                "--as-of",
                "2026-01-01",
                "--json",
                *args,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert cli()["status"] == "not_started"
    what_if = cli("--with-planned")
    assert (what_if["status"], what_if["met_on"], what_if["planned"]) == ("met", "2030-01-01", True)


# --- properties -------------------------------------------------------------------------

DEFINITION = define(
    EXAM,
    {**DEG, "due": {"after": "exam", "years": 2}},
    {
        "id": "study",
        "before": "exam",
        "any": [{"courses": {"min_count": 2}}, {"attestation": {"kind": "k"}}],
    },
    {
        "id": "work",
        "hours": {
            "min": 300,
            "max_per_week": 30,
            "min_months": 3,
            "window": {"anchor": "exam", "years_before": 2, "years_after": 2},
        },
    },
)
START = date(2022, 1, 1)
offsets = st.integers(0, 3000)


@st.composite
def candidates(draw: st.DrawFn) -> dict[str, Any]:
    def day(n: int) -> str:
        return (START + timedelta(days=n)).isoformat()

    def plan() -> dict[str, bool]:
        return {"planned": draw(st.booleans())}

    return {
        "exams": [
            exam(f"e{i}", "X", day(draw(offsets)), **plan()) for i in range(draw(st.integers(0, 2)))
        ],
        "degrees": [
            degree(f"d{i}", day(draw(offsets)), **plan()) for i in range(draw(st.integers(0, 2)))
        ],
        "courses": [
            course(f"c{i}", day(draw(offsets)), **plan()) for i in range(draw(st.integers(0, 3)))
        ],
        "attestations": [
            {"id": f"a{i}", "kind": "k", "signed_on": day(draw(offsets)), **plan()}
            for i in range(draw(st.integers(0, 1)))
        ],
        "experience": [
            entry(
                f"x{i}",
                day(s := draw(offsets)),
                day(s + 40),
                41 * draw(st.integers(1, 12)),
                **plan(),
            )
            for i in range(draw(st.integers(0, 4)))
        ],
    }


@settings(max_examples=150, deadline=None)
@given(candidates(), offsets)
def test_planned_means_met_only_thanks_to_planned_records(records: dict, as_of: int) -> None:
    when = START + timedelta(days=as_of)
    with_plans = evaluate(DEFINITION, records, when, planned=True)
    without = evaluate(DEFINITION, records, when)
    real_only = {k: [r for r in v if not r.get("planned")] for k, v in records.items()}
    assert without == evaluate(DEFINITION, real_only, when)
    unmet = {node["id"] for node in walk(without) if node["status"] != "met"}
    for node in walk(with_plans):
        assert node["planned"] == (node["status"] == "met" and node["id"] in unmet), node["id"]
        if node["met_on"] is not None and node["met_on"] > when.isoformat():
            assert node["planned"], node["id"]


@settings(max_examples=60, deadline=None)
@given(candidates(), offsets)
def test_the_flag_changes_nothing_without_planned_records(records: dict, as_of: int) -> None:
    when = START + timedelta(days=as_of)
    real_only = {k: [r for r in v if not r.get("planned")] for k, v in records.items()}
    flagged = evaluate(DEFINITION, real_only, when, planned=True)
    plain = evaluate(DEFINITION, real_only, when)
    assert flagged.pop("with_planned") is True and plain.pop("with_planned") is False
    assert flagged == plain


def test_a_plan_that_moves_a_window_does_not_postdate_what_real_records_met() -> None:
    """Found by the property above: a planned exam moved the hours window's anchor, so with
    the plans the hours were met a day after the evaluation date, unflagged. Real records
    met them the day before: the node is dated by them."""
    records = {
        "exams": [
            exam("e0", "X", "2022-04-19"),
            exam("e1", "X", "2024-01-05", planned=True),
        ],
        "experience": [
            entry("x0", "2022-03-09", "2022-04-18", 205),
            entry("x1", "2022-03-10", "2022-04-19", 82, planned=True),
            entry("x2", "2022-01-01", "2022-02-10", 41),
            entry("x3", "2022-01-01", "2022-02-10", 82),
        ],
    }
    when = date(2022, 4, 18)
    work = find(evaluate(DEFINITION, records, when, planned=True), "work")
    real = find(evaluate(DEFINITION, records, when), "work")
    assert (work["status"], work["planned"], work["met_on"]) == ("met", False, real["met_on"])
    assert real["met_on"] == "2022-04-18"
