"""Registrations that keep a pass alive (contract 6.5): exam `renewed_by`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from engine_builders import define, exam, find, reasons, run
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import DefinitionError, RecordsError, parse_definition

SIE = define({"id": "sie", "exam": {"code": "SIE", "valid_years": 4, "renewed_by": "finra"}})
S7 = define({"id": "s7", "exam": {"code": "S7", "valid_years": 2, "renewed_by": "finra"}})


def reg(rid: str, start: str, end: str | None, kind: str = "finra") -> dict[str, Any]:
    return {"id": rid, "kind": kind, "start": start, "end": end}


CASES = [
    # (id, definition, pass, registrations, as_of, status, excluded, detail)
    (
        "continuously-registered-sie-stays-valid-past-4-years",
        SIE,
        exam("e", "SIE", "2019-05-01"),
        [reg("u4", "2019-06-01", None)],
        "2026-11-26",
        "met",
        {},
        "Passed SIE on 2019-05-01; valid while registered (finra)",
    ),
    (
        "sie-without-registration-lapses-after-4-years",
        SIE,
        exam("e", "SIE", "2021-05-01"),
        [],
        "2025-05-01",
        "expired",
        {"e": "lapsed"},
        "lapsed 2025-05-01",
    ),
    (
        "registration-ending-the-day-the-pass-would-lapse-extends-it",
        SIE,
        exam("e", "SIE", "2021-05-01"),
        [reg("u4", "2022-01-01", "2025-05-01")],
        "2026-11-26",
        "met",
        {},
        "lapses 2029-05-01",
    ),
    (
        "registration-starting-the-day-the-pass-lapsed-is-too-late",
        SIE,
        exam("e", "SIE", "2021-05-01"),
        [reg("u4", "2025-05-01", None)],
        "2025-05-01",
        "expired",
        {"e": "lapsed"},
        "lapsed 2025-05-01",
    ),
    (
        "registration-starting-the-last-valid-day-keeps-it",
        SIE,
        exam("e", "SIE", "2021-05-01"),
        [reg("u4", "2025-04-30", None)],
        "2026-11-26",
        "met",
        {},
        "valid while registered",
    ),
    (
        "series-7-valid-until-2-years-after-the-registration-ends",
        S7,
        exam("e", "S7", "2020-01-01"),
        [reg("u4", "2020-01-15", "2023-06-30")],
        "2025-06-29",
        "met",
        {},
        "lapses 2025-06-30",
    ),
    (
        "series-7-lapses-2-years-after-the-registration-ends",
        S7,
        exam("e", "S7", "2020-01-01"),
        [reg("u4", "2020-01-15", "2023-06-30")],
        "2025-06-30",
        "expired",
        {"e": "lapsed"},
        "Passed S7 on 2020-01-01; lapsed 2025-06-30",
    ),
    (
        "extensions-chain-through-registrations-open-while-valid",
        S7,
        exam("e", "S7", "2018-01-01"),
        [
            reg("c", "2024-06-01", None),  # after the extended lapse: no effect
            reg("b", "2021-01-01", "2022-01-01"),  # valid only thanks to a
            reg("a", "2019-01-01", "2019-06-30"),
        ],
        "2023-12-31",
        "met",
        {},
        "lapses 2024-01-01",
    ),
    (
        "registration-that-ended-before-the-pass-does-nothing",
        S7,
        exam("e", "S7", "2018-01-01"),
        [reg("old", "2015-01-01", "2017-12-31")],
        "2020-01-01",
        "expired",
        {"e": "lapsed"},
        "lapsed 2020-01-01",
    ),
    (
        "registration-of-another-kind-does-nothing",
        S7,
        exam("e", "S7", "2018-01-01"),
        [reg("ins", "2018-01-01", None, kind="insurance")],
        "2020-01-01",
        "expired",
        {"e": "lapsed"},
        "",
    ),
    (
        "an-end-after-the-evaluation-date-is-still-open",
        S7,
        exam("e", "S7", "2018-01-01"),
        [reg("u4", "2018-01-01", "2030-01-01")],
        "2026-11-26",
        "met",
        {},
        "valid while registered",
    ),
    (
        "a-registration-after-the-evaluation-date-is-ignored",
        S7,
        exam("e", "S7", "2018-01-01"),
        [reg("u4", "2019-12-31", None)],
        "2019-12-30",
        "met",
        {},
        "lapses 2020-01-01",
    ),
]


@pytest.mark.parametrize(
    ("definition", "passed", "registrations", "as_of", "status", "excluded", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_renewed_by(
    definition: Any,
    passed: dict,
    registrations: list,
    as_of: str,
    status: str,
    excluded: dict,
    detail: str,
) -> None:
    records = {"exams": [passed], "registrations": registrations}
    (node,) = run(definition, records, as_of)["requirements"]
    assert node["status"] == status
    assert reasons(node) == excluded
    assert detail in node["detail"]


def test_registrations_that_kept_the_pass_alive_are_evidence() -> None:
    records = {
        "exams": [exam("e", "S7", "2018-01-01")],
        "registrations": [
            reg("b", "2021-01-01", "2022-01-01"),
            reg("a", "2019-01-01", "2019-06-30"),
            reg("x", "2010-01-01", "2011-01-01"),
        ],
    }
    node = find(run(S7, records, "2023-01-01"), "s7")
    assert node["evidence"] == ["e", "a", "b"]


def test_without_renewed_by_registrations_do_nothing() -> None:
    d = define({"id": "sie", "exam": {"code": "SIE", "valid_years": 4}})
    records = {
        "exams": [exam("e", "SIE", "2019-05-01")],
        "registrations": [reg("u4", "2019-06-01", None)],
    }
    node = find(run(d, records), "sie")
    assert (node["status"], node["evidence"]) == ("expired", [])


def test_polish_detail_while_registered() -> None:
    records = {
        "exams": [exam("e", "SIE", "2019-05-01")],
        "registrations": [reg("u4", "2019-06-01", None)],
    }
    node = find(run(SIE, records, lang="pl"), "sie")
    assert node["detail"] == "Egzamin SIE zdany 2019-05-01; ważny w okresie rejestracji (finra)"


@pytest.mark.parametrize(
    ("exam_spec", "path", "reason"),
    [
        (
            {"code": "S7", "renewed_by": "finra"},
            "requirements[0].exam.renewed_by",
            "needs valid_years",
        ),
        (
            {"code": "S7", "valid_years": 2, "renewed_by": 5},
            "requirements[0].exam.renewed_by",
            "non-empty text",
        ),
    ],
)
def test_bad_renewed_by_is_a_load_error(exam_spec: dict, path: str, reason: str) -> None:
    data = {
        "id": "t",
        "name": "T",
        "version": "1",
        "requirements": [{"id": "e", "exam": exam_spec}],
    }
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    assert any(p.path == path and reason in p.reason for p in caught.value.problems)


@pytest.mark.parametrize(
    ("item", "record_id", "field", "reason"),
    [
        (reg("r1", "2020-01-01", "2019-12-31"), "r1", "end", "before start"),
        ({"id": "r2", "start": "2020-01-01"}, "r2", "kind", "is required"),
        ({"id": "r3", "kind": "finra"}, "r3", "start", "is required"),
        (reg("r4", "2020-02-30", None), "r4", "start", "not a date"),
        (reg("r5", "2020-01-01", "soon"), "r5", "end", "not a date"),
        ({"kind": "finra", "start": "2020-01-01"}, "#1", "id", "is required"),
    ],
)
def test_bad_registrations_name_the_record(
    item: dict, record_id: str, field: str, reason: str
) -> None:
    with pytest.raises(RecordsError) as caught:
        run(SIE, {"registrations": [item]})
    problem = caught.value
    assert (problem.kind, problem.record_id, problem.field) == ("registrations", record_id, field)
    assert reason in problem.reason


def test_duplicate_registration_ids_are_rejected() -> None:
    with pytest.raises(RecordsError, match="duplicate record id"):
        run(SIE, {"registrations": [reg("r", "2020-01-01", None), reg("r", "2021-01-01", None)]})


START = date(2015, 1, 1)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 3000),
    st.lists(
        st.tuples(st.integers(0, 4000), st.one_of(st.none(), st.integers(0, 1500))), max_size=4
    ),
    st.tuples(st.integers(0, 4000), st.one_of(st.none(), st.integers(0, 1500))),
    st.integers(0, 4500),
)
def test_a_registration_never_shortens_a_pass(
    passed: int, regs: list, extra: tuple, as_of: int
) -> None:
    def day(n: int) -> str:
        return (START + timedelta(days=n)).isoformat()

    def registrations(items: list) -> list[dict[str, Any]]:
        return [
            reg(f"r{i}", day(s), None if n is None else day(s + n))
            for i, (s, n) in enumerate(items)
        ]

    when = START + timedelta(days=as_of)
    records = {"exams": [exam("e", "S7", day(passed))], "registrations": registrations(regs)}
    more = {**records, "registrations": registrations([*regs, extra])}
    before = find(run(S7, records, when), "s7")
    after = find(run(S7, more, when), "s7")
    if before["status"] == "met":
        assert after["status"] == "met"
    # Registered without an end on the evaluation date, from a day the pass was valid:
    # the pass cannot have lapsed.
    start, length = extra
    if length is None and passed <= start <= as_of and before["status"] == "met":
        assert "valid while registered" in after["detail"]
