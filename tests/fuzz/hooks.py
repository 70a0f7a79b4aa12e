"""Schemathesis hooks: generated *valid* requests made valid in the ways JSON Schema cannot say.

JSON Schema describes each field alone. Some rules the server enforces span fields, the
stored rows or the calendar: an entry's end is on or after its start and holds at most 24
hours a day, a held credential expires after its award, dates of things done are not in
the future, an internship names a real mentor of the organization, a pathway, rules
version or requirement belongs to the credential named beside it, a waiver expires after
today and waives a requirement the issuer may waive, and evidence is a PDF, PNG or JPEG by content. For a case Schemathesis generated as
valid (positive), these hooks move such values onto ones that hold, so that the
positive-data check asks "is every valid request accepted?" and not "do random dates lie
in the past?". Negative cases are never touched: every check stays on, with the statuses
the document gives.

The world's ids come from the file named by TRACKER_FUZZ_WORLD (tests/fuzz/live.py).
"""

from __future__ import annotations

import json
import math
import os
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis
from schemathesis import GenerationMode

from tracker.api.openapi import _path
from tracker.api.routing import OPERATIONS
from tracker.config import PROJECT_ROOT
from tracker.records import schemas
from tracker.records.kinds import KINDS
from tracker.requirements_engine import load_directory
from tracker.schema import EARLIEST, LATEST, patch_schema

WORLD = json.loads(open(os.environ["TRACKER_FUZZ_WORLD"], encoding="utf-8").read())
DEFINITIONS = load_directory(PROJECT_ROOT / "seed" / "credentials")
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 32

# (METHOD, path template) → the record schema behind its body (PATCH bodies: the kind's).
_PATCHES = {patch_schema(kind.schema): kind.schema for kind in KINDS.values()}
BODY_SCHEMAS = {
    (op.method, _path(op.rule)): _PATCHES.get(op.body, op.body) for op in OPERATIONS if op.body
}


def _today() -> date:
    return datetime.now(UTC).date()


def _positive(case: Any) -> bool:
    """A case generated valid as a whole (a negative case is left exactly as generated)."""
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _rng(case: Any) -> random.Random:
    """Choices that depend on the case only, so that a seed repeats a run."""
    return random.Random(repr((case.method, case.path, case.body, case.query)))


