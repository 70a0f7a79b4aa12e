"""Evidence files: checked by content, stored under random names, served only when allowed."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import format_decimal
from sqlalchemy import func, select

from tracker.accounts import policies
from tracker.accounts.models import User
from tracker.audit.operations import record as audit
from tracker.candidates.operations import require_changeable
from tracker.errors import ForbiddenError, ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.records.kinds import KINDS
from tracker.records.models import EvidenceFile

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


# What is accepted, and so what a download can be.
CONTENT_TYPES = tuple(content_type for _magic, content_type, _ext in SIGNATURES)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension the bytes really are, or None."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def _safe_name(name: str | None) -> str:
    base = os.path.basename((name or "evidence").replace("\\", "/")).strip() or "evidence"
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned[:200] or "evidence"


EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
}


def download_name(name: str, content_type: str) -> str:
    """The name with the extension of what the file really is (poly.html → poly.pdf).

    Browsers and desktops pick the program by extension: a PDF named .html must not open
    as a web page.
    """
    allowed = EXTENSIONS.get(content_type, ())
    if not allowed or name.lower().endswith(allowed):
        return name
    stem, dot, _ext = name.rpartition(".")
    return f"{stem if dot and stem else name}{allowed[0]}"


def _within_quota(candidate: User, size: int) -> None:
    """A candidate's evidence fits in TRACKER_EVIDENCE_QUOTA_MB (per candidate, all records)."""
    quota = int(current_app.config.get("EVIDENCE_QUOTA_BYTES") or 0)
    if not quota:
        return
    used = int(
        db.session.scalar(
            select(func.coalesce(func.sum(EvidenceFile.size), 0)).where(
                EvidenceFile.candidate_id == candidate.id
            )
        )
        or 0
    )
    if used + size > quota:
        mb = 1024 * 1024
        raise ValidationError(
            "file",
            _(
                "there is no room for this file: your evidence may take %(quota)s MB in all and "
                "%(used)s MB are used; remove files you no longer need",
                quota=quota // mb,
                used=format_decimal(used / mb, "0.#"),
            ),
        )


def attach(
    actor: User,
    candidate: User,
    kind: str,
    row: Any,
    stream: IO[bytes],
    filename: str | None,
    upload_dir: Path,
) -> EvidenceFile:
    if not policies.can_edit_records(actor, candidate):
        raise ForbiddenError("only the candidate may add evidence to their records")
    require_changeable(KINDS[kind], row)
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ValidationError("file", _("the file is empty"))
    if len(data) > MAX_BYTES:
        raise ValidationError("file", _("the file is larger than 10 MB"))
    _within_quota(candidate, len(data))
    sniffed = sniff(data[:16])
    if sniffed is None:
        raise ValidationError(
            "file", _("only PDF, PNG or JPEG files are accepted (checked by content)")
        )
    content_type, ext = sniffed
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + ext
    path = upload_dir / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    evidence = EvidenceFile(
        candidate_id=candidate.id,
        record_type=kind,
        record_id=row.id,
        original_name=download_name(_safe_name(filename)[:195], content_type),
        stored_name=stored,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(evidence)
    db.session.flush()
    audit(
        actor,
        "evidence.upload",
        f"{kind}:{row.id}",
        candidate=candidate,
        after={
            "evidence_id": evidence.id,
            "name": evidence.original_name,
            "type": content_type,
            "size": len(data),
            "sha256": evidence.sha256,
        },
    )
    return evidence


def remove(actor: User, candidate: User, evidence: EvidenceFile) -> None:
    if not policies.can_edit_records(actor, candidate):
        raise ForbiddenError("only the candidate may remove their evidence")
    kind = KINDS.get(evidence.record_type)
    row = db.session.get(kind.model, evidence.record_id) if kind is not None else None
    if kind is not None and row is not None:
        require_changeable(kind, row)
    before = {"evidence_id": evidence.id, "name": evidence.original_name, "sha256": evidence.sha256}
    db.session.delete(evidence)
    db.session.flush()
    audit(
        actor,
        "evidence.delete",
        f"{evidence.record_type}:{evidence.record_id}",
        candidate=candidate,
        before=before,
    )


def of_records(record_type: str, record_ids: list[int]) -> dict[int, list[EvidenceFile]]:
    """The evidence of these records of one kind, by record id (one query)."""
    grouped: dict[int, list[EvidenceFile]] = {rid: [] for rid in record_ids}
    if not record_ids:
        return grouped
    rows = db.session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.record_type == record_type, EvidenceFile.record_id.in_(record_ids))
        .order_by(EvidenceFile.id)
    )
    for item in rows:
        grouped[item.record_id].append(item)
    return grouped


def for_candidate(candidate_id: int) -> dict[tuple[str, int], list[EvidenceFile]]:
    grouped: dict[tuple[str, int], list[EvidenceFile]] = {}
    rows = db.session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.candidate_id == candidate_id)
        .order_by(EvidenceFile.id)
    )
    for item in rows:
        grouped.setdefault((item.record_type, item.record_id), []).append(item)
    return grouped
