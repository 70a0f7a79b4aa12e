"""`current_at` on credential nodes: a credential must be current when it is used."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from engine_builders import define, exam, find, reasons, run
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import DefinitionError, parse_definition

EXAM = {"id": "exam", "exam": {"code": "CFP"}}


def accelerated(**spec: Any) -> Any:
    """The Accelerated Path: a CPA licence held before, and current at, the exam."""
    node = {"id": "cpa", "before": "exam", "credential": {"id": "cpa", **spec}}
    return define(EXAM, node)


AT_EXAM = {"current_at": "exam"}
PASS = exam("e", "CFP", "2023-03-15")


def licence(awarded: str, expires: str | None = None) -> dict[str, Any]:
    return {"id": "cpa", "awarded_on": awarded, "expires_on": expires}


CASES = [
    # (id, spec, records, status, excluded, detail)
    (
        "lapses-years-after-the-exam-still-counts",
        AT_EXAM,
        {"exams": [PASS], "credentials": [licence("2015-01-01", "2024-01-01")]},
        "met",
        {},
        "Holds cpa since 2015-01-01; current on 2023-03-15",
    ),
    (
        "without-current-at-the-later-lapse-un-meets-it",
        {},
        {"exams": [PASS], "credentials": [licence("2015-01-01", "2024-01-01")]},
        "expired",
        {"cpa": "lapsed"},
        "no longer held",
    ),
    (
        "lapsed-before-the-exam",
        AT_EXAM,
        {"exams": [PASS], "credentials": [licence("2015-01-01", "2023-01-01")]},
        "expired",
        {"cpa": "lapsed"},
        "no longer held",
    ),
    (
        "lapsing-on-the-exam-day-is-not-current",
        AT_EXAM,
        {"exams": [PASS], "credentials": [licence("2015-01-01", "2023-03-15")]},
        "expired",
        {"cpa": "lapsed"},
        "",
    ),
    (
        "renewed-licence-current-at-the-exam",
        AT_EXAM,
        {
            "exams": [PASS],
            "credentials": [
                licence("2015-01-01", "2020-01-01"),
                licence("2020-01-01", "2025-01-01"),
            ],
        },
        "met",
        {"cpa": "lapsed"},
        "Holds cpa since 2020-01-01",
    ),
    (
        "exam-not-met-yet-current-on-the-evaluation-date",
        AT_EXAM,
        {"credentials": [licence("2015-01-01", "2024-01-01")]},
        "expired",
        {"cpa": "lapsed"},
        "",
    ),
    (
        "exam-not-met-yet-and-licence-current",
        AT_EXAM,
        {"credentials": [licence("2015-01-01")]},
        "met",
        {},
        "Holds cpa since 2015-01-01",
    ),
]


@pytest.mark.parametrize(
    ("spec", "records", "status", "excluded", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_current_at(spec: dict, records: dict, status: str, excluded: dict, detail: str) -> None:
    node = find(run(accelerated(**spec), records), "cpa")
    assert node["status"] == status
    assert reasons(node) == excluded
    assert detail in node["detail"]


def test_awarded_after_the_node_was_met_is_not_current_then() -> None:
    # No `before`: only current_at keeps a licence awarded after the exam out.
    d = define(EXAM, {"id": "cpa", "credential": {"id": "cpa", **AT_EXAM}})
    node = find(run(d, {"exams": [PASS], "credentials": [licence("2024-01-01")]}), "cpa")
    assert (node["status"], reasons(node)) == ("not_started", {"cpa": "after_cutoff"})


CHARTER = parse_definition(
    {
        "id": "cfa",
        "name": "CFA charter",
        "version": "1",
        "requirements": [
            {"id": "l3", "exam": {"code": "L3"}},
            {"id": "pcs", "attestation": {"kind": "pcs", "valid_years": 1}},
        ],
    },
    "cfa.yaml",
)
CHARTER_RECORDS = {
    "exams": [PASS, exam("l3", "L3", "2021-08-01")],
    "attestations": [{"id": "pcs-2022", "kind": "pcs", "signed_on": "2022-09-15"}],
}


@pytest.mark.parametrize(
    ("spec", "status", "detail"),
    [
        (AT_EXAM, "met", "Requirements of CFA charter met on 2022-09-15; current on 2023-03-15"),
        ({}, "in_progress", "Requirements of CFA charter: 1 of 2 met (50%)"),
    ],
)
def test_a_charter_held_through_its_definition_is_judged_on_the_day_it_was_needed(
    spec: dict, status: str, detail: str
) -> None:
    d = define(EXAM, {"id": "cfa", "before": "exam", "credential": {"id": "cfa", **spec}})
    node = find(run(d, CHARTER_RECORDS, catalog={"cfa": CHARTER}), "cfa")
    assert (node["status"], node["detail"]) == (status, detail)


def test_a_charter_that_was_not_current_at_the_exam_does_not_count() -> None:
    records = {
        **CHARTER_RECORDS,
        "attestations": [{"id": "pcs", "kind": "pcs", "signed_on": "2021-09-15"}],
    }
    d = define(EXAM, {"id": "cfa", "credential": {"id": "cfa", **AT_EXAM}})
    node = find(run(d, records, catalog={"cfa": CHARTER}), "cfa")
    assert node["status"] == "in_progress"


def test_a_planned_exam_needs_the_licence_current_on_its_planned_date() -> None:
    records = {
        "exams": [exam("e", "CFP", "2027-06-01", planned=True)],
        "credentials": [licence("2015-01-01", "2027-01-01")],
    }
    node = find(run(accelerated(**AT_EXAM), records, planned=True), "cpa")
    assert (node["status"], reasons(node)) == ("expired", {"cpa": "lapsed"})
    renewed = {**records, "credentials": [licence("2015-01-01", "2028-01-01")]}
    assert find(run(accelerated(**AT_EXAM), renewed, planned=True), "cpa")["status"] == "met"


def test_a_credential_evaluated_on_a_planned_date_does_not_see_later_real_records() -> None:
    records = {
        "exams": [exam("e", "CFP", "2027-06-01", planned=True), exam("l3", "L3", "2027-01-01")],
        "attestations": [{"id": "pcs", "kind": "pcs", "signed_on": "2026-10-01"}],
    }
    d = define(EXAM, {"id": "cfa", "credential": {"id": "cfa", **AT_EXAM}})
    node = find(run(d, records, catalog={"cfa": CHARTER}, planned=True), "cfa")
    # The real Level III pass dated after the evaluation date is not known yet.
    assert node["status"] == "in_progress"


def test_polish_detail() -> None:
    d = define(
        EXAM,
        {
            "id": "cpa",
            "title": {"en": "CPA licence", "pl": "Licencja CPA"},
            "credential": {"id": "cpa", **AT_EXAM},
        },
    )
    records = {"exams": [PASS], "credentials": [licence("2015-01-01", "2024-01-01")]}
    node = find(run(d, records, lang="pl"), "cpa")
    assert (
        node["detail"]
        == "Posiada: Licencja CPA, od 2015-01-01; ważność sprawdzona na dzień 2023-03-15"
    )


def base(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"id": "t", "name": "T", "version": "1", "requirements": [EXAM, *nodes]}


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        (
            base({"id": "k", "credential": {"id": "cpa", "current_at": "exm"}}),
            "requirements[1].credential.current_at",
            "did you mean 'exam'",
        ),
        (
            base({"id": "k", "credential": {"id": "cpa", "current_at": 3}}),
            "requirements[1].credential.current_at",
            "non-empty text",
        ),
        (
            base({"id": "k", "credential": {"id": "cpa", "current_at": "k"}}),
            "requirements[1]",
            "circular reference",
        ),
        (
            base({"id": "g", "all": [{"id": "k", "credential": {"id": "cpa", "current_at": "g"}}]}),
            "",
            "circular reference",
        ),
        (
            base({"id": "x", "exam": {"code": "X", "current_at": "exam"}}),
            "requirements[1].exam.current_at",
            "unknown key",
        ),
    ],
)
def test_bad_current_at_is_a_load_error(data: dict, path: str, reason: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    assert any(
        (not path or p.path == path) and reason in p.reason for p in caught.value.problems
    ), [str(p) for p in caught.value.problems]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 3000),
    st.lists(
        st.tuples(st.integers(0, 3000), st.one_of(st.none(), st.integers(1, 3000))), max_size=3
    ),
    st.integers(0, 2000),
    st.integers(0, 2000),
)
def test_once_the_exam_is_met_a_later_evaluation_date_changes_nothing(
    passed: int, licences: list, later_a: int, later_b: int
) -> None:
    """No retroactive un-meeting: the node is judged on the exam day, whenever it is evaluated."""

    def day(n: int) -> date:
        return date(2015, 1, 1) + timedelta(days=n)

    records = {
        "exams": [exam("e", "CFP", day(passed).isoformat())],
        "credentials": [
            {
                "id": "cpa",
                "awarded_on": day(start).isoformat(),
                "expires_on": None if length is None else day(start + length).isoformat(),
            }
            for start, length in licences
        ],
    }
    last_record = max([passed, *(start for start, _ in licences)])
    first, second = (day(last_record + offset) for offset in (later_a, later_b))
    d = accelerated(**AT_EXAM)
    one, two = find(run(d, records, first), "cpa"), find(run(d, records, second), "cpa")
    assert (one["status"], one["met_on"]) == (two["status"], two["met_on"])
