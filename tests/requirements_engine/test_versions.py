"""Rules versions (contract 6.1): several versions per id, effective dates, pins, ID@VERSION."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from engine_builders import define, exam, find, run

from tracker.requirements_engine import (
    DefinitionError,
    Library,
    RecordsError,
    VersionError,
    load_directory,
    load_library,
    parse_definition,
)

ROOT = Path(__file__).resolve().parents[2]


def version_text(version: str, effective: str | None, *codes: str, cred: str = "cfa") -> str:
    lines = [f"id: {cred}", f"name: CFA {version}", f"version: '{version}'"]
    if effective is not None:
        lines.append(f"effective_from: {effective}")
    lines.append("requirements:")
    for code in codes:
        lines += [f"  - id: {code.lower()}", f"    exam: {{code: {code}}}"]
    return "\n".join(lines) + "\n"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    write(tmp_path, "cfa-2020.yaml", version_text("2020", "2020-01-01", "A"))
    write(tmp_path, "cfa-2024.yaml", version_text("2024", "'2024-01-01'", "A", "B"))
    write(
        tmp_path,
        "cfp.yaml",
        "id: cfp\nname: CFP\nversion: '1'\nrequirements:\n"
        "  - id: charter\n    credential: {id: cfa}\n",
    )
    return tmp_path


# --- loading ---------------------------------------------------------------------------


def test_a_directory_may_hold_several_versions_of_one_id(versions: Path) -> None:
    library = load_library(versions)
    assert [d.version for d in library.versions("cfa")] == ["2020", "2024"]
    assert library.versions("cfa")[0].effective_from == date(2020, 1, 1)
    assert library.versions("cfa")[1].effective_from == date(2024, 1, 1)
    assert library.ids() == ["cfa", "cfp"]
    assert len(library) == 3
    assert "cfa" in library and "nope" not in library
    newest = load_directory(versions)
    assert sorted(newest) == ["cfa", "cfp"]
    assert newest["cfa"].version == "2024"


@pytest.mark.parametrize(
    ("first", "second", "path", "reason"),
    [
        (
            version_text("2024", None, "A"),
            version_text("2024", "2025-01-01", "B"),
            "id",
            "duplicate credential id 'cfa' version '2024'",
        ),
        (
            version_text("2020", "2020-01-01", "A"),
            version_text("2021", "2020-01-01", "B"),
            "effective_from",
            "both take effect from 2020-01-01",
        ),
        (
            version_text("2020", None, "A"),
            version_text("2021", None, "B"),
            "version",
            "both take effect from the beginning",
        ),
    ],
)
def test_clashing_versions_are_a_load_error_naming_both_files(
    tmp_path: Path, first: str, second: str, path: str, reason: str
) -> None:
    one = write(tmp_path, "a-cfa.yaml", first)
    two = write(tmp_path, "cfa.yaml", second)
    for load in (load_library, load_directory):
        with pytest.raises(DefinitionError) as caught:
            load(tmp_path)
        problems = caught.value.problems
        assert {p.file for p in problems} == {str(one), str(two)}
        for problem in problems:
            other = two if problem.file == str(one) else one
            assert problem.path == path and reason in problem.reason
            assert str(other) in problem.reason


def test_same_id_and_version_in_a_second_file_never_replaces_the_first(tmp_path: Path) -> None:
    # a-cfp.yaml sorts before cfp.yaml; neither may silently win.
    write(tmp_path, "a-cfp.yaml", version_text("2024", None, "A", cred="cfp"))
    write(tmp_path, "cfp.yaml", version_text("2024", None, "B", cred="cfp"))
    with pytest.raises(DefinitionError, match="a-cfp.yaml"):
        load_directory(tmp_path)


@pytest.mark.parametrize("value", ["2024-13-01", "soon", 2024, "2024-1-1"])
def test_effective_from_must_be_a_date(value: object) -> None:
    data = {"id": "t", "name": "T", "version": "1", "effective_from": value}
    data["requirements"] = [{"id": "e", "exam": {"code": "X"}}]
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "t.yaml")
    (problem,) = caught.value.problems
    assert (problem.path, problem.file) == ("effective_from", "t.yaml")
    assert "must be a date" in problem.reason


def test_effective_from_accepts_yaml_dates_and_text() -> None:
    data: dict[str, Any] = {"id": "t", "name": "T", "version": "1"}
    data["requirements"] = [{"id": "e", "exam": {"code": "X"}}]
    assert parse_definition({**data, "effective_from": date(2024, 1, 1)}).effective_from == date(
        2024, 1, 1
    )
    assert parse_definition({**data, "effective_from": "2024-01-01"}).effective_from == date(
        2024, 1, 1
    )
    assert parse_definition(data).effective_from is None


# --- the Library API -------------------------------------------------------------------


def test_library_get_and_current(versions: Path) -> None:
    library = load_library(versions)
    assert library.get("cfa", "2020").version == "2020"
    assert library.get("cfa").version == "2024"
    assert library.get("cfa", on=date(2023, 12, 31)).version == "2020"
    assert library.get("cfa", on=date(2024, 1, 1)).version == "2024"
    assert library.get("cfa", "2024", on=date(2020, 6, 1)).version == "2024"
    assert {k: d.version for k, d in library.current(date(2022, 1, 1)).items()} == {
        "cfa": "2020",
        "cfp": "1",
    }
    assert set(library.current(date(2019, 1, 1))) == {"cfp"}
    with pytest.raises(
        VersionError, match=r"cfa@2019 is not loaded \(loaded versions: 2020, 2024\)"
    ):
        library.get("cfa", "2019")
    with pytest.raises(VersionError, match="no version of 'cfa' is in effect on 2019-12-31"):
        library.get("cfa", on=date(2019, 12, 31))
    with pytest.raises(VersionError, match="no credential 'nope' is loaded"):
        library.get("nope")


def test_library_rejects_clashing_versions() -> None:
    one = parse_definition(
        {
            "id": "x",
            "name": "X",
            "version": "1",
            "requirements": [{"id": "e", "exam": {"code": "X"}}],
        },
        "one.yaml",
    )
    two = parse_definition(
        {
            "id": "x",
            "name": "X",
            "version": "1",
            "requirements": [{"id": "e", "exam": {"code": "Y"}}],
        },
        "two.yaml",
    )
    with pytest.raises(DefinitionError, match="duplicate credential id 'x' version '1'"):
        Library([one, two])


# --- evaluation ------------------------------------------------------------------------

ONLY_A = {"exams": [exam("ea", "A", "2019-05-01")]}


@pytest.mark.parametrize(
    ("as_of", "records", "status", "detail"),
    [
        ("2023-06-01", ONLY_A, "met", "CFA 2020"),
        ("2025-06-01", ONLY_A, "in_progress", "Requirements of CFA 2024: 1 of 2 met"),
        ("2025-06-01", {**ONLY_A, "versions": {"cfa": "2020"}}, "met", "CFA 2020"),
        ("2023-06-01", {**ONLY_A, "versions": {"cfa": "2024"}}, "in_progress", "CFA 2024"),
        ("2025-06-01", {**ONLY_A, "versions": {"cfa": 2020}}, "met", "CFA 2020"),
    ],
)
def test_credential_nodes_evaluate_the_current_or_pinned_version(
    versions: Path, as_of: str, records: dict, status: str, detail: str
) -> None:
    library = load_library(versions)
    result = run(library.get("cfp"), records, as_of, catalog=library)
    node = find(result, "charter")
    assert node["status"] == status
    assert detail in node["detail"]


def test_a_reference_before_any_version_is_in_effect_is_not_loaded(versions: Path) -> None:
    library = load_library(versions)
    node = find(run(library.get("cfp"), ONLY_A, "2019-06-01", catalog=library), "charter")
    assert (node["status"], node["detail"]) == ("not_started", "No Holds cfa on record")


def test_pinning_a_version_that_is_not_loaded_is_bad_input(versions: Path) -> None:
    library = load_library(versions)
    with pytest.raises(RecordsError) as caught:
        run(library.get("cfp"), {**ONLY_A, "versions": {"cfa": "2019"}}, catalog=library)
    assert (caught.value.kind, caught.value.record_id) == ("versions", "cfa")
    assert "cfa@2019 is not loaded (loaded versions: 2020, 2024)" in caught.value.reason


def test_a_pin_for_the_credential_being_checked_is_ignored(versions: Path) -> None:
    library = load_library(versions)
    records = {**ONLY_A, "versions": {"cfp": "9", "cfa": "2020"}}
    result = run(library.get("cfp"), records, "2025-06-01", catalog=library)
    assert (result["version"], result["status"]) == ("1", "met")


def test_pins_for_credentials_not_referenced_are_ignored(versions: Path) -> None:
    library = load_library(versions)
    result = run(
        library.get("cfa", "2020"), {**ONLY_A, "versions": {"other": "1"}}, catalog=library
    )
    assert result["status"] == "met"


def test_a_mapping_catalog_holds_one_version_to_pin() -> None:
    cfa = parse_definition(
        {
            "id": "cfa",
            "name": "CFA",
            "version": "2024",
            "requirements": [{"id": "a", "exam": {"code": "A"}}],
        }
    )
    d = define({"id": "k", "credential": {"id": "cfa"}})
    ok = run(d, {**ONLY_A, "versions": {"cfa": "2024"}}, catalog={"cfa": cfa})
    assert find(ok, "k")["status"] == "met"
    with pytest.raises(RecordsError, match="cfa@2020 is not loaded"):
        run(d, {**ONLY_A, "versions": {"cfa": "2020"}}, catalog={"cfa": cfa})
    with pytest.raises(RecordsError, match=r"cfa@2020 is not loaded \(loaded versions: none\)"):
        run(d, {**ONLY_A, "versions": {"cfa": "2020"}})


@pytest.mark.parametrize(
    ("versions_value", "record_id", "reason"),
    [
        (["cfa"], None, "must be an object"),
        ({"CFA!": "1"}, "CFA!", "is not a credential id"),
        ({"cfa": ""}, "cfa", "must be text"),
        ({"cfa": None}, "cfa", "must be text"),
    ],
)
def test_bad_version_pins_are_records_errors(
    versions_value: object, record_id: str | None, reason: str
) -> None:
    with pytest.raises(RecordsError) as caught:
        run(define({"id": "e", "exam": {"code": "X"}}), {"versions": versions_value})
    assert (caught.value.kind, caught.value.record_id) == ("versions", record_id)
    assert reason in caught.value.reason


# --- command line ----------------------------------------------------------------------


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker.requirements_engine", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def records_file(tmp_path: Path) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(ONLY_A), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("reference", "as_of", "version"),
    [
        ("cfa", "2023-06-01", "2020"),
        ("cfa", "2025-06-01", "2024"),
        ("cfa@2020", "2025-06-01", "2020"),
        ("cfa@2024", "2021-06-01", "2024"),
    ],
)
def test_cli_check_id_and_id_at_version(
    versions: Path, records_file: Path, reference: str, as_of: str, version: str
) -> None:
    proc = cli(
        "check",
        reference,
        str(records_file),
        "--as-of",
        as_of,
        "--json",
        "--credentials-dir",
        str(versions),
        cwd=versions,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["version"] == version


@pytest.mark.parametrize(
    ("reference", "as_of", "message"),
    [
        (
            "cfa@1999",
            "2025-06-01",
            "cfa@1999: cfa@1999 is not loaded (loaded versions: 2020, 2024)",
        ),
        (
            "cfa",
            "2019-06-01",
            "no version of 'cfa' is in effect on 2019-06-01 (the first, 2020, takes effect 2020-01-01)",
        ),
        ("nope@1", "2025-06-01", "no credential 'nope'"),
    ],
)
def test_cli_bad_versions_exit_2_naming_them(
    versions: Path, records_file: Path, reference: str, as_of: str, message: str
) -> None:
    proc = cli(
        "check",
        reference,
        str(records_file),
        "--as-of",
        as_of,
        "--credentials-dir",
        str(versions),
        cwd=versions,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert message in proc.stderr


def test_cli_pinned_version_not_loaded_exits_2(versions: Path, tmp_path: Path) -> None:
    records = tmp_path / "pinned.json"
    records.write_text(json.dumps({**ONLY_A, "versions": {"cfa": "1999"}}), encoding="utf-8")
    proc = cli(
        "check",
        "cfp",
        str(records),
        "--as-of",
        "2025-06-01",
        "--credentials-dir",
        str(versions),
        cwd=versions,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "cfa@1999 is not loaded" in proc.stderr


def test_cli_check_refuses_a_directory_with_a_load_error(
    versions: Path, records_file: Path
) -> None:
    write(versions, "a-cfa.yaml", version_text("2024", None, "Z"))
    proc = cli(
        "check", "cfa@2020", str(records_file), "--credentials-dir", str(versions), cwd=versions
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "duplicate credential id 'cfa' version '2024'" in proc.stderr
    assert "a-cfa.yaml" in proc.stderr and "cfa-2024.yaml" in proc.stderr
    validate = cli("validate", str(versions), cwd=versions)
    assert validate.returncode == 2
    assert f"{versions / 'a-cfa.yaml'}: 1 problem" in validate.stdout
    assert f"{versions / 'cfa-2024.yaml'}: 1 problem" in validate.stdout


def test_cli_validate_lists_every_version(versions: Path) -> None:
    proc = cli("validate", str(versions), cwd=versions)
    assert proc.returncode == 0, proc.stderr
    assert "cfa-2020.yaml: OK (cfa, version 2020)" in proc.stdout
    assert "cfa-2024.yaml: OK (cfa, version 2024)" in proc.stdout
