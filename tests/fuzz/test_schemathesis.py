"""Schemathesis against the live API, every check on, as a candidate and as a coordinator.

`make fuzz` (TRACKER_FUZZ=1) runs it: gunicorn serves a throw-away SQLite database holding
the world of tests/world.py (every role, two organizations, one record of every kind, an
internship, a waiver and an evidence file), and the Schemathesis command line runs every
operation of the served document through all its phases (examples, coverage, fuzzing,
stateful) with `--checks all`: no 5xx; status code, content type, headers and body as
documented; invalid requests refused and valid ones accepted; unsupported methods
answered 405 with `Allow`; authentication never ignored; deleted resources gone and created
ones there; and no identity reading what a peer of another organization created
(object-level authorization, between the acting user and their counterpart in the other
organization). Path parameters are drawn from the world's real ids most of the time, so
that handlers get past loading.

Generated valid requests are made valid in the ways JSON Schema cannot say by hooks.py,
which never touches invalid ones. The run is bounded: examples per operation, a fixed
seed (TRACKER_FUZZ_SEED to explore others) and a timeout per role.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.live import prepare, serve
from tests.world import build_world
from tracker.config import PROJECT_ROOT

MAX_EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "15"))
# Stateful scenarios chain real calls (create → read → change → delete → read again): the
# use-after-free and resource-availability checks live on them.
STATEFUL_EXAMPLES = int(os.environ.get("TRACKER_FUZZ_STATEFUL_EXAMPLES", "40"))
SEED = int(os.environ.get("TRACKER_FUZZ_SEED", "20261201"))
TIMEOUT_S = int(os.environ.get("TRACKER_FUZZ_TIMEOUT", "600"))
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "fuzz"
HOOKS = Path(__file__).with_name("hooks.py")

# The acting user, and their counterpart in the other organization (object-level peers).
ROLES = {
    "candidate": ("candidate", "candidate_other_org"),
    "coordinator": ("coordinator_same_org", "coordinator_other_org"),
}

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(os.environ.get("TRACKER_FUZZ") != "1", reason="make fuzz runs it"),
]


def _world(app: Any, factory: Any) -> dict[str, Any]:
    world = build_world(app, factory)
    return {
        "users": {name: user.id for name, user in world.users.items()},
        "tokens": {name: factory.token(user) for name, user in world.users.items()},
        "ids": world.ids,
        "mentor_id": world.users["mentor_assigned"].id,
    }


def _config(directory: Path, world: dict[str, Any], actor: str, peer: str) -> Path:
    """schemathesis.toml: the hooks, the world's ids for path parameters, the identities."""
    auth = directory / "auth.json"
    auth.write_text(json.dumps({"auth": [
        {"name": name, "fixedHeaders": [{"name": "Authorization",
                                         "value": f"Bearer {world['tokens'][name]}"}]}
        for name in (actor, peer)
    ]}))  # fmt: skip
    ids = world["ids"]
    dictionaries = {
        "candidates": [world["users"]["candidate"]],
        "records": sorted(set(ids["records"].values())),
        "entries": [ids["experience"]],
        "internships": [ids["internship"]],
        "evidence": [ids["evidence"]],
        "waivers": [ids["waiver"]],
        "enrolled": ["cfp"],
        "credentials": ["cfp", "cfa"],
    }
    parameters = {
        "candidate_id": "candidates",
        "record_id": "records",
        "entry_id": "entries",
        "internship_id": "internships",
        "evidence_id": "evidence",
        "waiver_id": "waivers",
        "credential": "enrolled",
        "credential_id": "credentials",
    }
    # No state kept between runs (a seed repeats a run) and nothing written to the checkout.
    lines = [f'hooks = "{HOOKS}"', "", "[cache]", "enabled = false", "",
             "[generation]", 'database = "none"',
             f"max-examples = {MAX_EXAMPLES}", "", "[phases.stateful.generation]",
             f"max-examples = {STATEFUL_EXAMPLES}", ""]  # fmt: skip
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for parameter, dictionary in parameters.items():
        lines.append(f'"path.{parameter}" = {{ dictionary = "{dictionary}", probability = 0.9 }}')
    lines += ["", "[auth.wfc]", f'path = "{auth}"', f'user = "{actor}"',
              f"peers = {json.dumps([actor, peer])}", ""]  # fmt: skip
    config = directory / "schemathesis.toml"
    config.write_text("\n".join(lines))
    return config


@pytest.mark.parametrize("role", list(ROLES))
def test_schemathesis_all_checks_against_the_live_api(role: str, tmp_path: Path) -> None:
    actor, peer = ROLES[role]
    world = prepare(tmp_path, _world)
    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps(world))
    config = _config(tmp_path, world, actor, peer)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve(tmp_path) as live:
        argv = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file", str(config),
            "run", f"{live.api}/openapi.json",
            "--checks", "all",
            "--seed", str(SEED),
            # One worker: CPython 3.11 before 3.11.8 shares the AST constructor's recursion counter
            # between threads (python/cpython#106905), and Hypothesis parses lambda sources with
            # ast.parse while describing filters, so two workers fail now and then with
            # "SystemError: AST constructor recursion depth mismatch" inside Schemathesis.
            "--workers", "1",
            "--no-color",
            "--report", "junit",
            "--report-junit-path", str(ARTIFACTS / f"{role}.junit.xml"),
        ]  # fmt: skip
        env = {**os.environ, "TRACKER_FUZZ_WORLD": str(world_file)}
        run = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                             timeout=TIMEOUT_S, check=False)  # fmt: skip
    output = run.stdout + run.stderr
    (ARTIFACTS / f"{role}.txt").write_text(output)
    summary = output[output.find("=== SUMMARY") - 40 :] if "SUMMARY" in output else output[-3000:]
    print(summary)
    assert run.returncode == 0, f"Schemathesis found failures as the {role}:\n{output[-20000:]}"
    assert "Tested: " in output and "generated" in output
