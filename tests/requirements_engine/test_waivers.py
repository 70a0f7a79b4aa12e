"""Waivers (contract 6.2): `waivable: false`, waivers that lapse, and `waived` on every node."""

from __future__ import annotations

from typing import Any

import pytest
from engine_builders import define, degree, entry, exam, find, reasons, run, walk

from tracker.requirements_engine import (
    DefinitionError,
    RecordsError,
    parse_definition,
    render_text,
)

EXAM = {"id": "exam", "exam": {"code": "X"}}
DEGREE = {"id": "deg", "degree": {"min_level": "bachelor"}}
LOCKED_DEGREE = {**DEGREE, "waivable": False}
PASS = exam("e1", "X", "2024-01-10")
ASSOCIATE = degree("d-assoc", "2015-06-01", "associate")
BACHELOR = degree("d-ba", "2016-06-01")


def waiver(wid: str, requirement: str, approved_on: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": wid,
        "requirement": requirement,
        "reason": "Equivalent foreign degree",
        "approved_by": "coordinator@example.com",
        "approved_on": approved_on,
        **extra,
    }


CASES = [
    # (id, node, degrees, waivers, status, met_on, waived, evidence, excluded)
    (
        "applies",
        DEGREE,
        [ASSOCIATE],
        [waiver("w1", "deg", "2025-02-01")],
        "met",
        "2025-02-01",
        True,
        ["w1"],
        {"d-assoc": "not_matching"},
    ),
    (
        "not-waivable-node-evaluated-on-its-evidence",
        LOCKED_DEGREE,
        [ASSOCIATE],
        [waiver("w1", "deg", "2025-02-01")],
        "not_started",
        None,
        False,
        [],
        {"d-assoc": "not_matching", "w1": "not_waivable"},
    ),
    (
        "not-waivable-node-met-on-its-own",
        LOCKED_DEGREE,
        [BACHELOR],
        [waiver("w1", "deg", "2015-02-01")],
        "met",
        "2016-06-01",
        False,
        ["d-ba"],
        {"w1": "not_waivable"},
    ),
    (
        "expires-after-the-evaluation-date",
        DEGREE,
        [],
        [waiver("w1", "deg", "2025-02-01", expires_on="2026-11-27")],
        "met",
        "2025-02-01",
        True,
        ["w1"],
        {},
    ),
    (
        "lapsed-on-its-expiry-date",
        DEGREE,
        [],
        [waiver("w1", "deg", "2025-02-01", expires_on="2026-11-26")],
        "not_started",
        None,
        False,
        [],
        {"w1": "lapsed"},
    ),
    (
        "lapsed-but-met-on-its-own",
        DEGREE,
        [BACHELOR],
        [waiver("w1", "deg", "2015-02-01", expires_on="2020-01-01")],
        "met",
        "2016-06-01",
        False,
        ["d-ba"],
        {"w1": "lapsed"},
    ),
    (
        "a-lapsed-and-an-applying-waiver",
        DEGREE,
        [],
        [
            waiver("w-old", "deg", "2020-01-01", expires_on="2021-01-01"),
            waiver("w-new", "deg", "2024-01-01"),
        ],
        "met",
        "2024-01-01",
        True,
        ["w-new"],
        {"w-old": "lapsed"},
    ),
    (
        "met-on-its-own-and-waived-is-not-waived",
        DEGREE,
        [BACHELOR],
        [waiver("w1", "deg", "2025-02-01")],
        "met",
        "2016-06-01",
        False,
        ["w1", "d-ba"],
        {},
    ),
    (
        "waiver-after-the-evaluation-date-is-ignored",
        LOCKED_DEGREE,
        [],
        [waiver("w1", "deg", "2027-01-01")],
        "not_started",
        None,
        False,
        [],
        {},
    ),
]


