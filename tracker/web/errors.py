"""The JSON error body of the API: {"error": {"code", "message"}} (pages and API share hooks)."""

from __future__ import annotations

from flask import Response, jsonify


def json_error(status: int, code: str, message: str) -> tuple[Response, int]:
    response = jsonify({"error": {"code": code, "message": message}})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response, status
