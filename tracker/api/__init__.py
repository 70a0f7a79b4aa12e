"""The /api/v1 blueprint: bearer-token JSON API sharing operations and policies with the pages."""

from __future__ import annotations

from typing import Any

from flask import g, request

from tracker.accounts.models import ApiToken
from tracker.accounts.operations import note_token_use, token_for, token_use_is_stale

# The route modules register their operations on bp (routing.py) when imported.
from tracker.api import notices, statements, views  # noqa: F401
from tracker.api.routing import OPERATIONS, bp, endpoint_of
from tracker.database import write_intent
from tracker.errors import TrackerError
from tracker.extensions import csrf, db
from tracker.i18n import use_zone_of
from tracker.schema import MAX_ID
from tracker.timeutil import utcnow
from tracker.web.errors import json_error
from tracker.web.hooks import report_refusal

__all__ = ["bp"]

csrf.exempt(bp)


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint in public_endpoints():
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return json_error(401, "unauthorized", "missing bearer token (Authorization: Bearer TOKEN)")
    token = token_for(raw.strip())
    if token is None:
        return json_error(401, "unauthorized", "invalid or revoked token")
    now = utcnow()
    if token_use_is_stale(token, now):
        # Record the use in this request's one transaction, opened as a writer (SQLite:
        # a read transaction that later writes could fail against a concurrent writer).
        db.session.rollback()
        if "write_token" not in g:
            g.write_token = write_intent.set(True)
        token = db.session.get(ApiToken, token.id)
        if token is None:  # revoked and deleted in between
            return json_error(401, "unauthorized", "invalid or revoked token")
        note_token_use(token, now)
    g.api_user = token.user
    use_zone_of(token.user)  # "today" in the token user's zone, as on the pages
    if any(isinstance(v, int) and v > MAX_ID for v in (request.view_args or {}).values()):
        return json_error(404, "not_found", "not found")  # beyond any row id the database holds
    return None


def public_endpoints() -> set[str]:
    """The operations declared public (the OpenAPI document): no token needed."""
    return {f"api.{endpoint_of(op)}" for op in OPERATIONS if op.public}


@bp.errorhandler(TrackerError)
def _domain_error(exc: TrackerError) -> Any:
    db.session.rollback()
    if exc.status == 403:
        report_refusal(exc.status, exc.message)
    return json_error(exc.status, exc.code, exc.message)
