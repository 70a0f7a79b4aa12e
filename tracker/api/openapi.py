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
from tracker.candidates.evidence import CONTENT_TYPES, MAX_BYTES
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
        # A body without required fields may be left out: the server reads none as {}.
        doc["requestBody"] = {
            "required": bool(defs[op.body.__name__].get("required")),
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    elif op.multipart:
        doc["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": "a PDF, PNG or JPEG (read by its content), "
                                f"at most {MAX_BYTES // 2**20} MB",
                            }
                        },
                        "required": ["file"],
                    },
                    "encoding": {"file": {"contentType": ", ".join(CONTENT_TYPES)}},
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
        if op.links:
            ok["links"] = {
                target: {"operationId": target, "parameters": parameters}
                for target, parameters in op.links.items()
            }
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


# The shared types of the values the loaded definitions decide (schema.py's x-vocabulary keys).
VOCABULARY_TYPES = {
    "categories": "Category",
    "exam_codes": "ExamCode",
    "attestation_kinds": "AttestationKind",
    "providers": "Provider",
    "topics": "Topic",
    "definitions": "CredentialId",
    "pathways": "Pathway",
    "versions": "RulesVersion",
    "requirements": "RequirementId",
}
_ANNOTATIONS = ("description", "default", "examples")


def _vocabulary_types(node: Any, vocabulary: Vocabulary | None, found: dict[str, Any]) -> Any:
    """A field marked `x-vocabulary: KEY` refers to one shared type; with a vocabulary the
    type lists the loaded values (an enum), without one it says their form."""
    if isinstance(node, list):
        return [_vocabulary_types(v, vocabulary, found) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _vocabulary_types(v, vocabulary, found) for k, v in node.items()}
    key = out.get("x-vocabulary")
    if not key:
        return out
    name = VOCABULARY_TYPES[key]
    shared = {k: v for k, v in out.items() if k not in (*_ANNOTATIONS, "title")}
    allowed = sorted(vocabulary.allowed(key)) if vocabulary is not None else []
    if allowed:
        shared["enum"] = allowed
        shared.pop("pattern", None)
    found[name] = shared
    ref = {"$ref": f"#/components/schemas/{name}", **{k: out[k] for k in _ANNOTATIONS if k in out}}
    if "title" in out and "description" not in ref:
        ref["description"] = out["title"]
    return ref


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _named_enums(schemas: dict[str, Any]) -> None:
    """Tidy the properties for code generators: an inline enum or free-form object becomes a
    named type (`<Model><Field>`, e.g. ExperienceStatus) and a property's title becomes its
    description (generators name types after titles: "Kind of work" made poor names)."""
    for model in list(schemas):
        for field, prop in schemas[model].get("properties", {}).items():
            title = prop.pop("title", None)
            if title and "description" not in prop:
                prop["description"] = title
            options = prop.get("anyOf", [prop])
            for i, option in enumerate(options):
                free_object = option.get("type") == "object" and "properties" not in option
                if ("enum" in option or free_object) and "$ref" not in option:
                    name = f"{model}{_camel(field)}"
                    schemas[name] = {k: v for k, v in option.items() if k not in _ANNOTATIONS}
                    ref = {"$ref": f"#/components/schemas/{name}"}
                    if option is prop:
                        annotations = {k: prop[k] for k in _ANNOTATIONS if k in prop}
                        prop.clear()
                        prop.update(ref, **annotations)
                    else:
                        options[i] = ref


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
    for op in OPERATIONS:  # queries are described as parameters, not as bodies
        if op.query is not None:
            defs.pop(op.query.__name__, None)
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
    shared: dict[str, Any] = {}
    document = _vocabulary_types(document, vocabulary, shared)
    schemas = document["components"]["schemas"]
    schemas.update(shared)
    _named_enums(schemas)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    described: dict[str, Any] = document
    return described
