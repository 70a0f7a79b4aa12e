"""The command line, run as a subprocess: exit codes, stdout empty on error, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DEFINITION = """\
id: demo
name: Demo credential
version: "1"
pathways:
  standard: Standard
  fast: Fast
requirements:
  - id: exam
    exam: {code: X}
  - id: experience
    hours: {min: 100, max_per_week: 40}
  - id: fast-only
    pathway: fast
    attestation: {kind: ethics}
  - id: other
    credential: {id: helper}
"""

HELPER = 'id: helper\nname: Helper\nversion: "1"\nrequirements:\n  - id: e\n    exam: {code: H}\n'

RECORDS = {
    "pathway": "standard",
    "exams": [{"id": "e1", "code": "X", "taken_on": "2024-03-10", "passed": True}],
    "experience": [
        {"id": "x1", "start": "2024-01-01", "end": "2024-01-28", "hours": 160, "status": "approved"}
    ],
}


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
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
def files(tmp_path: Path) -> dict[str, Path]:
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "demo.yaml").write_text(DEFINITION, encoding="utf-8")
    (creds / "helper.yaml").write_text(HELPER, encoding="utf-8")
    records = tmp_path / "records.json"
    records.write_text(json.dumps(RECORDS), encoding="utf-8")
    return {"dir": creds, "definition": creds / "demo.yaml", "records": records, "tmp": tmp_path}


def test_check_prints_a_tree(files: dict[str, Path]) -> None:
    proc = cli("check", str(files["definition"]), str(files["records"]), "--as-of", "2024-06-01")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "Demo credential" in proc.stdout
    assert "✔ met" in proc.stdout and "– not applicable" in proc.stdout
    assert "160 of 100 hours" in proc.stdout


def test_check_json_by_credential_id_with_catalog(files: dict[str, Path]) -> None:
    records = dict(
        RECORDS,
        exams=[
            *RECORDS["exams"],
            {"id": "e2", "code": "H", "taken_on": "2023-01-01", "passed": True},
        ],
    )
    path = files["tmp"] / "r2.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    proc = cli(
        "check",
        "demo",
        str(path),
        "--as-of",
        "2024-06-01",
        "--json",
        "--credentials-dir",
        str(files["dir"]),
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["credential"] == "demo"
    assert result["status"] == "met"
    assert result["met_on"] == "2024-03-10"
    experience = result["requirements"][1]
    assert experience["counted_hours"] == 160.0
    assert experience["met_on"] == "2024-01-18"


def test_check_pathway_option(files: dict[str, Path]) -> None:
    proc = cli(
        "check",
        str(files["definition"]),
        str(files["records"]),
        "--as-of",
        "2024-06-01",
        "--json",
        "--pathway",
        "fast",
    )
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["pathway"] == "fast"


def test_check_defaults_to_today(files: dict[str, Path]) -> None:
    proc = cli("check", str(files["definition"]), str(files["records"]), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["as_of"] >= "2024-06-01"


def bad_json(files: dict[str, Path], text: str) -> str:
    path = files["tmp"] / "bad.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown-file", "no such file"),
        ("unknown-id", "no credential 'nope'"),
        ("bad-yaml", "bad YAML"),
        ("bad-definition", "requirements[0].hours.min"),
        ("bad-json", "bad JSON at line 1"),
        ("json-not-object", "must be a JSON object"),
        ("bad-records", "x9"),
        ("missing-records", "no such file"),
        ("bad-date", "--as-of"),
        ("unknown-pathway", "unknown pathway 'slow'"),
        ("no-arguments", "python -m tracker.requirements_engine"),
    ],
)
def test_check_bad_input_exits_2_with_empty_stdout(
    files: dict[str, Path], case: str, message: str
) -> None:
    definition, records = str(files["definition"]), str(files["records"])
    extra: list[str] = ["--as-of", "2024-06-01"]
    if case == "unknown-file":
        definition = str(files["tmp"] / "missing.yaml")
    elif case == "unknown-id":
        definition = "nope"
        extra += ["--credentials-dir", str(files["dir"])]
    elif case == "bad-yaml":
        definition = str(files["tmp"] / "bad.yaml")
        Path(definition).write_text("id: [unclosed\n", encoding="utf-8")
    elif case == "bad-definition":
        definition = str(files["tmp"] / "bad.yaml")
        Path(definition).write_text(
            'id: b\nname: B\nversion: "1"\nrequirements:\n  - id: h\n    hours: {min: -1}\n',
            encoding="utf-8",
        )
    elif case == "bad-json":
        records = bad_json(files, "{not json")
    elif case == "json-not-object":
        records = bad_json(files, "[1, 2]")
    elif case == "bad-records":
        records = bad_json(
            files,
            json.dumps(
                {
                    "experience": [
                        {
                            "id": "x9",
                            "start": "2024-02-01",
                            "end": "2024-01-01",
                            "hours": 1,
                            "status": "approved",
                        }
                    ]
                }
            ),
        )
    elif case == "missing-records":
        records = str(files["tmp"] / "none.json")
    elif case == "bad-date":
        extra = ["--as-of", "2024-02-30"]
    elif case == "unknown-pathway":
        extra += ["--pathway", "slow"]
    args = [] if case == "no-arguments" else ["check", definition, records, *extra]
    proc = cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_directory_and_files(files: dict[str, Path]) -> None:
    proc = cli("validate", str(files["dir"]), str(files["definition"]))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 3
    assert all(": OK" in line for line in lines)


def test_validate_reports_every_problem(files: dict[str, Path]) -> None:
    bad = files["dir"] / "zz-bad.yaml"
    bad.write_text(
        'id: demo\nname: B\nversion: "1"\nrequirements:\n  - id: h\n    hours: {min: -1, mx: 2}\n',
        encoding="utf-8",
    )
    proc = cli("validate", str(files["dir"]))
    assert proc.returncode == 2
    assert f"{bad}: 2 problems" in proc.stdout
    assert f"{files['definition']}: OK" in proc.stdout
    assert f"{bad}: requirements[0].hours.min: must not be negative" in proc.stderr
    assert f"{bad}: requirements[0].hours.mx: unknown key 'mx'" in proc.stderr
    missing = cli("validate", str(files["tmp"] / "nothing.yaml"))
    assert missing.returncode == 2
    assert "no such file or directory" in missing.stderr
