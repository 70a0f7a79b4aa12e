"""The OpenAPI 3.1 document of /api/v1, generated from the declared operations.

Nothing here restates a field: bodies, queries and answers come from the schemas that
parse and describe them (routing.OPERATIONS), the vocabulary enums from the loaded
definitions. Served at /api/v1/openapi.json.
"""

from __future__ import annotations

import copy
import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tracker.api import answers
from tracker.api.routing import OPERATIONS, Operation
from tracker.schema import MAX_ID, Vocabulary

ERROR_TEXT = {
    400: "Bad input: the message names the field",
    401: "No or bad token",
    403: "Authenticated but not allowed",
    404: "Not found, or not visible to you",
    405: "Method not allowed (see Allow)",
    409: "Conflict: already decided, verified or changed since (code `stale`)",
    413: "The upload is too large",
}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path(rule: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule).removeprefix("/api/v1")


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for converter, name in _PARAM.findall(rule):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[^/]+$"}
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _models(op: Operation) -> list[type[BaseModel]]:
    found = [m for m in (op.body, op.query) if m is not None]
    answer = op.answer
    if typing.get_origin(answer) is list:
        answer = typing.get_args(answer)[0]
    if isinstance(answer, type) and issubclass(answer, BaseModel):
        found.append(answer)
    return found


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel], defs: dict[str, Any]) -> list[dict[str, Any]]:
    schema = defs[model.__name__]
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _plain(prop),
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: a nullable one is simply optional in a query string."""
    prop = {k: v for k, v in prop.items() if k not in ("title", "description")}
    options = prop.get("anyOf")
    if options:
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            prop = {**{k: v for k, v in prop.items() if k != "anyOf"}, **kept[0]}
    if prop.get("default") is None:
        prop.pop("default", None)
    return prop


def _content(answer: Any) -> dict[str, Any]:
    if isinstance(answer, tuple):
        return {media: {"schema": {"type": "string", "format": "binary"}} for media in answer}
    if isinstance(answer, str):
        media = {"schema": {"type": "string", "format": "binary"}}
        if answer == "text/csv":
            media = {"schema": {"type": "string"}}
        return {answer: media}
    if typing.get_origin(answer) is list:
        return {
            "application/json": {
                "schema": {"type": "array", "items": _ref(typing.get_args(answer)[0])}
            }
        }
    return {"application/json": {"schema": _ref(answer)}}


PAGING_HEADERS = {
    "X-Total-Count": {
        "description": "How many rows the whole list holds",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Link": {
        "description": 'The next page: `<URL>; rel="next"` (absent on the last page)',
        "schema": {"type": "string"},
    },
}


def _operation(op: Operation, defs: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": op.summary,
    }
    if op.description:
        doc["description"] = op.description
    params = _path_parameters(op.rule)
    if op.query is not None:
        params += _query_parameters(op.query, defs)
    if params:
        doc["parameters"] = params
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    elif op.multipart:
        doc["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    responses: dict[str, Any] = {}
    if op.status == 204 or op.answer is None:
        responses[str(op.status)] = {"description": "Done"}
    else:
        ok: dict[str, Any] = {"description": "OK", "content": _content(op.answer)}
        if op.csv:
            ok["content"]["text/csv"] = {"schema": {"type": "string"}}
        if op.paged:
            ok["headers"] = PAGING_HEADERS
        responses[str(op.status)] = ok
    errors = set(op.errors) | {405}
    if not op.public:
        errors |= {401}
    if op.query is not None or op.body is not None or op.multipart:
        errors.add(400)
    for code in sorted(errors):
        responses[str(code)] = {
            "description": ERROR_TEXT[code],
            "content": {"application/json": {"schema": _ref(answers.Error)}},
        }
        if code == 405:
            responses["405"]["headers"] = {
                "Allow": {
                    "description": "The methods this path takes",
                    "schema": {"type": "string"},
                }
            }
    doc["responses"] = responses
    if op.public:
        doc["security"] = []
    return doc


def _with_vocabulary(node: Any, vocabulary: Vocabulary | None) -> Any:
    """`x-vocabulary: KEY` marks a value the loaded definitions decide: list them."""
    if isinstance(node, dict):
        out = {k: _with_vocabulary(v, vocabulary) for k, v in node.items()}
        key = out.get("x-vocabulary")
        if key and vocabulary is not None:
            allowed = sorted(vocabulary.allowed(key))
            if allowed:
                out["enum"] = allowed
                out.pop("pattern", None)
        return out
    if isinstance(node, list):
        return [_with_vocabulary(v, vocabulary) for v in node]
    return node


def spec(vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """The whole document; with a vocabulary, vocabulary fields list their allowed values."""
    models: dict[str, type[BaseModel]] = {answers.Error.__name__: answers.Error}
    for op in OPERATIONS:
        for model in _models(op):
            models[model.__name__] = model
    _, top = models_json_schema(
        [(m, "validation") for m in models.values()],
        ref_template="#/components/schemas/{model}",
    )
    defs = copy.deepcopy(top.get("$defs", {}))
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(op, defs)
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Tracker API",
            "version": "2",
            "description": "Training and certification records, approvals and progress. "
            'Errors are {"error": {"code", "message"}}; lists take `limit` and `cursor` '
            "and answer the total in `X-Total-Count` and the next page in `Link`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [{"name": tag} for tag in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": defs,
        },
    }
    described: dict[str, Any] = _with_vocabulary(document, vocabulary)
    return described
