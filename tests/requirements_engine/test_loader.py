"""Loading definitions: every load error, with its path and reason, and the Definition API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_builders import define

from tracker.requirements_engine import (
    DefinitionError,
    EngineError,
    Problem,
    load_definition,
    load_directory,
    parse_definition,
)

EXAM = {"id": "exam", "exam": {"code": "X"}}


def base(*requirements: dict[str, Any], **top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "t", "name": "T", "version": "1"}
    data.update(top)
    data["requirements"] = list(requirements) or [dict(EXAM)]
    return data


def problems_of(data: object) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    return caught.value.problems


BAD = [
    ("not-a-mapping", ["x"], "", "must be a mapping"),
    ("missing-id", {"name": "T", "version": "1", "requirements": [EXAM]}, "id", "is required"),
    ("missing-name", {"id": "t", "version": "1", "requirements": [EXAM]}, "name", "is required"),
    ("missing-version", {"id": "t", "name": "T", "requirements": [EXAM]}, "version", "is required"),
    ("missing-requirements", {"id": "t", "name": "T", "version": "1"}, "requirements", "required"),
    ("empty-requirements", base() | {"requirements": []}, "requirements", "non-empty list"),
    ("bad-credential-id", base(id="CFP!"), "id", "not a valid id"),
    ("unknown-top-key", base(isuer="x"), "isuer", "did you mean 'issuer'"),
    ("name-wrong-type", base(name=5), "name", "must be non-empty text"),
    (
        "pathway-key-syntax",
        base(pathways={"Standard Path": "S"}),
        "pathways.Standard Path",
        "pathway key",
    ),
    ("pathways-not-mapping", base(pathways=["a"]), "pathways", "must be a mapping"),
    ("node-not-mapping", base("exam"), "requirements[0]", "must be a mapping"),
    ("top-node-without-id", base({"exam": {"code": "X"}}), "requirements[0]", "needs an id"),
    ("zero-kind-keys", base({"id": "a", "title": "A"}), "requirements[0]", "needs one kind key"),
    (
        "two-kind-keys",
        base({"id": "a", "exam": {"code": "X"}, "attestation": {"kind": "k"}}),
        "requirements[0]",
        "2 kind keys",
    ),
    (
        "unknown-node-key",
        base({"id": "a", "exam": {"code": "X"}, "titel": "A"}),
        "requirements[0].titel",
        "did you mean 'title'",
    ),
    (
        "unknown-kind-key",
        base({"id": "a", "hours": {"min": 5, "mn": 3}}),
        "requirements[0].hours.mn",
        "unknown key 'mn'",
    ),
    (
        "bad-node-id",
        base({"id": "Bad_Id", "exam": {"code": "X"}}),
        "requirements[0].id",
        "not a valid id",
    ),
    ("duplicate-id", base(EXAM, EXAM), "requirements[1].id", "duplicate id 'exam'"),
    (
        "duplicate-nested-id",
        base({"id": "a", "all": [EXAM]}, EXAM),
        "requirements[1].id",
        "duplicate id",
    ),
    (
        "unknown-before",
        base({"id": "a", "before": "nope", "exam": {"code": "X"}}),
        "requirements[0].before",
        "not a node id",
    ),
    (
        "unknown-due-after",
        base({"id": "a", "due": {"after": "exm", "years": 1}, "exam": {"code": "X"}}, EXAM),
        "requirements[0].due.after",
        "did you mean 'exam'",
    ),
    (
        "due-years-missing",
        base({"id": "a", "due": {"after": "exam"}, "exam": {"code": "X"}}, EXAM),
        "requirements[0].due.years",
        "is required",
    ),
    (
        "due-unknown-key",
        base(
            {"id": "a", "due": {"after": "exam", "years": 1, "month": 2}, "exam": {"code": "X"}},
            EXAM,
        ),
        "requirements[0].due.month",
        "unknown key",
    ),
    (
        "unknown-anchor",
        base({"id": "a", "hours": {"min": 5, "window": {"anchor": "zz", "years_after": 1}}}),
        "requirements[0].hours.window.anchor",
        "not a node id",
    ),
    (
        "unknown-pathway",
        base({"id": "a", "pathway": "fast", "exam": {"code": "X"}}, pathways={"std": "S"}),
        "requirements[0].pathway",
        "unknown pathway 'fast'",
    ),
    (
        "pathway-without-pathways",
        base({"id": "a", "pathway": "fast", "exam": {"code": "X"}}),
        "requirements[0].pathway",
        "declares no pathways",
    ),
    (
        "negative-min",
        base({"id": "a", "hours": {"min": -5}}),
        "requirements[0].hours.min",
        "must not be negative",
    ),
    (
        "zero-min",
        base({"id": "a", "hours": {"min": 0}}),
        "requirements[0].hours.min",
        "more than 0",
    ),
    (
        "non-numeric-min",
        base({"id": "a", "hours": {"min": "lots"}}),
        "requirements[0].hours.min",
        "must be a number",
    ),
    (
        "boolean-min",
        base({"id": "a", "hours": {"min": True}}),
        "requirements[0].hours.min",
        "must be a number",
    ),
    (
        "missing-min",
        base({"id": "a", "hours": {"max_per_week": 5}}),
        "requirements[0].hours.min",
        "is required",
    ),
    (
        "negative-cap",
        base({"id": "a", "hours": {"min": 5, "max_per_week": -1}}),
        "requirements[0].hours.max_per_week",
        "negative",
    ),
    (
        "weekly-cap-over-168",
        base({"id": "a", "hours": {"min": 5, "max_per_week": 200}}),
        "requirements[0].hours.max_per_week",
        "168",
    ),
    (
        "fractional-months",
        base({"id": "a", "hours": {"min": 5, "min_months": 1.5}}),
        "requirements[0].hours.min_months",
        "whole number",
    ),
    (
        "bad-status",
        base({"id": "a", "hours": {"min": 5, "status": ["approved", "maybe"]}}),
        "requirements[0].hours.status[1]",
        "not one of",
    ),
    (
        "bad-source",
        base({"id": "a", "hours": {"min": 5, "source": "volunteering"}}),
        "requirements[0].hours.source",
        "not one of",
    ),
    (
        "supervised-not-bool",
        base({"id": "a", "hours": {"min": 5, "supervised": "yes"}}),
        "requirements[0].hours.supervised",
        "true or false",
    ),
    (
        "categories-wrong-type",
        base({"id": "a", "hours": {"min": 5, "categories": {"a": 1}}}),
        "requirements[0].hours.categories",
        "list of text",
    ),
    (
        "unreachable-weekly",
        base({"id": "a", "hours": {"min": 5000, "max_per_week": 40, "window": {"last_years": 2}}}),
        "requirements[0].hours.min",
        "can never be reached",
    ),
    (
        "unreachable-yearly",
        base(
            {"id": "a", "hours": {"min": 5000, "max_per_year": 1000, "window": {"last_years": 3}}}
        ),
        "requirements[0].hours.min",
        "max_per_year",
    ),
    (
        "unreachable-days",
        base({"id": "a", "hours": {"min": 9000, "window": {"last_years": 1}}}),
        "requirements[0].hours.min",
        "24 hours a day",
    ),
    (
        "window-both-forms",
        base({"id": "a", "hours": {"min": 5, "window": {"last_years": 2, "anchor": "a"}}}),
        "requirements[0].hours.window",
        "either last_years",
    ),
    (
        "window-empty",
        base({"id": "a", "hours": {"min": 5, "window": {}}}),
        "requirements[0].hours.window",
        "needs either",
    ),
    (
        "window-anchor-alone",
        base(
            {"id": "a", "hours": {"min": 5, "window": {"anchor": "x"}}},
            {"id": "x", "exam": {"code": "X"}},
        ),
        "requirements[0].hours.window",
        "years_before",
    ),
    (
        "window-zero-years",
        base({"id": "a", "hours": {"min": 5, "window": {"last_years": 0}}}),
        "requirements[0].hours.window.last_years",
        "at least 1",
    ),
    (
        "degree-bad-level",
        base({"id": "a", "degree": {"min_level": "phd"}}),
        "requirements[0].degree.min_level",
        "not one of",
    ),
    (
        "degree-missing-level",
        base({"id": "a", "degree": {"accredited": True}}),
        "requirements[0].degree.min_level",
        "is required",
    ),
    (
        "degree-accredited-type",
        base({"id": "a", "degree": {"min_level": "master", "accredited": "yes"}}),
        "requirements[0].degree.accredited",
        "true or false",
    ),
    (
        "courses-nothing-required",
        base({"id": "a", "courses": {"provider": "p"}}),
        "requirements[0].courses",
        "needs at least one of",
    ),
    (
        "courses-negative-credits",
        base({"id": "a", "courses": {"min_credits": -3}}),
        "requirements[0].courses.min_credits",
        "negative",
    ),
    (
        "courses-zero-count",
        base({"id": "a", "courses": {"min_count": 0}}),
        "requirements[0].courses.min_count",
        "at least 1",
    ),
    (
        "courses-duplicate-topic",
        base({"id": "a", "courses": {"topics": ["tax", "tax"]}}),
        "requirements[0].courses.topics[1]",
        "listed twice",
    ),
    (
        "exam-missing-code",
        base({"id": "a", "exam": {"valid_years": 2}}),
        "requirements[0].exam.code",
        "is required",
    ),
    (
        "exam-negative-years",
        base({"id": "a", "exam": {"code": "X", "valid_years": -2}}),
        "requirements[0].exam.valid_years",
        "negative",
    ),
    (
        "exam-not-mapping",
        base({"id": "a", "exam": "CFP"}),
        "requirements[0].exam",
        "must be a mapping",
    ),
    (
        "attestation-missing-kind",
        base({"id": "a", "attestation": {}}),
        "requirements[0].attestation.kind",
        "is required",
    ),
    (
        "credential-bad-id",
        base({"id": "a", "credential": {"id": "C P A"}}),
        "requirements[0].credential.id",
        "not a valid id",
    ),
    ("all-empty", base({"id": "a", "all": []}), "requirements[0].all", "non-empty list"),
    (
        "any-not-list",
        base({"id": "a", "any": {"id": "b"}}),
        "requirements[0].any",
        "non-empty list",
    ),
    (
        "nested-bad-node",
        base({"id": "a", "all": [{"id": "b", "hours": {"min": "x"}}]}),
        "requirements[0].all[0].hours.min",
        "must be a number",
    ),
    (
        "at-least-count-too-big",
        base(
            {
                "id": "a",
                "at_least": {"count": 3, "of": [{"exam": {"code": "X"}}, {"exam": {"code": "Y"}}]},
            }
        ),
        "requirements[0].at_least.count",
        "can never be met",
    ),
    (
        "at-least-count-zero",
        base({"id": "a", "at_least": {"count": 0, "of": [{"exam": {"code": "X"}}]}}),
        "requirements[0].at_least.count",
        "at least 1",
    ),
    (
        "at-least-count-missing",
        base({"id": "a", "at_least": {"of": [{"exam": {"code": "X"}}]}}),
        "requirements[0].at_least.count",
        "is required",
    ),
    (
        "at-least-unknown-key",
        base({"id": "a", "at_least": {"count": 1, "of": [{"exam": {"code": "X"}}], "from": 1}}),
        "requirements[0].at_least.from",
        "unknown key",
    ),
    (
        "at-least-per-pathway",
        base(
            {
                "id": "a",
                "at_least": {
                    "count": 2,
                    "of": [
                        {"exam": {"code": "X"}, "pathway": "p1"},
                        {"exam": {"code": "Y"}, "pathway": "p2"},
                        {"exam": {"code": "Z"}},
                    ],
                },
            },
            pathways={"p1": "One", "p2": "Two"},
        ),
        "",
        "",
    ),
    (
        "at-least-unreachable-on-a-pathway",
        base(
            {
                "id": "a",
                "at_least": {
                    "count": 2,
                    "of": [
                        {"exam": {"code": "X"}, "pathway": "p1"},
                        {"exam": {"code": "Y"}, "pathway": "p1"},
                        {"exam": {"code": "Z"}},
                    ],
                },
            },
            pathways={"p1": "One", "p2": "Two"},
        ),
        "requirements[0].at_least.count",
        "on pathway 'p2'",
    ),
    (
        "pathway-inside-other-pathway",
        base(
            {
                "id": "a",
                "pathway": "p1",
                "all": [{"id": "b", "pathway": "p2", "exam": {"code": "X"}}],
            },
            pathways={"p1": "One", "p2": "Two"},
        ),
        "requirements[0].all[0].pathway",
        "never applies",
    ),
    (
        "self-before",
        base({"id": "a", "before": "a", "exam": {"code": "X"}}),
        "requirements[0]",
        "circular reference",
    ),
    (
        "before-cycle",
        base(
            {"id": "a", "before": "b", "exam": {"code": "X"}},
            {"id": "b", "before": "a", "exam": {"code": "Y"}},
        ),
        "",
        "circular reference: ",
    ),
    (
        "child-refers-to-ancestor",
        base(
            {
                "id": "a",
                "all": [{"id": "b", "due": {"after": "a", "years": 1}, "exam": {"code": "X"}}],
            }
        ),
        "",
        "circular reference",
    ),
]


@pytest.mark.parametrize(("data", "path", "reason"), [pytest.param(*c[1:], id=c[0]) for c in BAD])
def test_bad_definitions_name_path_and_reason(data: object, path: str, reason: str) -> None:
    if not reason:
        parse_definition(data, "t.yaml")  # valid: nothing to report
        return
    problems = problems_of(data)
    matching = [p for p in problems if reason in p.reason and (not path or p.path == path)]
    assert matching, f"no problem at {path!r} with {reason!r}: {[str(p) for p in problems]}"
    assert all(p.file == "t.yaml" for p in problems)


def test_every_problem_is_collected_before_raising() -> None:
    data = base(
        {"id": "a", "hours": {"min": -1, "mx_per_week": 3}},
        {"id": "a", "exam": {"code": "X"}, "before": "nowhere"},
        name=None,
    )
    problems = problems_of(data)
    paths = {p.path for p in problems}
    assert {"name", "requirements[0].hours.min", "requirements[0].hours.mx_per_week"} <= paths
    assert {"requirements[1].id", "requirements[1].before"} <= paths


def test_error_message_lists_one_problem_per_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(base({"id": "a", "hours": {"min": -1}}, name=None), "cfp.yaml")
    lines = str(caught.value).splitlines()
    assert "cfp.yaml: name: is required" in lines
    assert any(line.startswith("cfp.yaml: requirements[0].hours.min: ") for line in lines)
    assert isinstance(caught.value, EngineError)


def test_version_number_is_accepted_as_text() -> None:
    assert parse_definition(base(version=2024)).version == "2024"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_yaml_reports_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.yaml", "id: t\nname: T\nversion: '1'\nrequirements:\n  - id: [oops\n"
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.path.startswith("line ")
    assert "bad YAML" in problem.reason


def test_duplicate_yaml_keys_are_reported(tmp_path: Path) -> None:
    text = (
        "id: t\nname: T\nversion: '1'\nrequirements:\n  - id: a\n    exam: {code: X}\n    id: b\n"
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(write(tmp_path, "dup.yaml", text))
    assert any("given twice" in p.reason and p.path == "line 7" for p in caught.value.problems)


def test_missing_file() -> None:
    with pytest.raises(DefinitionError, match="no such file"):
        load_definition("/nonexistent/x.yaml")


def test_load_definition_keeps_the_source(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        "id: t\nname: T\nversion: '1'\nrequirements:\n  - id: a\n    exam: {code: X}\n",
    )
    assert load_definition(path).source == str(path)


def cred(cred_id: str, *refs: str) -> str:
    lines = [
        f"id: {cred_id}",
        "name: N",
        "version: '1'",
        "requirements:",
        "  - id: e",
        "    exam: {code: X}",
    ]
    for i, ref in enumerate(refs):
        lines += [f"  - id: r{i}", f"    credential: {{id: {ref}}}"]
    return "\n".join(lines) + "\n"


def test_load_directory_resolves_credentials(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", cred("a", "b", "outside"))
    write(tmp_path, "b.yml", cred("b"))
    write(tmp_path, "notes.txt", "not a definition")
    loaded = load_directory(tmp_path)
    assert sorted(loaded) == ["a", "b"]


def test_load_directory_rejects_cycles_and_duplicates(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", cred("a", "b"))
    write(tmp_path, "b.yaml", cred("b", "a"))
    write(tmp_path, "c.yaml", cred("c", "c"))
    write(tmp_path, "d.yaml", cred("a"))
    write(tmp_path, "e.yaml", "id: e\n")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path)
    problems = caught.value.problems
    cycles = [p for p in problems if "circular credential reference" in p.reason]
    assert {Path(p.file).name for p in cycles} == {"a.yaml", "b.yaml", "c.yaml"}
    assert all(p.path == "requirements[1].credential.id" for p in cycles)
    assert any(
        Path(p.file).name == "d.yaml" and "duplicate credential id 'a'" in p.reason
        for p in problems
    )
    assert any(Path(p.file).name == "e.yaml" and p.path == "name" for p in problems)


def test_load_directory_missing() -> None:
    with pytest.raises(DefinitionError, match="no such directory"):
        load_directory("/nonexistent-dir")


# --- the Definition API -----------------------------------------------------------------


def test_definition_attributes_titles_and_generated_ids() -> None:
    d = define(
        {"id": "deg", "title": "Degree", "degree": {"min_level": "master", "fields": ["Finance"]}},
        {"id": "exp", "any": [{"hours": {"min": 100}}, {"pathway": "b", "hours": {"min": 50}}]},
        {
            "id": "exams",
            "at_least": {"count": 1, "of": [{"exam": {"code": "S63"}}, {"exam": {"code": "S66"}}]},
        },
        issuer="Issuer",
        pathways={"a": "Path A", "b": "Path B"},
    )
    assert (d.id, d.name, d.issuer, d.version, d.source) == (
        "test",
        "Test credential",
        "Issuer",
        "1",
        "test.yaml",
    )
    assert list(d.pathways.items()) == [("a", "Path A"), ("b", "Path B")]
    assert [n.id for n in d.requirements] == ["deg", "exp", "exams"]
    assert d.node_titles() == {
        "deg": "Degree",
        "exp": "One of the following",
        "exp.1": "100 hours of experience",
        "exp.2": "50 hours of experience",
        "exams": "At least 1 of the following",
        "exams.1": "S63 exam passed",
        "exams.2": "S66 exam passed",
    }


def test_vocabulary() -> None:
    d = define(
        {"id": "e", "exam": {"code": "CFP"}},
        {"id": "a", "attestation": {"kind": "ethics"}},
        {"id": "h", "hours": {"min": 5, "categories": ["planning", "advice"]}},
        {"id": "c", "courses": {"provider": ["p1", "p2"], "topics": ["tax", "estate"]}},
        {"id": "c2", "courses": {"provider": "p1", "topics": ["tax"]}},
        {"id": "k", "credential": {"id": "cpa"}},
    )
    assert d.vocabulary() == {
        "exam_codes": ["CFP"],
        "attestation_kinds": ["ethics"],
        "categories": ["planning", "advice"],
        "topics": ["tax", "estate"],
        "providers": ["p1", "p2"],
        "credential_ids": ["cpa"],
    }
