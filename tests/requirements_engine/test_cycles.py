"""Renewal cycles (contract 6.4): consecutive, non-overlapping cycles; evidence counts once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from engine_builders import course, define, entry, exam, find, reasons, run
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.requirements_engine import DefinitionError, parse_definition
from tracker.requirements_engine.dates import cycle_holding

D = date.fromisoformat

# --- the calendar of cycles ------------------------------------------------------------

CYCLES = [
    # (id, first, months, month_end, day, (start, end))
    ("contract-example-first", "2020-03-15", 24, True, "2022-03-31", ("2020-03-15", "2022-03-31")),
    ("contract-example-second", "2020-03-15", 24, True, "2022-04-01", ("2022-04-01", "2024-03-31")),
    ("contract-example-third", "2020-03-15", 24, True, "2024-04-01", ("2024-04-01", "2026-03-31")),
    (
        "plain-ends-the-day-before",
        "2020-03-15",
        24,
        False,
        "2022-03-14",
        ("2020-03-15", "2022-03-14"),
    ),
    (
        "plain-next-starts-on-the-day",
        "2020-03-15",
        24,
        False,
        "2022-03-15",
        ("2022-03-15", "2024-03-14"),
    ),
    ("ends-on-29-february", "2019-03-01", 12, False, "2020-02-29", ("2019-03-01", "2020-02-29")),
    ("after-29-february", "2019-03-01", 12, False, "2020-03-01", ("2020-03-01", "2021-02-28")),
    (
        "month-end-ends-on-29-february",
        "2019-02-10",
        12,
        True,
        "2020-02-29",
        ("2019-02-10", "2020-02-29"),
    ),
    ("clamped-start-31-to-29", "2020-01-31", 1, False, "2020-02-29", ("2020-02-29", "2020-03-30")),
    (
        "clamped-start-back-to-31",
        "2020-01-31",
        1,
        False,
        "2020-03-31",
        ("2020-03-31", "2020-04-29"),
    ),
    (
        "clamped-first-cycle-ends-28",
        "2020-01-31",
        1,
        False,
        "2020-01-31",
        ("2020-01-31", "2020-02-28"),
    ),
    (
        "month-end-from-31-january",
        "2020-01-31",
        1,
        True,
        "2020-02-15",
        ("2020-01-31", "2020-02-29"),
    ),
    (
        "month-end-then-whole-months",
        "2020-01-31",
        1,
        True,
        "2020-03-31",
        ("2020-03-01", "2020-03-31"),
    ),
    (
        "from-29-february-clamped",
        "2020-02-29",
        12,
        False,
        "2021-03-01",
        ("2021-02-28", "2022-02-27"),
    ),
    (
        "from-29-february-back-in-leap-year",
        "2020-02-29",
        12,
        False,
        "2024-03-01",
        ("2024-02-29", "2025-02-27"),
    ),
    (
        "day-before-the-first-cycle",
        "2020-06-01",
        12,
        False,
        "2020-01-01",
        ("2020-06-01", "2021-05-31"),
    ),
]


@pytest.mark.parametrize(
    ("first", "months", "at_month_end", "day", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in CYCLES],
)
def test_cycle_holding(
    first: str, months: int, at_month_end: bool, day: str, expected: tuple
) -> None:
    start, end = cycle_holding(D(first), months, at_month_end, D(day))
    assert (start.isoformat(), end.isoformat()) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=1, max_value=60),
    st.booleans(),
    st.integers(min_value=0, max_value=4000),
)
def test_cycles_are_consecutive_and_never_overlap(
    first: date, months: int, at_month_end: bool, offset: int
) -> None:
    day = first + timedelta(days=offset)
    start, end = cycle_holding(first, months, at_month_end, day)
    assert start <= day <= end
    assert start >= first
    if start > first:
        assert cycle_holding(first, months, at_month_end, start - timedelta(days=1))[
            1
        ] == start - timedelta(days=1)
    after = cycle_holding(first, months, at_month_end, end + timedelta(days=1))
    assert after[0] == end + timedelta(days=1)
    if at_month_end:
        assert (end + timedelta(days=1)).day == 1


# --- evaluation ------------------------------------------------------------------------

EXAM = {"id": "cert", "exam": {"code": "X"}}
PASS = exam("e1", "X", "2020-03-15")
CYCLE = {"cycle_months": 24, "from": "cert", "month_end": True}


def ce(spec_window: dict[str, Any] | None = None, **spec: Any) -> Any:
    window = spec_window or CYCLE
    return define(
        EXAM,
        {"id": "ce", "courses": {"min_credits": 30, "window": window, **spec}},
        {"id": "h", "hours": {"min": 30, "window": window}},
    )


def test_nodes_carry_the_current_cycle_and_are_due_at_its_end() -> None:
    result = run(ce(), {"exams": [PASS]}, "2023-01-01")
    for node_id in ("ce", "h"):
        node = find(result, node_id)
        assert node["cycle"] == {"start": "2022-04-01", "end": "2024-03-31"}
        assert node["due"] == "2024-03-31"
        assert node["status"] == "not_started"
        assert node["detail"].endswith("; current cycle 2022-04-01 to 2024-03-31")


def test_a_course_on_the_last_day_of_a_cycle_counts_in_that_cycle_only() -> None:
    records = {"exams": [PASS], "courses": [course("c1", "2022-03-31", credits=30)]}
    first = find(run(ce(), records, "2022-03-31"), "ce")
    assert (first["status"], first["met_on"], first["evidence"]) == ("met", "2022-03-31", ["c1"])
    second = find(run(ce(), records, "2022-04-01"), "ce")
    assert (second["status"], second["evidence"]) == ("not_started", [])
    assert reasons(second) == {"c1": "outside_window"}


def test_an_entry_straddling_two_cycles_counts_its_days_in_each_once() -> None:
    # 10 hours a day from 2022-03-30 to 2022-04-02: 2 days in each cycle.
    records = {"exams": [PASS], "experience": [entry("x", "2022-03-30", "2022-04-02", 40)]}
    first = find(run(ce(), records, "2022-03-31"), "h")
    second = find(run(ce(), records, "2024-03-31"), "h")
    assert (first["counted_hours"], second["counted_hours"]) == (20.0, 20.0)
    assert first["evidence"] == second["evidence"] == ["x"]
    third = find(run(ce(), records, "2024-04-01"), "h")
    assert (third["counted_hours"], reasons(third)) == (0.0, {"x": "outside_window"})


def test_nothing_carries_over() -> None:
    records = {"exams": [PASS], "courses": [course("c1", "2021-06-01", credits=45)]}
    assert find(run(ce(), records, "2022-03-31"), "ce")["status"] == "met"
    later = find(run(ce(), records, "2022-05-01"), "ce")
    assert (later["status"], later["progress"]) == ("not_started", 0.0)


def test_while_the_from_node_is_not_met_nothing_counts_and_there_is_no_cycle() -> None:
    records = {
        "courses": [course("c1", "2022-01-01", credits=30)],
        "experience": [
            entry("x", "2022-01-01", "2022-01-10", 40),
            entry("p", "2022-01-01", "2022-01-10", 40, status="pending"),
        ],
    }
    result = run(ce(), records, "2023-01-01")
    for node_id in ("ce", "h"):
        node = find(result, node_id)
        assert (node["status"], node["cycle"], node["due"]) == ("not_started", None, None)
        assert "the first cycle starts once X exam passed is met" in node["detail"]
    assert reasons(find(result, "ce")) == {"c1": "outside_window"}
    hours = find(result, "h")
    assert reasons(hours) == {"x": "outside_window", "p": "pending"}
    assert (hours["counted_hours"], hours["pending_hours"], hours["by_year"]) == (0.0, 0.0, [])


def test_a_not_applicable_cycle_node_has_no_cycle() -> None:
    d = define(
        EXAM,
        {"id": "h", "pathway": "b", "hours": {"min": 30, "window": CYCLE}},
        pathways={"a": "A", "b": "B"},
    )
    node = find(run(d, {"exams": [PASS]}), "h")
    assert (node["status"], node["cycle"]) == ("not_applicable", None)


def test_plain_cycles_and_polish_detail() -> None:
    window = {"cycle_months": 12, "from": "cert"}
    records = {"exams": [PASS], "experience": [entry("x", "2021-03-14", "2021-03-15", 20)]}
    node = find(run(ce(window), records, "2021-03-15", lang="pl"), "h")
    assert node["cycle"] == {"start": "2021-03-15", "end": "2022-03-14"}
    assert node["detail"] == (
        "10 godzin z wymaganych 30; bieżący okres rozliczeniowy 2021-03-15 – 2022-03-14"
    )


# --- loading ---------------------------------------------------------------------------


def base(window: Any, **node: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "name": "T",
        "version": "1",
        "requirements": [EXAM, {"id": "h", "hours": {"min": 30, "window": window}, **node}],
    }


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        (base({"from": "cert"}), "requirements[1].hours.window.cycle_months", "is required"),
        (base({"cycle_months": 12}), "requirements[1].hours.window.from", "is required"),
        (
            base({"cycle_months": 12, "from": "nope"}),
            "requirements[1].hours.window.from",
            "not a node id",
        ),
        (
            base({"cycle_months": 0, "from": "cert"}),
            "requirements[1].hours.window.cycle_months",
            "at least 1",
        ),
        (
            base({"cycle_months": 1.5, "from": "cert"}),
            "requirements[1].hours.window.cycle_months",
            "whole number",
        ),
        (
            base({"cycle_months": 12, "from": "cert", "month_end": "yes"}),
            "requirements[1].hours.window.month_end",
            "true or false",
        ),
        (
            base({"cycle_months": 12, "from": "cert", "last_years": 2}),
            "requirements[1].hours.window",
            "cannot be combined with last_years",
        ),
        (base({"cycle_months": 12, "from": "h"}), "requirements[1]", "circular reference"),
        (
            base({"cycle_months": 12, "from": "cert"}, due={"after": "cert", "years": 1}),
            "requirements[1].due",
            "due at the end of its cycle",
        ),
        (
            {
                "id": "t",
                "name": "T",
                "version": "1",
                "requirements": [
                    EXAM,
                    {
                        "id": "h",
                        "hours": {
                            "min": 900,
                            "max_per_week": 5,
                            "window": {"cycle_months": 24, "from": "cert"},
                        },
                    },
                ],
            },
            "requirements[1].hours.min",
            "in a 24-month cycle",
        ),
    ],
)
def test_bad_cycles_are_load_errors(data: dict, path: str, reason: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    assert any(p.path == path and reason in p.reason for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]


# --- no record and no day ever counts in two cycles -------------------------------------

START = date(2018, 1, 1)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=0, max_value=700),
    st.integers(min_value=1, max_value=30),
    st.booleans(),
    st.lists(st.tuples(st.integers(0, 2500), st.integers(1, 90)), max_size=5),
    st.lists(st.integers(0, 2500), max_size=5),
)
def test_no_record_or_day_counts_in_two_cycles(
    first_offset: int, months: int, at_month_end: bool, spans: list, course_days: list
) -> None:
    first = START + timedelta(days=first_offset)
    window = {"cycle_months": months, "from": "cert", "month_end": at_month_end}
    d = define(
        EXAM,
        {"id": "ce", "courses": {"min_count": 100, "window": window}},
        {"id": "h", "hours": {"min": 700 * months, "window": window}},
    )

    def day(n: int) -> str:
        return (START + timedelta(days=n)).isoformat()

    records = {
        "exams": [exam("e1", "X", first.isoformat())],
        "experience": [entry(f"x{i}", day(s), day(s + n - 1), n) for i, (s, n) in enumerate(spans)],
        "courses": [course(f"c{i}", day(n)) for i, n in enumerate(course_days)],
    }
    horizon = START + timedelta(days=2600)
    as_of = first
    counted = 0.0
    seen: dict[str, int] = {}
    previous_end: date | None = None
    while as_of <= horizon:
        result = run(d, records, as_of)
        cycle = find(result, "h")["cycle"]
        start, end = D(cycle["start"]), D(cycle["end"])
        assert start == (previous_end + timedelta(days=1) if previous_end else first)
        assert find(result, "ce")["cycle"] == cycle
        # Evaluate on the cycle's last day: the whole cycle is counted.
        closing = run(d, records, end)
        counted += find(closing, "h")["counted_hours"]
        for cid in find(closing, "ce")["evidence"]:
            seen[cid] = seen.get(cid, 0) + 1
        previous_end, as_of = end, end + timedelta(days=1)
    assert previous_end is not None
    # One hour a day: the hours of the days from the first cycle to the last cycle's end.
    expected = sum(
        max(
            0,
            (
                min(START + timedelta(days=s + n - 1), previous_end)
                - max(START + timedelta(days=s), first)
            ).days
            + 1,
        )
        for s, n in spans
    )
    assert counted == pytest.approx(expected, abs=1e-6)
    for i, n in enumerate(course_days):
        when = START + timedelta(days=n)
        assert seen.get(f"c{i}", 0) == (1 if first <= when <= previous_end else 0)
