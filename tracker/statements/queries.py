"""Reading issued statements back: verification by code, and whether records changed since."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.records.adapter import fingerprint, for_credential, load_records
from tracker.statements.models import IssuedStatement

MAX_CODE_LENGTH = 64


def by_code(code: str) -> IssuedStatement | None:
    """The statement with exactly this code (None for unknown or altered codes)."""
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    return db.session.scalar(select(IssuedStatement).where(IssuedStatement.code == code))


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
