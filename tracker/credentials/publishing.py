"""Credential definitions published from the browser: upload, preview, publish, withdraw.

Files keep living in TRACKER_CREDENTIALS_DIR, so that a server started with the directory
(another host sharing it, `make run`, the engine's CLI) sees the same catalog:

- an upload is *staged* in the directory's `.staged/` folder (not loaded by the catalog),
  checked by the engine and against the published versions (its id@version must be new);
- its *preview* is a background task (a `jobs` row, so every host follows its progress)
  that evaluates every enrolment of that credential under its current version and under
  the staged file, and stores the comparison in the storage directory;
- *publishing* moves the file into the directory (`<id>@<version>.yaml`): new enrolments
  get it once it is in effect; enrolled candidates keep their version until moved;
- *withdrawing* moves a published file to `withdrawn/`: the enrolments under it keep it,
  no new enrolment gets it.
Every step is audited.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import func, select
from werkzeug.local import LocalProxy

from tracker import tasks
from tracker.accounts.models import User
from tracker.audit.operations import record as audit
from tracker.credentials.catalog import WITHDRAWN_DIR, Catalog, current_catalog
from tracker.credentials.evaluation import BULK_THRESHOLD, collector_paused
from tracker.credentials.models import EnrolmentResult
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.records.adapter import for_credential, load_records
from tracker.records.models import Enrolment
from tracker.requirements_engine import (
    Definition,
    DefinitionError,
    EngineError,
    Library,
    Problem,
    evaluate,
    load_definition,
)
from tracker.tasks import storage
from tracker.tasks.models import Job
from tracker.timeutil import today, utcnow

STAGED_DIR = ".staged"
MAX_BYTES = 512 * 1024
PREVIEW_KIND = "definition-preview"
PREVIEW_FILE = "preview.json"
BATCH = 200
_TOKEN = re.compile(r"^[0-9a-f]{16}$")

# Called in the transaction that published or withdrew a version (the stored cohort results
# are refreshed by a task the cohort registers here: credentials sits below candidates).
CHANGED_HOOKS: list[Callable[[], None]] = []


def _changed() -> None:
    for hook in CHANGED_HOOKS:
        hook()


@dataclass(frozen=True)
class Staged:
    """An uploaded file waiting to be published: its definition, or why it does not load."""

    token: str
    filename: str
    definition: Definition | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.problems


def _app() -> Flask:
    return cast("LocalProxy[Flask]", current_app)._get_current_object()


def _directory() -> Path:
    return Path(current_app.config["CREDENTIALS_DIR"])


def _staged_path(token: str) -> Path:
    if not _TOKEN.match(token):
        raise NotFoundError(_("no such upload"))
    return _directory() / STAGED_DIR / f"{token}.yaml"


def _check(path: Path, filename: str, catalog: Catalog) -> tuple[Definition | None, list[Problem]]:
    """The engine's verdict on the file, then the rules of publishing it beside the others."""
    try:
        definition = load_definition(path)
    except DefinitionError as exc:
        return None, [Problem(filename, p.path, p.reason) for p in exc.problems]
    if catalog.get(definition.id, definition.version) is not None:
        withdrawn = (definition.id, definition.version) in catalog.withdrawn
        reason = (
            _("%(id)s@%(version)s is already loaded (withdrawn); give the new rules a new version",
              id=definition.id, version=definition.version)
            if withdrawn
            else _("%(id)s@%(version)s is already published; give the new rules a new version",
                   id=definition.id, version=definition.version)
        )  # fmt: skip
        return definition, [Problem(filename, "version", reason)]
    try:
        Library([*catalog.library, definition])
    except DefinitionError as exc:
        return definition, [Problem(filename, p.path, p.reason) for p in exc.problems]
    return definition, []