def _past(body: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Dates of things done: today at the latest (the server's today is UTC)."""
    latest = _today() - timedelta(days=1)
    for name in fields:
        day = _day(body.get(name))
        if day is not None and day > latest:
            body[name] = latest.isoformat()


def _hours_entry(body: dict[str, Any], patch: bool) -> None:
    """End on or after start; at most 24 hours a day. A PATCH gets all three, consistent
    with each other, since the stored values it would merge onto are unknown here."""
    if patch and not {"start", "end", "hours"} & set(body):
        return
    start, end = _day(body.get("start")), _day(body.get("end"))
    start = start or end or date(2020, 1, 6)
    end = end or start
    if end < start:
        start, end = end, start
    days = (end - start).days + 1
    hours = body.get("hours", min(8.0, 24.0 * days))
    if isinstance(hours, int | float) and hours > 24 * days:
        needed = math.ceil(hours / 24)
        if start - timedelta(days=needed - days) >= EARLIEST:
            start -= timedelta(days=needed - days)
        else:
            hours = 24.0 * days
    body.update(start=start.isoformat(), end=end.isoformat(), hours=hours)


def _registration(body: dict[str, Any], patch: bool) -> None:
    """A registration ends on or after it starts (a PATCH of `end` alone gets a start)."""
    start, end = _day(body.get("start")), _day(body.get("end"))
    if end is None:
        return
    if start is None and patch:
        body["start"] = end.isoformat()
    elif start is not None and end < start:
        body["start"], body["end"] = end.isoformat(), start.isoformat()


# Planned records are records of the format (§2), checked by the engine: the document gives
# them as objects. A valid what-if plans one thing the format can say.
PLANNED = {"exams": [{"code": "SIE", "taken_on": "2027-03-01", "passed": True}]}


def _what_if(body: dict[str, Any]) -> None:
    if isinstance(body.get("planned"), dict):
        body["planned"] = {key: [] for key in body["planned"]} | {
            key: value for key, value in PLANNED.items() if key in body["planned"]
        }


def _held_credential(body: dict[str, Any], patch: bool) -> None:
    if patch and not {"awarded_on", "expires_on"} & set(body):
        return
    awarded = _day(body.get("awarded_on")) or date(2015, 1, 1)
    body["awarded_on"] = awarded.isoformat()
    expires = _day(body.get("expires_on"))
    if expires is not None and expires < awarded:
        body["expires_on"] = awarded.isoformat()


def _definition(credential: Any) -> Any:
    return DEFINITIONS.get(credential) if isinstance(credential, str) else None


def _pathway(body: dict[str, Any], credential: Any, rng: random.Random) -> None:
    definition = _definition(credential)
    if definition is None or body.get("pathway") is None:
        return
    if body["pathway"] not in definition.pathways:
        body["pathway"] = rng.choice(list(definition.pathways)) if definition.pathways else None


def _version(body: dict[str, Any], credential: Any) -> None:
    definition = _definition(credential)
    if definition is not None and body.get("version") is not None:
        body["version"] = definition.version


def _waiver(body: dict[str, Any], rng: random.Random) -> None:
    definition = _definition(body.get("credential"))
    if definition is not None:
        # Only what the issuer may waive (`waivable: false` nodes are refused, by design).
        waivable = [n.id for n in definition.nodes() if n.id and n.waivable]
        if body.get("requirement") not in waivable and waivable:
            body["requirement"] = rng.choice(waivable)
    expires = _day(body.get("expires_on"))
    if expires is not None and expires <= _today():
        body["expires_on"] = min(_today() + timedelta(days=1 + expires.toordinal() % 3000),
                                 LATEST).isoformat()  # fmt: skip


def _body(case: Any) -> None:
    body = case.body
    schema = BODY_SCHEMAS.get((case.method.upper(), case.path))
    if schema is None or not isinstance(body, dict):
        return
    patch = case.method.upper() == "PATCH"
    rng = _rng(case)
    _past(body, getattr(schema, "past_dates", ()))
    if issubclass(schema, schemas.HoursIn):
        _hours_entry(body, patch)
        _past(body, schema.past_dates)  # moving start back keeps it in the past
    if schema is schemas.HeldCredentialIn:
        _held_credential(body, patch)
        _past(body, schema.past_dates)
    if schema is schemas.InternshipIn and "mentor_id" in body:
        body["mentor_id"] = WORLD["mentor_id"]
    if schema is schemas.WaiverIn:
        _waiver(body, rng)
    if schema is schemas.RegistrationIn:
        _registration(body, patch)
    if schema is schemas.WhatIfIn:
        _what_if(body)
        _pathway(body, body.get("credential"), rng)
        _version(body, body.get("credential"))
    if schema is schemas.EnrolmentIn:
        _pathway(body, body.get("credential"), rng)
    if schema is schemas.EnrolmentPatch:
        credential = (case.path_parameters or {}).get("credential")
        _pathway(body, credential, rng)
        _version(body, credential)


def _query(case: Any) -> None:
    query = case.query
    if not isinstance(query, dict) or "credential" not in query:
        return
    _pathway(query, query["credential"], _rng(case))
    _version(query, query["credential"])


def _upload(case: Any) -> None:
    """Evidence is checked by content: a valid upload is a real (tiny) PNG."""
    if case.path.endswith("/evidence") and case.method.upper() == "POST":
        if isinstance(case.body, dict) and "file" in case.body:
            case.body["file"] = PNG


def _valid(case: Any) -> Any:
    _body(case)
    _upload(case)
    _query(case)
    return case


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    return _valid(case) if _positive(case) else case


@schemathesis.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    """The Examples phase sends the document's examples, completed with generated values
    (a mentor id of 1, say): those are valid requests too."""
    for case in examples:
        _valid(case)