@pytest.mark.parametrize(
    ("node", "degrees", "waivers", "status", "met_on", "waived", "evidence", "excluded"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_waiver_cases(
    node: dict,
    degrees: list,
    waivers: list,
    status: str,
    met_on: str | None,
    waived: bool,
    evidence: list,
    excluded: dict,
) -> None:
    result = find(run(define(node), {"degrees": degrees, "waivers": waivers}), "deg")
    assert (result["status"], result["met_on"], result["waived"]) == (status, met_on, waived)
    assert result["evidence"] == evidence
    assert reasons(result) == excluded


def test_not_waivable_composite_carries_excluded_and_its_children_still_can_be_waived() -> None:
    d = define({"id": "study", "waivable": False, "all": [DEGREE, EXAM]})
    records = {
        "exams": [PASS],
        "waivers": [waiver("w-study", "study", "2025-01-01"), waiver("w-deg", "deg", "2025-01-02")],
    }
    result = run(d, records)
    study = find(result, "study")
    assert study["excluded"] == [{"id": "w-study", "reason": "not_waivable"}]
    assert (study["status"], study["met_on"], study["waived"]) == ("met", "2025-01-02", True)
    assert find(result, "deg")["waived"] is True
    assert find(result, "exam")["waived"] is False


def test_composites_carry_excluded_only_when_a_waiver_was_refused() -> None:
    d = define({"id": "study", "all": [DEGREE, EXAM]})
    result = run(d, {"waivers": [waiver("w1", "study", "2025-01-01", expires_on="2025-06-01")]})
    assert find(result, "study")["excluded"] == [{"id": "w1", "reason": "lapsed"}]
    assert "excluded" not in find(run(d, {}), "study")


def test_waived_spreads_to_the_nodes_met_only_because_of_it() -> None:
    d = define({"id": "study", "all": [DEGREE, EXAM]}, {"id": "other", "exam": {"code": "Y"}})
    records = {
        "exams": [PASS, exam("e2", "Y", "2020-01-01")],
        "waivers": [waiver("w1", "deg", "2025-02-01")],
    }
    result = run(d, records)
    assert result["status"] == "met" and result["waived"] is True
    assert find(result, "study")["waived"] is True
    assert find(result, "deg")["waived"] is True
    assert find(result, "exam")["waived"] is False
    assert find(result, "other")["waived"] is False
    without = run(d, {"exams": records["exams"]})
    assert without["waived"] is False
    assert all(node["waived"] is False for node in walk(without))


def test_waived_follows_references_to_a_waived_node() -> None:
    # The hours count in the year after the exam; without the waived exam they count
    # around the evaluation date instead.
    window = {"anchor": "exam", "years_before": 0, "years_after": 1}
    d = define(EXAM, {"id": "h", "hours": {"min": 100, "window": window}})
    records = {
        "experience": [entry("x1", "2016-02-01", "2016-03-01", 200)],
        "waivers": [waiver("w1", "exam", "2016-01-01")],
    }
    result = run(d, records)
    assert find(result, "exam")["waived"] is True
    assert (find(result, "h")["status"], find(result, "h")["waived"]) == ("met", True)
    assert result["waived"] is True


def test_every_node_carries_waived() -> None:
    d = define({"id": "study", "any": [DEGREE, EXAM]})
    result = run(d, {})
    assert result["waived"] is False
    assert [node["waived"] for node in walk(result)] == [False, False, False]


def test_render_text_shows_a_waived_node_as_waived() -> None:
    result = run(define(DEGREE), {"waivers": [waiver("w1", "deg", "2025-02-01")]})
    text = render_text(result)
    assert "✔ met (waived)" in text
    assert "Waived: Equivalent foreign degree" in text


@pytest.mark.parametrize("value", ["no", 0, None, [False]])
def test_waivable_must_be_a_boolean(value: object) -> None:
    data = {"id": "t", "name": "T", "version": "1", "requirements": [{**DEGREE, "waivable": value}]}
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == ("t.yaml", "requirements[0].waivable")
    assert "true or false" in problem.reason


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"expires_on": "2025-13-01"}, "not a date"),
        ({"expires_on": "2025-02-01"}, "not after approved_on 2025-02-01"),
        ({"expires_on": "2024-02-01"}, "not after approved_on"),
    ],
)
def test_bad_waiver_expiry_is_rejected(extra: dict, reason: str) -> None:
    with pytest.raises(RecordsError) as caught:
        run(define(DEGREE), {"waivers": [waiver("w9", "deg", "2025-02-01", **extra)]})
    assert (caught.value.record_id, caught.value.field) == ("w9", "expires_on")
    assert reason in caught.value.reason