def stage(actor: User, filename: str, data: bytes) -> Staged:
    """Keep an uploaded definition file for preview and publishing (audited)."""
    name = Path(filename or "definition.yaml").name[:200]
    if not name.lower().endswith((".yaml", ".yml")):
        raise ValidationError("file", _("must be a YAML definition file (.yaml or .yml)"))
    if not data.strip():
        raise ValidationError("file", _("is empty"))
    if len(data) > MAX_BYTES:
        raise ValidationError("file", _("is larger than %(size)s KB", size=MAX_BYTES // 1024))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("file", _("is not UTF-8 text")) from None
    token = secrets.token_hex(8)
    path = _staged_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    storage.write_atomic(path, data)
    (path.with_suffix(".name")).write_text(name, encoding="utf-8")
    staged = load_staged(token)
    audit(
        actor,
        "definition.upload",
        f"definition-upload:{token}",
        after={
            "file": name,
            "id": staged.definition.id if staged.definition else None,
            "version": staged.definition.version if staged.definition else None,
            "problems": len(staged.problems),
        },
    )
    return staged


def load_staged(token: str) -> Staged:
    path = _staged_path(token)
    if not path.is_file():
        raise NotFoundError(_("no such upload (it was published or discarded)"))
    name_file = path.with_suffix(".name")
    filename = name_file.read_text(encoding="utf-8") if name_file.is_file() else path.name
    definition, problems = _check(path, filename, current_catalog())
    return Staged(token, filename, definition, tuple(problems))


def discard(actor: User, token: str) -> None:
    staged = load_staged(token)
    _staged_path(token).unlink(missing_ok=True)
    _staged_path(token).with_suffix(".name").unlink(missing_ok=True)
    audit(
        actor, "definition.discard", f"definition-upload:{token}", before={"file": staged.filename}
    )


def published_name(definition: Definition) -> str:
    return f"{definition.id}@{definition.version}.yaml"


def publish(actor: User, token: str) -> Definition:
    """Move a staged file that loads into the directory; new enrolments get it once in
    effect, enrolled candidates keep their version (audited)."""
    staged = load_staged(token)
    if not staged.ok or staged.definition is None:
        raise ConflictError(_("this file has problems: fix them and upload it again"))
    definition = staged.definition
    target = _directory() / published_name(definition)
    if target.exists():
        raise ConflictError(
            _("%(file)s already exists in the credentials directory", file=target.name)
        )
    os.replace(_staged_path(token), target)
    _staged_path(token).with_suffix(".name").unlink(missing_ok=True)
    audit(
        actor,
        "definition.publish",
        f"definition:{definition.id}@{definition.version}",
        after={
            "file": target.name,
            "uploaded_as": staged.filename,
            "effective_from": (
                definition.effective_from.isoformat() if definition.effective_from else None
            ),
        },
    )
    _changed()
    return definition


def withdraw(actor: User, credential_id: str, version: str) -> Path:
    """Move a published version to withdrawn/: its enrolments keep it, nobody new gets it."""
    catalog = current_catalog()
    definition = catalog.get(credential_id, version)
    if definition is None:
        raise NotFoundError(f"{credential_id}@{version} is not loaded")
    if (credential_id, version) in catalog.withdrawn:
        raise ConflictError(
            _("%(id)s@%(version)s is already withdrawn", id=credential_id, version=version)
        )
    source = Path(definition.source)
    if source.parent.resolve() != _directory().resolve():
        raise ConflictError(f"{source.name} is not in the credentials directory")
    target = _directory() / WITHDRAWN_DIR / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise ConflictError(f"withdrawn/{source.name} already exists")
    os.replace(source, target)
    enrolled = db.session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.credential == credential_id, Enrolment.version == version
        )
    )
    audit(
        actor,
        "definition.withdraw",
        f"definition:{credential_id}@{version}",
        before={"file": source.name},
        after={"file": f"{WITHDRAWN_DIR}/{source.name}", "enrolments_keeping_it": enrolled},
    )
    _changed()
    return target


# --- the preview: the whole cohort under the staged file, as a background task -----------------


def start_preview(actor: User, token: str) -> Job:
    """Record a preview job and enqueue it (flush only)."""
    staged = load_staged(token)
    if staged.definition is None:
        raise ConflictError(_("this file does not load: there is nothing to preview"))
    job = Job(
        id=secrets.token_urlsafe(12),
        kind=PREVIEW_KIND,
        owner_id=actor.id,
        status="queued",
        params={"token": token, "credential": staged.definition.id, "as_of": today().isoformat()},
    )
    db.session.add(job)
    db.session.flush()
    tasks.enqueue(run_preview, job.id, job_id=f"{job.id}-run", description="definition preview")
    return job


def _result_row(result: dict[str, Any] | None, error: str | None) -> dict[str, Any]:
    if result is None:
        return {"status": "error", "progress": 0.0, "due": None, "met_on": None, "error": error}
    return {
        "status": result.get("status"),
        "progress": float(result.get("progress") or 0.0),
        "due": result.get("due"),
        "met_on": result.get("met_on"),
        "error": None,
    }


def _evaluate(
    definition: Definition | None,
    records: dict[str, Any],
    as_of: date,
    pathway: str | None,
    library: Library,
) -> dict[str, Any]:
    if definition is None:
        return _result_row(None, "the enrolment's version is not loaded")
    if pathway is not None and pathway not in definition.pathways:
        pathway = None  # a pathway the new rules dropped: their first
    try:
        result = evaluate(
            definition, for_credential(records, definition.id), as_of, pathway=pathway,
            catalog=library,
        )  # fmt: skip
    except EngineError as exc:
        return _result_row(None, str(exc))
    return _result_row(result, None)


