"""GET /api/v1/candidates/<id>/statement.pdf: the same statement as the page, for API clients."""

from __future__ import annotations

from typing import Any

from flask import g

from tracker.api import bp
from tracker.statements.views import issue_and_send


@bp.get("/candidates/<int:candidate_id>/statement.pdf")
def statement_pdf(candidate_id: int) -> Any:
    return issue_and_send(g.api_user, candidate_id, "api")
