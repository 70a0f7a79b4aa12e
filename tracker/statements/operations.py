"""Issuing statements: one IssuedStatement row and one audit event per statement (flush only)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from tracker.accounts.models import User
from tracker.accounts.operations import role_title
from tracker.audit.operations import record as audit
from tracker.credentials.catalog import Catalog
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.statements.content import (
    Prepared,
    content_sha256,
    prepare_cohort,
    prepare_statement,
    summary_of,
)
from tracker.statements.models import IssuedStatement
from tracker.timeutil import utcnow

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U, so that a code read off paper is typed right."""

CODE_LENGTH = 32
"""32 symbols of 5 bits: 160 random bits."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{code}"


def issuer_name(actor: User | None, candidate: User | None = None) -> str:
    """Who issued a statement, saying so when the candidate issued it to themselves."""
    if actor is None:
        return _("Tracker command line (an administrator of this installation)")
    if candidate is not None and actor.id == candidate.id:
        return _("%(name)s, the candidate, to themselves", name=actor.name)
    return f"{actor.name} ({role_title(actor.role)})"


def document_of(
    actor: User | None,
    prepared: Prepared,
    *,
    code: str,
    issued_at: datetime,
    base_url: str,
    candidate: User | None = None,
) -> dict[str, Any]:
    """The document the renderer gets (plain data), before or after it is recorded."""
    return {
        "content": prepared.content,
        "verification": {
            "code": code,
            "url": verify_url(base_url, code),
            "data_sha256": content_sha256(prepared.content),
            "issued_at": issued_at.isoformat(timespec="seconds"),
            "issued_by": issuer_name(actor, candidate),
            "self_issued": actor is not None and candidate is not None and actor.id == candidate.id,
        },
    }


def record_issue(
    actor: User | None,
    candidate: User,
    prepared: Prepared,
    *,
    base_url: str,
    via: str,
    code: str | None = None,
    issued_at: datetime | None = None,
) -> dict[str, Any]:
    """Record one issued statement and return the document the renderer gets (plain data).

    A cohort job renders the PDF first and records it after, under the code and time it
    chose (`code`, `issued_at`), so that no write transaction waits for the renderer.
    """
    content = prepared.content
    credential = content["credential"]
    code = code or new_code()
    issued_at = (issued_at or utcnow()).replace(microsecond=0)
    data_sha256 = content_sha256(content)
    row = IssuedStatement(
        code=code,
        candidate_id=candidate.id,
        credential=credential["id"],
        version=credential["version"],
        pathway=credential["pathway"],
        as_of=date.fromisoformat(content["as_of"]),
        data_sha256=data_sha256,
        records_sha256=prepared.records_sha256,
        summary=summary_of(content),
        issued_by_id=actor.id if actor is not None else None,
        issued_at=issued_at,
    )
    db.session.add(row)
    db.session.flush()
    audit(
        actor,
        "statement.issue",
        f"statement:{row.id}",
        candidate=candidate,
        after={
            "credential": credential["id"],
            "as_of": content["as_of"],
            "data_sha256": data_sha256,
            "code_prefix": code[:6],
            "via": via,
            "self_issued": actor is not None and actor.id == candidate.id,
        },
    )
    return document_of(actor, prepared, code=code, issued_at=row.issued_at, base_url=base_url,
                       candidate=candidate)  # fmt: skip


def issue_statement(
    actor: User | None,
    candidate: User,
    catalog: Catalog,
    credential: str,
    as_of: date,
    *,
    base_url: str,
    via: str,
) -> dict[str, Any]:
    """Evaluate, record and return one statement's document (the caller authorized the actor)."""
    prepared = prepare_statement(catalog, candidate, credential, as_of)
    return record_issue(actor, candidate, prepared, base_url=base_url, via=via)


def issue_cohort(
    actor: User,
    candidates: list[User],
    catalog: Catalog,
    as_of: date,
    *,
    base_url: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    """A statement for every enrolment of every candidate; returns documents and problems."""
    documents: list[dict[str, Any]] = []
    problems: list[str] = []
    for candidate, credential, prepared, error in prepare_cohort(catalog, candidates, as_of):
        if prepared is None:
            problems.append(f"{candidate.name} ({credential}): {error}")
            continue
        documents.append(record_issue(actor, candidate, prepared, base_url=base_url, via="cohort"))
    return documents, problems
