"""GET /api/v1/candidates/<id>/statement.pdf: the same statement as the page, for API clients."""

from __future__ import annotations

from typing import Any

from flask import g
from pydantic import Field

from tracker.api.routing import Query, bp, operation
from tracker.schema import CredentialId
from tracker.statements.views import issue_and_send


class StatementQuery(Query):
    credential: CredentialId = Field(description="the credential's id")


@operation(bp, "GET", "/candidates/<int:candidate_id>/statement.pdf",
           operation_id="downloadStatement", tag="statements",
           summary="Issue and download a progress statement (recorded for /verify/<code>; "
           "HEAD issues nothing)", query=StatementQuery, answer="application/pdf",
           errors=(403, 404))  # fmt: skip
def statement_pdf(candidate_id: int) -> Any:
    return issue_and_send(g.api_user, candidate_id, "api")
