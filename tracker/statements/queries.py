"""Reading issued statements back: verification by code, and whether records changed since."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.records.adapter import fingerprint, for_credential, load_records
from tracker.statements.models import IssuedStatement
from tracker.statements.operations import CODE_ALPHABET

MAX_CODE_LENGTH = 64


_CROCKFORD_READS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def normalize_code(typed: str) -> str:
    """A code as typed (any case, spaces or dashes, I/L for 1, O for 0) in Crockford form."""
    cleaned = "".join(typed.split()).replace("-", "").upper()
    return cleaned.translate(_CROCKFORD_READS)


def by_code(code: str) -> IssuedStatement | None:
    """The statement with this code (None for unknown or altered codes).

    Codes issued before Crockford's base32 (URL-safe base64) are matched exactly; new ones
    also as typed, case-insensitively.
    """
    if not code or len(code) > MAX_CODE_LENGTH + 16:
        return None
    candidates = [code]
    crockford = normalize_code(code)
    if crockford != code and set(crockford) <= set(CODE_ALPHABET):
        candidates.append(crockford)
    for candidate in candidates:
        if len(candidate) > MAX_CODE_LENGTH:
            continue
        found = db.session.scalar(select(IssuedStatement).where(IssuedStatement.code == candidate))
        if found is not None:
            return found
    return None


def records_changed(issued: IssuedStatement) -> bool:
    """Whether the candidate's records for that credential differ from those on the statement."""
    records = load_records([issued.candidate_id])[issued.candidate_id]
    return fingerprint(for_credential(records, issued.credential)) != issued.records_sha256


def all_recorded(codes: list[str], attempts: int = 10, pause: float = 0.5) -> bool:
    """Whether every code is in the database; waits a little for the issuing request to commit."""
    if not codes:
        return True
    for _ in range(attempts):
        found = db.session.scalar(
            select(func.count()).select_from(IssuedStatement).where(IssuedStatement.code.in_(codes))
        )
        db.session.rollback()
        if found == len(set(codes)):
            return True
        time.sleep(pause)
    return False
