"""A Python client generated from the served OpenAPI document drives a whole workflow.

openapi-python-client generates the client at test time from /api/v1/openapi.json of a live
server (gunicorn, tests/live.py); the test imports it and, as real users with their tokens:
the candidate enrols, logs experience hours and requests an internship with a mentor from
the mentors list; the coordinator lists approvals and approves the hours; the mentor
signs off the internship; the candidate reads progress and downloads the PDF statement.
Only the generated functions and models are used: if the document named operations or
types poorly, or described an answer wrongly, this test reads badly or fails.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.live import Live, prepare, serve
from tracker.timeutil import today

PACKAGE = "tracker_api_client"
# The generator turns only application/octet-stream answers into bytes; PDFs and images are
# bytes too (File objects), not text.
GENERATOR_CONFIG = {
    "project_name_override": "tracker-api-client",
    "package_name_override": PACKAGE,
    "post_hooks": [],
    "content_type_overrides": {
        media: "application/octet-stream"
        for media in ("application/pdf", "image/png", "image/jpeg")
    },
}


def _people(app: Any, factory: Any) -> dict[str, Any]:
    org = factory.org("Client Bank")
    users = {
        "candidate": factory.user("candidate", org, email="ada@client.test", name="Ada Client"),
        "coordinator": factory.user("coordinator", org, email="hr@client.test"),
        "mentor": factory.user("mentor", org, email="mentor@client.test", name="Mia Mentor"),
    }
    return {name: {"id": user.id, "token": factory.token(user)} for name, user in users.items()}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, dict[str, Any]]]:
    directory = tmp_path_factory.mktemp("client-server")
    people = prepare(directory, _people)
    with serve(directory) as server:
        yield server, people


@pytest.fixture(scope="module")
def client_package(live: tuple[Live, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[ModuleType]:  # fmt: skip
    server, _people = live
    work = tmp_path_factory.mktemp("generated-client")
    spec = work / "openapi.json"
    with urllib.request.urlopen(server.api + "/openapi.json", timeout=30) as answer:
        spec.write_bytes(answer.read())
    config = work / "generator.json"
    config.write_text(json.dumps(GENERATOR_CONFIG))
    out = work / PACKAGE
    generator = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(
        [str(generator), "generate", "--path", str(spec), "--output-path", str(out),
         "--config", str(config), "--meta", "none"],
        cwd=work, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output, f"the generator could not read all of the document:\n{output}"
    sys.path.insert(0, str(out.parent))
    try:
        package = importlib.import_module(out.name)
        yield package
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == out.name or m.startswith(out.name + ".")]:
            del sys.modules[name]


def _module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_the_generated_client_reads_well(client_package):
    """Operation and type names a person would write (no Type0, no titles as names)."""
    api = Path(client_package.__file__).parent / "api"
    functions = {p.stem for p in api.rglob("*.py") if p.stem != "__init__"}
    assert {
        "get_me", "create_experience", "create_internship", "list_mentors", "list_approvals",
        "approve_experience", "reject_experience", "sign_off_internship", "return_internship",
        "decide_approvals", "get_progress", "download_statement", "list_experience",
        "update_experience", "delete_experience", "verify_degree", "create_waiver",
        "revoke_waiver", "get_candidate", "list_cohort", "get_evidence",
    } <= functions  # fmt: skip
    models = {p.stem for p in (api.parent / "models").glob("*.py")}
    assert {"experience_in", "experience", "internship_in", "pending_entry", "progress",
            "result_node", "category", "credential_id", "error"} <= models  # fmt: skip
    assert not [m for m in models if "type_0" in m or "kind_of" in m], sorted(models)


def test_a_whole_workflow_through_the_generated_client(client_package, live):
    server, people = live
    m = _module(client_package, "models")
    call = {
        name: _module(client_package, f"api.{module}")
        for name, module in {
            "me": "accounts.get_me",
            "enrol": "enrolments.create_enrolment",
            "log_hours": "experience.create_experience",
            "mentors": "internships.list_mentors",
            "request_internship": "internships.create_internship",
            "approvals": "approvals.list_approvals",
            "approve": "approvals.approve_experience",
            "sign_off": "approvals.sign_off_internship",
            "progress": "progress.get_progress",
            "statement": "statements.download_statement",
            "experience": "experience.list_experience",
        }.items()
    }

    def as_(name: str) -> Any:
        return client_package.AuthenticatedClient(
            base_url=server.api, token=people[name]["token"], raise_on_unexpected_status=True
        )

    candidate, coordinator, mentor = as_("candidate"), as_("coordinator"), as_("mentor")
    cid = people["candidate"]["id"]
    me = call["me"].sync(client=candidate)
    assert (me.id, me.email, me.role) == (cid, "ada@client.test", m.UserRole.CANDIDATE)

    enrolment = call["enrol"].sync(
        candidate_id=cid, client=candidate,
        body=m.EnrolmentIn(credential=m.CredentialId.CFP, pathway=m.Pathway.STANDARD),
    )  # fmt: skip
    assert (enrolment.credential, enrolment.pathway) == ("cfp", "standard")

    monday = today() - timedelta(days=today().weekday() + 14)
    hours = call["log_hours"].sync(
        candidate_id=cid, client=candidate,
        body=m.ExperienceIn(start=monday, end=monday + timedelta(days=4), hours=40,
                            category=m.Category.FINANCIAL_PLANNING, supervised=True,
                            employer="Client Bank"),
    )  # fmt: skip
    assert isinstance(hours, m.Experience)
    assert (hours.status, hours.hours, hours.version) == (m.ExperienceStatus.PENDING, 40, 1)

    mentors = call["mentors"].sync(client=candidate)
    assert [(x.name, x.email) for x in mentors] == [("Mia Mentor", "mentor@client.test")]
    internship = call["request_internship"].sync(
        candidate_id=cid, client=candidate,
        body=m.InternshipIn(mentor_id=mentors[0].id, host="Client Bank wealth desk",
                            start=monday - timedelta(days=28), end=monday - timedelta(days=24),
                            hours=30),
    )  # fmt: skip
    assert internship.status == m.InternshipStatus.PENDING and internship.mentor_id == mentors[0].id

    waiting = call["approvals"].sync(client=coordinator)
    assert [(a.type_, a.id, a.candidate_id) for a in waiting] == [
        (m.PendingEntryType.EXPERIENCE, hours.id, cid)
    ]
    decided = call["approve"].sync(
        entry_id=hours.id, client=coordinator, body=m.ApproveIn(version=waiting[0].version)
    )
    assert decided.status == m.DecidedStatus.APPROVED
    again = call["approve"].sync(entry_id=hours.id, client=coordinator, body=m.ApproveIn())
    assert isinstance(again, m.Error) and again.error.code == "conflict"

    for_mentor = call["approvals"].sync(client=mentor)
    assert [(a.type_, a.id) for a in for_mentor] == [(m.PendingEntryType.INTERNSHIP, internship.id)]
    signed = call["sign_off"].sync(
        internship_id=internship.id, client=mentor,
        body=m.SignOffIn(comment="Thorough work", version=for_mentor[0].version),
    )  # fmt: skip
    assert signed.status == m.DecidedStatus.APPROVED

    logged = call["experience"].sync_detailed(candidate_id=cid, client=candidate, limit=1)
    assert logged.headers["X-Total-Count"] == "1" and "Link" not in logged.headers
    assert logged.parsed[0].status == m.ExperienceStatus.APPROVED

    progress = call["progress"].sync(
        candidate_id=cid, client=candidate, credential=m.CredentialId.CFP
    )
    assert isinstance(progress, m.Progress)
    assert (progress.credential, progress.pathway, progress.as_of) == (
        "cfp",
        "standard",
        today(),
    )
    experience = next(n for n in progress.requirements if n.id == "experience")
    assert experience.status in (m.ResultNodeStatus.IN_PROGRESS, m.ResultNodeStatus.MET)
    standard = next(n for n in experience.children if n.id == "standard-hours")
    assert standard.counted_hours == 70 and standard.pending_hours == 0
    assert f"x{hours.id}" in standard.evidence and f"i{internship.id}" in standard.evidence

    statement = call["statement"].sync_detailed(
        candidate_id=cid, client=candidate, credential=m.CredentialId.CFP
    )
    assert statement.status_code == 200
    assert statement.headers["content-type"] == "application/pdf"
    assert statement.parsed.payload.read().startswith(b"%PDF")


def test_the_document_generates_without_the_generator_config(live, tmp_path):
    """Without content-type overrides the generator still reads every operation (the PDF and
    evidence answers become untyped), so a client made with default settings works too."""
    server, _people = live
    spec = tmp_path / "openapi.json"
    with urllib.request.urlopen(server.api + "/openapi.json", timeout=30) as answer:
        spec.write_bytes(answer.read())
    generator = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run([str(generator), "generate", "--path", str(spec), "--output-path",
                          str(tmp_path / "plain"), "--meta", "none"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "plain" / "api" / "approvals" / "approve_experience.py").is_file()
