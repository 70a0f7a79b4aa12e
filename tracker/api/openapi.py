"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

DATE = {"type": "string", "format": "date", "example": "2024-03-10"}
ID = {"type": "integer", "minimum": 1}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


ERROR = _obj(
    {
        "error": _obj(
            {"code": {"type": "string"}, "message": {"type": "string"}}, ["code", "message"]
        )
    },
    ["error"],
)
USER = _obj(
    {
        "id": ID,
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["candidate", "mentor", "coordinator", "admin"]},
        "organization_id": {"type": ["integer", "null"]},
    },
    ["id", "email", "name", "role", "organization_id"],
)
BODIES: dict[str, dict[str, Any]] = {
    "Enrolment": _obj(
        {
            "credential": {"type": "string", "example": "cfp"},
            "pathway": {"type": "string", "example": "standard"},
        },
        ["credential"],
    ),
    "Degree": _obj(
        {
            "level": {"type": "string", "enum": ["associate", "bachelor", "master", "doctorate"]},
            "field": {"type": "string"},
            "institution": {"type": "string"},
            "accredited": {"type": "boolean"},
            "conferred_on": {**DATE, "type": ["string", "null"]},
        },
        ["level", "field", "institution"],
    ),
    "Course": _obj(
        {
            "title": {"type": "string"},
            "provider": {"type": "string", "example": "cfp-registered"},
            "topics": {"type": "array", "items": {"type": "string"}},
            "credits": {"type": "number", "minimum": 0},
            "completed_on": DATE,
            "passed": {"type": "boolean"},
        },
        ["title", "provider"],
    ),
    "Exam": _obj(
        {
            "code": {"type": "string", "example": "CFP"},
            "taken_on": DATE,
            "passed": {"type": "boolean"},
        },
        ["code", "taken_on", "passed"],
    ),
    "Attestation": _obj(
        {"kind": {"type": "string", "example": "ethics"}, "signed_on": DATE}, ["kind"]
    ),
    "HeldCredential": _obj(
        {
            "id": {"type": "string", "example": "cpa"},
            "awarded_on": DATE,
            "expires_on": {**DATE, "type": ["string", "null"]},
        },
        ["id", "awarded_on"],
    ),
    "Experience": _obj(
        {
            "start": DATE,
            "end": DATE,
            "hours": {"type": "number", "exclusiveMinimum": 0},
            "category": {"type": "string", "example": "financial-planning"},
            "supervised": {"type": "boolean"},
            "employer": {"type": "string"},
            "description": {"type": "string"},
        },
        ["start", "end", "hours", "category"],
    ),
    "Internship": _obj(
        {
            "mentor_id": ID,
            "start": DATE,
            "end": DATE,
            "hours": {"type": "number", "exclusiveMinimum": 0},
            "host": {"type": "string"},
        },
        ["mentor_id", "start", "end", "hours", "host"],
    ),
    "Decision": _obj({"reason": {"type": "string"}}, ["reason"]),
    "SignOff": _obj({"comment": {"type": "string"}}),
    "Empty": _obj({}),
}
ERRORS = {
    str(code): {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for code, text in [
        (400, "Bad input; the message names the field"),
        (401, "No or bad token"),
        (403, "Not allowed"),
        (404, "Not found or not visible to you"),
        (409, "Conflict, e.g. the entry was already decided"),
    ]
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    *,
    body: str | None = None,
    ok: int = 200,
    answer: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    content: str = "application/json",
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(ok): {
                "description": "OK",
                **({"content": {content: {"schema": answer or {}}}} if content else {}),
            },
            **ERRORS,
        },
    }
    if body:
        op["requestBody"] = {"required": True, **_json({"$ref": f"#/components/schemas/{body}"})}
    if params:
        op["parameters"] = params
    return op


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, required: bool, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def spec() -> dict[str, Any]:
    cid = [_path_id("candidate_id")]
    created = {"type": "object", "properties": {"id": ID}, "required": ["id"]}
    status = {"type": "string", "enum": ["pending", "approved", "rejected"]}
    pending = _obj({"id": ID, "status": status}, ["id", "status"])
    decided = _obj({"status": status}, ["status"])
    record_routes = {
        f"/candidates/{{candidate_id}}/{name}": {
            "post": _op(
                f"Add a {label} (the candidate)", body=body, ok=201, answer=created, params=cid
            )
        }
        for name, label, body in [
            ("degrees", "degree", "Degree"),
            ("courses", "course", "Course"),
            ("exams", "exam result", "Exam"),
            ("attestations", "attestation", "Attestation"),
            ("credentials", "held credential", "HeldCredential"),
            ("experience", "pending experience entry", "Experience"),
        ]
    }
    paths: dict[str, Any] = {
        "/me": {"get": _op("The token's user", answer=USER)},
        "/candidates": {
            "get": _op(
                "Candidates visible to you",
                answer={
                    "type": "array",
                    "items": _obj(
                        {"id": ID, "email": {"type": "string"}, "name": {"type": "string"}}
                    ),
                },
            )
        },
        "/candidates/{candidate_id}/enrolments": {
            "post": _op("Enrol a candidate", body="Enrolment", ok=201, answer=created, params=cid)
        },
        **record_routes,
        "/candidates/{candidate_id}/internships": {
            "post": _op(
                "Request an internship", body="Internship", ok=201, answer=pending, params=cid
            )
        },
        "/approvals": {
            "get": _op(
                "Pending entries you may decide",
                answer={
                    "type": "array",
                    "items": _obj(
                        {
                            "id": ID,
                            "type": {"type": "string", "enum": ["experience", "internship"]},
                            "candidate_id": ID,
                            "hours": {"type": "number"},
                            "start": DATE,
                            "end": DATE,
                        }
                    ),
                },
            )
        },
        "/experience/{entry_id}/approve": {
            "post": _op(
                "Approve experience", body="Empty", answer=decided, params=[_path_id("entry_id")]
            )
        },
        "/experience/{entry_id}/reject": {
            "post": _op(
                "Reject experience", body="Decision", answer=decided, params=[_path_id("entry_id")]
            )
        },
        "/internships/{internship_id}/signoff": {
            "post": _op(
                "Sign off an internship",
                body="SignOff",
                answer=decided,
                params=[_path_id("internship_id")],
            )
        },
        "/internships/{internship_id}/reject": {
            "post": _op(
                "Return an internship",
                body="Decision",
                answer=decided,
                params=[_path_id("internship_id")],
            )
        },
        "/candidates/{candidate_id}/progress": {
            "get": _op(
                "Evaluate progress (the engine's result JSON)",
                params=cid
                + [
                    _query("credential", True, {"type": "string"}),
                    _query("as_of", False, DATE),
                    _query("pathway", False, {"type": "string"}),
                ],
            )
        },
        "/candidates/{candidate_id}/statement.pdf": {
            "get": _op(
                "Progress statement (PDF)",
                params=cid + [_query("credential", True, {"type": "string"})],
                content="application/pdf",
                answer={"type": "string", "format": "binary"},
            )
        },
        "/audit": {
            "get": _op(
                "Audit events",
                params=[_query("candidate_id", False, ID)],
                answer={
                    "type": "array",
                    "items": _obj(
                        {
                            "at": {"type": "string", "format": "date-time"},
                            "actor_id": {"type": ["integer", "null"]},
                            "action": {"type": "string"},
                            "target": {"type": "string"},
                            "before": {},
                            "after": {},
                        },
                        ["at", "actor_id", "action", "target", "before", "after"],
                    ),
                },
            )
        },
        "/openapi.json": {
            "get": {
                **_op("This description (no token needed)", answer={"type": "object"}),
                "security": [],
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tracker API",
            "version": "1.0.0",
            "description": "Training and certification tracking. Errors are "
            '{"error": {"code", "message"}}.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR, "User": USER, **BODIES},
        },
        "paths": paths,
    }
