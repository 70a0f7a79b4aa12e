"""Candidate records: every kind of bad record is rejected with its id, field and reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from engine_builders import define, entry, run
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import EngineError, RecordsError, validate_records

GOOD = entry("x1", "2024-01-01", "2024-01-31", 100)

BAD: list[tuple[str, dict[str, Any], str | None, str | None, str]] = [
    (
        "bad-start-date",
        {"experience": [entry("x1", "2024-13-01", "2024-12-31", 1)]},
        "x1",
        "start",
        "not a date",
    ),
    (
        "unparseable-date",
        {"experience": [entry("x1", "01/02/2024", "2024-12-31", 1)]},
        "x1",
        "start",
        "not a date",
    ),
    (
        "end-before-start",
        {"experience": [entry("x2", "2024-02-01", "2024-01-01", 1)]},
        "x2",
        "end",
        "before start",
    ),
    (
        "negative-hours",
        {"experience": [entry("x3", "2024-01-01", "2024-01-01", -1)]},
        "x3",
        "hours",
        "negative",
    ),
    (
        "too-many-hours",
        {"experience": [entry("x4", "2024-01-01", "2024-01-02", 49)]},
        "x4",
        "hours",
        "24 hours a day",
    ),
    (
        "hours-not-number",
        {"experience": [entry("x5", "2024-01-01", "2024-01-02", "8")]},
        "x5",
        "hours",
        "must be a number",
    ),
    (
        "unknown-status",
        {"experience": [entry("x6", "2024-01-01", "2024-01-02", 8, status="ok")]},
        "x6",
        "status",
        "unknown status",
    ),
    (
        "missing-status",
        {"experience": [{"id": "x7", "start": "2024-01-01", "end": "2024-01-01", "hours": 1}]},
        "x7",
        "status",
        "required",
    ),
    (
        "missing-hours",
        {
            "experience": [
                {"id": "x8", "start": "2024-01-01", "end": "2024-01-01", "status": "approved"}
            ]
        },
        "x8",
        "hours",
        "required",
    ),
    (
        "supervised-not-bool",
        {"experience": [entry("x9", "2024-01-01", "2024-01-01", 1, supervised="yes")]},
        "x9",
        "supervised",
        "true or false",
    ),
    (
        "missing-id",
        {"exams": [{"code": "X", "taken_on": "2024-01-01", "passed": True}]},
        "#1",
        "id",
        "required",
    ),
    (
        "duplicate-id",
        {"exams": [{"id": "e1", "code": "X", "taken_on": "2024-01-01"}] * 2},
        "e1",
        "id",
        "duplicate",
    ),
    (
        "exam-missing-code",
        {"exams": [{"id": "e1", "taken_on": "2024-01-01"}]},
        "e1",
        "code",
        "required",
    ),
    (
        "exam-bad-date",
        {"exams": [{"id": "e1", "code": "X", "taken_on": "2024-02-30"}]},
        "e1",
        "taken_on",
        "not a date",
    ),
    (
        "degree-unknown-level",
        {"degrees": [{"id": "d1", "level": "phd"}]},
        "d1",
        "level",
        "not one of",
    ),
    ("degree-missing-level", {"degrees": [{"id": "d1"}]}, "d1", "level", "required"),
    (
        "course-negative-credits",
        {"courses": [{"id": "c1", "credits": -1, "completed_on": "2024-01-01"}]},
        "c1",
        "credits",
        "negative",
    ),
    (
        "course-topics-type",
        {"courses": [{"id": "c1", "topics": [1]}]},
        "c1",
        "topics",
        "list of text",
    ),
    (
        "attestation-missing-date",
        {"attestations": [{"id": "a1", "kind": "ethics"}]},
        "a1",
        "signed_on",
        "required",
    ),
    (
        "credential-bad-expiry",
        {"credentials": [{"id": "cpa", "awarded_on": "2020-01-01", "expires_on": "soon"}]},
        "cpa",
        "expires_on",
        "not a date",
    ),
    (
        "waiver-missing-requirement",
        {"waivers": [{"id": "w1", "approved_on": "2024-01-01"}]},
        "w1",
        "requirement",
        "required",
    ),
    ("list-not-a-list", {"exams": {"id": "e1"}}, None, None, "must be a list"),
    ("record-not-object", {"exams": ["e1"]}, "#1", None, "must be an object"),
    ("pathway-not-text", {"pathway": 3}, None, "pathway", "must be text"),
]


@pytest.mark.parametrize(
    ("records", "record_id", "field", "reason"), [pytest.param(*c[1:], id=c[0]) for c in BAD]
)
def test_bad_records(records: dict, record_id: str | None, field: str | None, reason: str) -> None:
    with pytest.raises(RecordsError) as caught:
        validate_records(records)
    error = caught.value
    assert isinstance(error, EngineError)
    assert error.record_id == record_id
    assert error.field == field
    assert reason in error.reason
    if record_id is not None:
        assert record_id in str(error)


def test_every_bad_record_is_reported() -> None:
    records = {
        "experience": [GOOD, entry("x2", "2024-02-01", "2024-01-01", 1)],
        "exams": [{"id": "e1", "code": "X", "taken_on": "bad"}],
    }
    with pytest.raises(RecordsError) as caught:
        validate_records(records)
    assert {(p.record_id, p.field) for p in caught.value.problems} == {
        ("x2", "end"),
        ("e1", "taken_on"),
    }
    assert len(str(caught.value).splitlines()) == 2


def test_good_records_pass() -> None:
    validate_records(
        {
            "pathway": None,
            "degrees": [{"id": "d1", "level": "Master", "conferred_on": None}],
            "courses": [{"id": "c1", "completed_on": None}],
            "exams": [{"id": 7, "code": "X", "taken_on": "2024-01-01", "passed": True}],
            "experience": [GOOD, entry("x2", "2024-01-01", "2024-01-01", 24)],
            "attestations": [{"id": "a1", "kind": "k", "signed_on": "2024-01-01"}],
            "credentials": [{"id": "cpa", "awarded_on": "2020-01-01", "expires_on": None}],
            "waivers": [{"id": "w1", "requirement": "r", "approved_on": "2024-01-01"}],
            "extra-key-from-the-app": {"ignored": True},
        }
    )
    validate_records({})


def test_evaluate_validates_records_first() -> None:
    d = define({"id": "e", "exam": {"code": "X"}})
    with pytest.raises(RecordsError, match="x9"):
        run(d, {"experience": [entry("x9", "2024-01-05", "2024-01-01", 1)]})


def test_unknown_pathway_is_a_records_error() -> None:
    d = define({"id": "e", "exam": {"code": "X"}}, pathways={"a": "A"})
    with pytest.raises(RecordsError) as caught:
        run(d, {}, pathway="zzz")
    assert caught.value.field == "pathway"
    with pytest.raises(RecordsError, match="pathway"):
        run(d, {"pathway": "zzz"})


def test_entries_read_twice_give_the_same_records_and_a_bad_day_is_never_remembered():
    """parse_records remembers the days of (start, end) texts it has read; the second read
    of the same texts gives equal records, and an impossible day is refused every time."""
    from tracker.requirements_engine import records as module
    from tracker.requirements_engine.records import parse_records

    entry = {"id": "x1", "start": "2031-03-03", "end": "2031-03-07", "hours": 40,
             "category": "financial-planning", "status": "approved"}  # fmt: skip
    module._SPANS.pop(("2031-03-03", "2031-03-07"), None)
    first = parse_records({"experience": [entry]}).experience
    assert ("2031-03-03", "2031-03-07") in module._SPANS
    again = parse_records({"experience": [{**entry, "id": "x2"}]}).experience
    assert [(r.start, r.end, r.start_ord, r.end_ord, r.rate) for r in first] == [
        (r.start, r.end, r.start_ord, r.end_ord, r.rate) for r in again
    ]
    bad = {**entry, "id": "x3", "start": "2031-02-30", "end": "2031-03-02"}
    for _ in range(2):
        with pytest.raises(RecordsError) as caught:
            parse_records({"experience": [bad]})
        assert caught.value.problems[0].field == "start"
    assert ("2031-02-30", "2031-03-02") not in module._SPANS


# --- typed entries (entry_record): what a caller holding plain rows hands the engine --------

ENTRY_FIELDS = ("start", "end", "hours", "category", "source", "supervised", "status", "planned")
ENTRY_DEFAULTS = {"category": "", "source": "", "supervised": False, "planned": False}


def _typed(item: dict[str, Any]) -> Any:
    from tracker.requirements_engine import entry_record

    fields = {**ENTRY_DEFAULTS, **item}
    return entry_record(item["id"], *(fields.get(name) for name in ENTRY_FIELDS))


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(c[1]["experience"][0], id=c[0])
        for c in BAD
        if isinstance(c[1].get("experience"), list) and isinstance(c[1]["experience"][0], dict)
    ],
)
def test_entry_record_refuses_every_bad_entry(item: dict[str, Any]) -> None:
    """None: the caller passes the JSON object, and parse_records names the field."""
    assert _typed(item) is None


_ISO_DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat)


@settings(max_examples=200, deadline=None)
@given(
    start=st.one_of(_ISO_DAYS, st.just("2024-02-30"), st.just("3/4/2024"), st.none()),
    length=st.integers(min_value=-3, max_value=400),
    hours=st.one_of(
        st.floats(min_value=-1, max_value=10_000), st.integers(-1, 10_000), st.just(float("nan")),
        st.just("8"), st.none(),
    ),
    status=st.sampled_from(["approved", "pending", "rejected", "withdrawn", "ok", None]),
    category=st.one_of(st.sampled_from(["", "financial-planning"]), st.just(3)),
    supervised=st.sampled_from([True, False, None, 1]),
    planned=st.sampled_from([True, False, None]),
)  # fmt: skip
def test_entry_record_is_what_the_checked_parser_makes_of_the_same_entry(
    start: str | None, length: int, hours: Any, status: Any, category: Any, supervised: Any,
    planned: Any,
) -> None:  # fmt: skip
    """entry_record is the fast path of parse_records; the field-by-field checks
    (_entry_checked, which names the problem) are the reference it must agree with."""
    from tracker.requirements_engine.records import _Bad, _entry_checked, parse_records

    end = start
    if start is not None and len(start) == 10 and start != "2024-02-30":
        end = (date.fromisoformat(start) + timedelta(days=length)).isoformat()
    item = {"id": "x1", "start": start, "end": end, "hours": hours, "status": status,
            "category": category, "supervised": supervised, "planned": planned}  # fmt: skip
    typed = _typed(item)
    try:
        checked = _entry_checked(item, "x1")
    except _Bad:
        assert typed is None
        with pytest.raises(RecordsError):
            parse_records({"experience": [item]})
        return
    assert typed is None or typed == checked
    assert parse_records({"experience": [item]}, planned=True).experience == (checked,)
    if typed is not None:
        # Given typed, parse_records keeps the record as it is.
        assert parse_records({"experience": [typed]}, planned=True).experience == (typed,)


def test_typed_entries_evaluate_as_their_json_and_are_still_checked() -> None:
    from tracker.requirements_engine.records import parse_records

    d = define({"id": "work", "hours": {"min": 100}})
    items = [entry("x1", "2024-01-01", "2024-01-31", 60),
             entry("x2", "2024-02-01", "2024-02-29", 50, status="pending"),
             entry("x3", "2024-03-01", "2024-03-31", 70, planned=True)]  # fmt: skip
    typed = [_typed(item) for item in items]
    assert None not in typed
    for planned in (False, True):
        as_json = run(d, {"experience": items}, planned=planned)
        assert run(d, {"experience": typed}, planned=planned) == as_json
        # Mixed with JSON objects too (a what-if adds planned entries as JSON).
        assert run(d, {"experience": [typed[0], items[1], typed[2]]}, planned=planned) == as_json
    # Planned typed entries are left out unless asked for, as planned JSON ones are.
    assert [r.id for r in parse_records({"experience": typed}).experience] == ["x1", "x2"]
    with pytest.raises(RecordsError) as caught:
        validate_records({"experience": [typed[0], {**items[0]}]})
    assert (caught.value.record_id, caught.value.field) == ("x1", "id")
    assert "duplicate" in caught.value.reason