def _current_results(
    credential: str, catalog: Catalog, as_of: date
) -> dict[tuple[int, int], dict[str, Any]]:
    """The stored results of this credential's enrolments computed under today's rules on
    this day, by (candidate, records version they were computed from): the columns of
    _result_row, read from the stored result itself."""
    result = EnrolmentResult.result
    rows = db.session.execute(
        select(EnrolmentResult.candidate_id, EnrolmentResult.records_version,
               result["status"].as_string(), result["progress"].as_float(),
               result["due"].as_string(), result["met_on"].as_string(), EnrolmentResult.error)
        .join(Enrolment, Enrolment.id == EnrolmentResult.enrolment_id)
        .where(Enrolment.credential == credential,
               EnrolmentResult.rules_version == catalog.fingerprint,
               EnrolmentResult.as_of == as_of)
    )  # fmt: skip
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for candidate_id, records_version, status, progress, due, met_on, error in rows:
        if status is None:
            out[(candidate_id, records_version)] = _result_row(None, error or "no result")
            continue
        out[(candidate_id, records_version)] = _result_row(
            {"status": status, "progress": progress, "due": due, "met_on": met_on}, None
        )
    return out


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def run_preview(job_id: str) -> None:
    """Task: every enrolment of the credential, now and under the staged file (idempotent:
    a run again recomputes the same file; a finished job is left alone)."""
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    params = dict(job.params or {})
    try:
        staged = load_staged(str(params["token"]))
    except NotFoundError as exc:
        job.status, job.error, job.finished_at = "failed", exc.message, utcnow()
        db.session.commit()
        return
    catalog = current_catalog()
    new = staged.definition
    as_of = date.fromisoformat(str(params["as_of"]))
    # Plain columns, not ORM rows: the per-batch commits below would expire rows and make
    # each one be read again, one by one.
    enrolments = db.session.execute(
        select(Enrolment.candidate_id, Enrolment.credential, Enrolment.version,
               Enrolment.pathway, User.name, User.organization_id, User.records_version)
        .join(User, User.id == Enrolment.candidate_id)
        .where(Enrolment.credential == params["credential"])
        .order_by(User.name, Enrolment.id)
    ).all()  # fmt: skip
    job.status, job.started_at, job.total, job.done = "running", utcnow(), len(enrolments), 0
    db.session.commit()
    now_rows = _current_results(str(params["credential"]), catalog, as_of)
    library = Library([*catalog.library, new]) if new is not None and staged.ok else catalog.library
    by_candidate = {e.candidate_id: e for e in enrolments}
    rows: list[dict[str, Any]] = []
    with collector_paused(len(by_candidate) >= BULK_THRESHOLD):
        for batch in _batches(list(by_candidate)):
            records = load_records(batch, typed=True)
            for candidate_id in batch:
                e = by_candidate[candidate_id]
                current = catalog.get(e.credential, e.version)
                mine = records[candidate_id]
                rows.append({
                    "candidate_id": candidate_id,
                    "candidate": e.name,
                    "organization_id": e.organization_id,
                    "version": e.version,
                    "pathway": e.pathway,
                    # The results table's row where it is current (what the cohort shows);
                    # else the enrolment evaluated here, as the table would be refreshed.
                    "now": now_rows.get((candidate_id, e.records_version))
                    or _evaluate(current, mine, as_of, e.pathway, catalog.library),
                    "new": _evaluate(new, mine, as_of, e.pathway, library),
                })  # fmt: skip
            job.done = len(rows)
            db.session.commit()
    rows.sort(key=lambda r: (str(r["candidate"]).lower(), r["candidate_id"]))
    body = {"as_of": as_of.isoformat(), "credential": params["credential"],
            "new_version": new.version if new else None, "rows": rows}  # fmt: skip
    storage.write_atomic(storage.job_dir(_app(), job_id) / PREVIEW_FILE, json.dumps(body).encode())
    job.status, job.result_file, job.finished_at = "done", PREVIEW_FILE, utcnow()
    db.session.commit()


def preview_of(job: Job) -> dict[str, Any] | None:
    """The stored comparison of a finished preview, with its summary."""
    if job.status != "done" or not job.result_file:
        return None
    path = storage.job_dir(_app(), job.id) / job.result_file
    if not path.is_file():
        return None
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    rows = body["rows"]
    for row in rows:
        now, new = row["now"], row["new"]
        row["becomes_met"] = now["status"] != "met" and new["status"] == "met"
        row["loses_met"] = now["status"] == "met" and new["status"] != "met"
        row["due_changes"] = now["due"] != new["due"]
        row["changed"] = (now["status"], round(now["progress"], 4), now["due"]) != (
            new["status"],
            round(new["progress"], 4),
            new["due"],
        )
    body["summary"] = {
        "enrolments": len(rows),
        "changed": sum(r["changed"] for r in rows),
        "becomes_met": sum(r["becomes_met"] for r in rows),
        "loses_met": sum(r["loses_met"] for r in rows),
        "due_changes": sum(r["due_changes"] for r in rows),
    }
    return body
