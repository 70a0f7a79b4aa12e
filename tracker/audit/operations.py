"""Writing and verifying the audit log.

Each event carries an HMAC-SHA256 of its content and of the previous event's hash, made
with a key kept outside the database (``<instance>/audit_key``): whoever can write to the
database but not read that file cannot edit, insert or append an event that checks out.
The head of the chain is also checkpointed outside the database
(``<instance>/audit_checkpoint.json``, itself keyed) after every commit that wrote events,
so that removing the newest events, or all of them, is seen too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.timeutil import utcnow

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 727_001
_PENDING = "audit_checkpoint_pending"


class Party(Protocol):
    """Who acts or is acted on (a user): the log knows them by id and organization only,
    so that it imports nothing of accounts, which writes to it."""

    @property
    def id(self) -> int: ...

    @property
    def organization_id(self) -> int | None: ...


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "target": event.target,
        "candidate_id": event.candidate_id,
        "organization_id": event.organization_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    """The plain SHA-256 of an event's content: anyone can compute it, so the chain does not."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def _key() -> bytes:
    return str(current_app.config["AUDIT_KEY"]).encode()


def event_mac(event: AuditEvent, key: bytes | None = None) -> str:
    """The keyed hash the chain stores: HMAC-SHA256 with the installation's audit key."""
    return hmac.new(key if key is not None else _key(), _canonical(event), "sha256").hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def record(
    actor: Party | None,
    action: str,
    target: str,
    *,
    candidate: Party | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event, linked to the previous one by its keyed hash."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    org_id = None
    if candidate is not None:
        org_id = candidate.organization_id
    elif actor is not None:
        org_id = actor.organization_id
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target,
        candidate_id=candidate.id if candidate is not None else None,
        organization_id=org_id,
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=last or GENESIS,
    )
    event.hash = event_mac(event)
    session.add(event)
    session.flush()
    pending = session.info.setdefault(_PENDING, {})
    pending["head"] = (event.id, event.hash)
    pending["path"] = str(current_app.config["AUDIT_CHECKPOINT"])
    pending["key"] = _key()
    return event


# --- the checkpoint outside the database ------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    id: int
    hash: str


def _checkpoint_mac(key: bytes, id_: int, hash_: str) -> str:
    return hmac.new(key, f"checkpoint:{id_}:{hash_}".encode(), "sha256").hexdigest()


def read_checkpoint(path: Path | None = None, key: bytes | None = None) -> Checkpoint | None:
    """The checkpointed head; None when there is no file. Raises ValueError when it was forged."""
    path = Path(path or current_app.config["AUDIT_CHECKPOINT"])
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"the checkpoint {path} cannot be read: {exc}") from None
    try:
        point = Checkpoint(int(data["id"]), str(data["hash"]))
        mac = str(data["mac"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"the checkpoint {path} is malformed") from None
    if not hmac.compare_digest(mac, _checkpoint_mac(key or _key(), point.id, point.hash)):
        raise ValueError(f"the checkpoint {path} was not written with the audit key")
    return point


def write_checkpoint(path: Path, key: bytes, point: Checkpoint, *, force: bool = False) -> None:
    """Replace the checkpoint atomically; never move it backwards unless forced (restore)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(str(path) + ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        if not force:
            try:
                if int(json.loads(path.read_text())["id"]) >= point.id:
                    return
            except (OSError, ValueError, TypeError, KeyError):
                pass
        body = {"id": point.id, "hash": point.hash}
        body["mac"] = _checkpoint_mac(key, point.id, point.hash)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit_checkpoint.")
        with os.fdopen(fd, "w") as fh:
            json.dump(body, fh)
        os.replace(tmp, path)
    finally:
        os.close(lock_fd)


def checkpoint_current() -> Checkpoint | None:
    """Take the database's current head as the checkpoint (after a restore or an upgrade)."""
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    path = Path(current_app.config["AUDIT_CHECKPOINT"])
    if last is None:
        path.unlink(missing_ok=True)
        return None
    point = Checkpoint(int(last[0]), str(last[1]))
    write_checkpoint(path, _key(), point, force=True)
    return point


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        id_, hash_ = pending["head"]
        write_checkpoint(Path(pending["path"]), pending["key"], Checkpoint(id_, hash_))


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain() -> ChainReport:
    """Walk the log in order and compare its head with the checkpoint; name every tamper found."""
    key = _key()
    problems: list[str] = []
    first_bad: int | None = None
    first_reason: str | None = None

    def problem(at: int | None, reason: str) -> None:
        nonlocal first_bad, first_reason
        if first_bad is None and first_reason is None:
            first_bad, first_reason = at, reason
        problems.append(f"event {at}: {reason}" if at is not None else reason)

    try:
        point = read_checkpoint(key=key)
    except ValueError as exc:
        problem(None, str(exc))
        point = None

    expected_prev = GENESIS
    checked = 0
    intact = 0
    last_id = 0
    at_checkpoint: str | None = None
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    for event in db.session.scalars(stmt):
        good = True
        if event.prev_hash != expected_prev:
            problem(event.id, "does not link to the event before it (an event was removed)")
            good = False
        if not hmac.compare_digest(event_mac(event, key), event.hash):
            if hmac.compare_digest(event_hash(event), event.hash):
                reason = (
                    "its hash was recomputed without the audit key "
                    "(the event was edited, inserted or forged)"
                )
            else:
                reason = "its content was changed after it was written, or it was forged"
            problem(event.id, reason)
            good = False
        if good and first_bad is None:
            intact += 1
        expected_prev = event.hash
        checked += 1
        last_id = event.id
        if point is not None and event.id == point.id:
            at_checkpoint = event.hash

    if point is not None:
        if checked == 0:
            problem(
                None,
                f"every event was removed: the checkpoint records events up to {point.id}, "
                "the database holds none",
            )
        elif last_id < point.id:
            problem(
                last_id + 1,
                f"the newest events were removed: events {last_id + 1}–{point.id} "
                f"({point.id - last_id}) are recorded in the checkpoint but missing "
                "from the database",
            )
        elif at_checkpoint is None or not hmac.compare_digest(at_checkpoint, point.hash):
            problem(point.id, "differs from the checkpoint: the chain was rewritten")
    return ChainReport(checked if not problems else intact, first_bad, first_reason, problems)
