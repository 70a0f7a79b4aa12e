"""Verified records (contract 6.3): `verified: true` in a leaf counts only verified records."""

from __future__ import annotations

from typing import Any

import pytest
from engine_builders import course, define, degree, exam, find, reasons, run

from tracker.requirements_engine import DefinitionError, RecordsError, parse_definition


def att(aid: str, kind: str, signed_on: str, **extra: Any) -> dict[str, Any]:
    return {"id": aid, "kind": kind, "signed_on": signed_on, **extra}


def held(cid: str, awarded_on: str, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "awarded_on": awarded_on, **extra}


V = {"verified": True}

CASES = [
    # (id, spec, records, status, evidence, excluded, detail)
    (
        "exam-verified-pass-counts",
        {"exam": {"code": "SIE", **V}},
        {"exams": [{**exam("e1", "SIE", "2024-01-01"), **V}]},
        "met",
        ["e1"],
        {},
        "Passed SIE on 2024-01-01",
    ),
    (
        "exam-unverified-pass-excluded",
        {"exam": {"code": "SIE", **V}},
        {
            "exams": [
                exam("e1", "SIE", "2024-01-01"),
                {**exam("e2", "SIE", "2024-02-01"), "verified": False},
            ]
        },
        "not_started",
        [],
        {"e1": "unverified", "e2": "unverified"},
        "Passed SIE on 2024-02-01; not yet verified",
    ),
    (
        "exam-without-verified-counts-unverified-passes",
        {"exam": {"code": "SIE"}},
        {"exams": [exam("e1", "SIE", "2024-01-01")]},
        "met",
        ["e1"],
        {},
        "",
    ),
    (
        "exam-verified-false-is-no-filter",
        {"exam": {"code": "SIE", "verified": False}},
        {"exams": [exam("e1", "SIE", "2024-01-01")]},
        "met",
        ["e1"],
        {},
        "",
    ),
    (
        "exam-a-failed-unverified-attempt-is-not-passed",
        {"exam": {"code": "SIE", **V}},
        {"exams": [exam("e1", "SIE", "2024-01-01", passed=False)]},
        "not_started",
        [],
        {"e1": "not_passed"},
        "",
    ),
    (
        "exam-a-lapsed-unverified-pass-is-lapsed",
        {"exam": {"code": "SIE", "valid_years": 1, **V}},
        {"exams": [exam("e1", "SIE", "2020-01-01")]},
        "expired",
        [],
        {"e1": "lapsed"},
        "lapsed 2021-01-01",
    ),
    (
        "exam-other-code-is-not-matching-before-unverified",
        {"exam": {"code": "SIE", **V}},
        {"exams": [exam("e1", "S7", "2024-01-01")]},
        "not_started",
        [],
        {"e1": "not_matching"},
        "",
    ),
    (
        "degree-verified",
        {"degree": {"min_level": "bachelor", **V}},
        {"degrees": [degree("d1", "2018-06-01", verified=True), degree("d2", "2017-06-01")]},
        "met",
        ["d1"],
        {"d2": "unverified"},
        "Bachelor, Finance",
    ),
    (
        "degree-only-unverified",
        {"degree": {"min_level": "bachelor", **V}},
        {"degrees": [degree("d2", "2017-06-01", "master")]},
        "not_started",
        [],
        {"d2": "unverified"},
        "Master, Finance, Example University (not yet verified)",
    ),
    (
        "courses-verified",
        {"courses": {"min_count": 2, **V}},
        {
            "courses": [
                course("c1", "2024-01-01", verified=True),
                course("c2", "2024-02-01"),
                course("c3", "2024-03-01", passed=False),
            ]
        },
        "in_progress",
        ["c1"],
        {"c2": "unverified", "c3": "not_passed"},
        "1 of 2 courses; 1 course not yet verified",
    ),
    (
        "attestation-verified",
        {"attestation": {"kind": "ethics", **V}},
        {
            "attestations": [
                att("a1", "ethics", "2024-01-01"),
                att("a2", "ethics", "2024-02-01", **V),
            ]
        },
        "met",
        ["a2"],
        {"a1": "unverified"},
        "Signed ethics on 2024-02-01",
    ),
    (
        "credential-verified-record",
        {"credential": {"id": "cpa", **V}},
        {"credentials": [held("cpa", "2015-01-01", **V)]},
        "met",
        ["cpa"],
        {},
        "Holds",
    ),
    (
        "credential-unverified-record",
        {"credential": {"id": "cpa", **V}},
        {"credentials": [held("cpa", "2015-01-01")]},
        "not_started",
        [],
        {"cpa": "unverified"},
        "since 2015-01-01; not yet verified",
    ),
]


