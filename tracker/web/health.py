"""The health check for load balancers (GET /healthz, no login)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text

from tracker.extensions import db

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    """For load balancers: 200 when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok"})