@pytest.mark.parametrize(
    ("spec", "records", "status", "evidence", "excluded", "detail"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_verified(
    spec: dict, records: dict, status: str, evidence: list, excluded: dict, detail: str
) -> None:
    node = find(run(define({"id": "n", **spec}), records), "n")
    assert node["status"] == status
    assert node["evidence"] == evidence
    assert reasons(node) == excluded
    assert detail in node["detail"]


def test_verified_credential_is_not_met_by_the_other_definitions_evaluation() -> None:
    other = parse_definition(
        {
            "id": "lvl",
            "name": "Level",
            "version": "1",
            "requirements": [{"id": "a", "exam": {"code": "A"}}],
        }
    )
    records = {"exams": [exam("ea", "A", "2020-05-01", verified=True)]}
    plain = find(
        run(define({"id": "k", "credential": {"id": "lvl"}}), records, catalog={"lvl": other}), "k"
    )
    assert plain["status"] == "met"
    strict = find(
        run(define({"id": "k", "credential": {"id": "lvl", **V}}), records, catalog={"lvl": other}),
        "k",
    )
    assert strict["status"] == "not_started"
    assert strict["detail"] == "No Level on record"


def base(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"id": "t", "name": "T", "version": "1", "requirements": list(nodes)}


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        (
            base({"id": "h", "hours": {"min": 5, "verified": True}}),
            "requirements[0].hours.verified",
            "not allowed on hours",
        ),
        (
            base({"id": "h", "verified": True, "hours": {"min": 5}}),
            "requirements[0].verified",
            "not allowed on hours",
        ),
        (
            base({"id": "g", "verified": True, "all": [{"exam": {"code": "X"}}]}),
            "requirements[0].verified",
            "not allowed on a group",
        ),
        (
            base({"id": "g", "verified": True, "any": [{"exam": {"code": "X"}}]}),
            "requirements[0].verified",
            "not allowed on a group",
        ),
        (
            base(
                {
                    "id": "g",
                    "at_least": {"count": 1, "verified": True, "of": [{"exam": {"code": "X"}}]},
                }
            ),
            "requirements[0].at_least.verified",
            "not allowed on a group",
        ),
        (
            base({"id": "e", "verified": True, "exam": {"code": "X"}}),
            "requirements[0].verified",
            "inside the kind mapping",
        ),
        (
            base({"id": "e", "exam": {"code": "X", "verified": "yes"}}),
            "requirements[0].exam.verified",
            "true or false",
        ),
        (
            base({"id": "c", "courses": {"min_count": 1, "verified": 1}}),
            "requirements[0].courses.verified",
            "true or false",
        ),
    ],
)
def test_verified_is_rejected_where_it_does_not_belong(data: dict, path: str, reason: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    assert any(
        p.file == "t.yaml" and p.path == path and reason in p.reason for p in caught.value.problems
    ), [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("records", "kind", "record_id"),
    [
        ({"exams": [exam("e1", "X", "2024-01-01", verified="yes")]}, "exams", "e1"),
        ({"degrees": [degree("d1", "2018-01-01", verified=1)]}, "degrees", "d1"),
        ({"courses": [course("c1", "2024-01-01", verified="no")]}, "courses", "c1"),
        ({"attestations": [att("a1", "k", "2024-01-01", verified=[])]}, "attestations", "a1"),
        ({"credentials": [held("cpa", "2015-01-01", verified="y")]}, "credentials", "cpa"),
    ],
)
def test_record_verified_must_be_a_boolean(records: dict, kind: str, record_id: str) -> None:
    with pytest.raises(RecordsError) as caught:
        run(define({"id": "e", "exam": {"code": "X"}}), records)
    assert (caught.value.kind, caught.value.record_id, caught.value.field) == (
        kind,
        record_id,
        "verified",
    )
