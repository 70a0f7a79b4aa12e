"""Declaring an API operation once: its route, body, query, answer and errors.

`@operation(...)` registers the Flask route and records what the OpenAPI document says of
it (openapi.py builds the document from `OPERATIONS`, never by hand). Handlers read the
body and the query with `body()` and `query()`, which parse them by the declared schemas,
so what is documented is what is enforced (a declared body that is never read fails
loudly); a handler returns an answer dict, a `Listing` (paged), None (204) or a Response.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import GenericAlias
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError
from sqlalchemy import Select, func, select

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.schema import errors_of, parse

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

bp = Blueprint("api", __name__, url_prefix="/api/v1")
"""The /api/v1 blueprint every operation registers on (its hooks are in api/__init__.py)."""


class Query(BaseModel):
    """Query strings are text: numbers and dates are read from it; unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", strict=False)


# A cursor is opaque to clients (they follow the Link header): 8 characters of base64url,
# every one of which reads as a position (past the end: an empty last page).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{8}$"
_CURSOR_BYTES = 6


class ListQuery(Query):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="rows per page")
    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="where the page starts: opaque, from the previous page's Link header",
    )


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    operation_id: str
    tag: str
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    answer: Any = None
    """A schema, `list[schema]`, or a media type string ("application/pdf", "text/csv")."""
    status: int = 200
    errors: tuple[int, ...] = ()
    paged: bool = False
    multipart: bool = False
    public: bool = False
    csv: bool = False
    description: str | None = None
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    """The operations a success leads to (OpenAPI links): operationId → its path parameters
    as runtime expressions, e.g. {"getDegree": {"record_id": "$response.body#/id"}}."""


OPERATIONS: list[Operation] = []


def _endpoint(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def list_of(schema: type[BaseModel]) -> Any:
    """list[schema] for a schema chosen at run time (the record kinds' answers)."""
    return GenericAlias(list, (schema,))


def endpoint_of(op: Operation) -> str:
    """The Flask endpoint of an operation: its operationId in snake case (getMe → get_me)."""
    return _endpoint(op.operation_id)


def operation(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    operation_id: str,
    tag: str,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    answer: Any = None,
    status: int = 200,
    errors: Sequence[int] = (),
    paged: bool = False,
    multipart: bool = False,
    public: bool = False,
    csv: bool = False,
    description: str | None = None,
    links: dict[str, dict[str, str]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as the handler of one documented operation."""
    if paged and query is None:
        query = ListQuery
    op = Operation(method, rule, operation_id, tag, summary, body, query, answer, status,
                   tuple(errors), paged, multipart, public, csv, description,
                   dict(links or {}))  # fmt: skip

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        def view(**path: Any) -> Any:
            g.api_operation = op
            result = fn(**path)
            if op.body is not None and not g.get("api_body_read"):
                raise RuntimeError(f"{op.operation_id} declares a body but never read it")
            if isinstance(result, Response | tuple):
                return result
            if isinstance(result, Listing):
                return result.response()
            if result is None:
                return Response(status=204)
            return jsonify(result), status

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        bp.add_url_rule(rule, endpoint=_endpoint(operation_id), view_func=view, methods=[method])
        OPERATIONS.append(op)
        return fn

    return register


def body() -> Any:
    """The request's body, parsed by the operation's declared schema.

    Handlers read it after loading and authorizing, so that a stranger learns nothing from
    a 400 (load → authorize → act); the vocabulary and "today" of the check are the app's.
    """
    op: Operation = g.api_operation
    assert op.body is not None, f"{op.operation_id} declares no body"
    from tracker.candidates.operations import context

    g.api_body_read = True
    return parse(op.body, _raw_body(), context())


def query() -> Any:
    """The query string, parsed by the operation's declared schema."""
    op: Operation = g.api_operation
    assert op.query is not None, f"{op.operation_id} declares no query"
    return parse_query(op.query)


def _raw_body() -> bytes:
    """The request body, which must be one JSON object (an empty body reads as {})."""
    data = request.get_data(cache=True)
    if not data.strip():
        return b"{}"
    if not data.lstrip().startswith(b"{"):
        raise ValidationError("body", "must be a JSON object")
    return data


def parse_query(schema: type[BaseModel]) -> Any:
    raw = {key: request.args.get(key) for key in schema.model_fields if key in request.args}
    try:
        return schema.model_validate(raw)
    except SchemaError as exc:
        raise errors_of(exc, schema) from None


# --- paging ------------------------------------------------------------------------------


def _decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for (the query schema checked its form)."""
    if not cursor:
        return 0
    return int.from_bytes(base64.urlsafe_b64decode(cursor), "big")


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(offset.to_bytes(_CURSOR_BYTES, "big")).decode()


@dataclass
class Listing:
    """A list answer, paged with `limit` and `cursor`: a SELECT (paged in SQL) or a list."""

    source: Select[Any] | Sequence[Any]
    to_json: Callable[[Any], Any]
    batch: Callable[[list[Any]], list[Any]] | None = None
    """Answers for a whole page at once (e.g. records with their evidence in one query)."""
    scalars: bool = True

    def response(self) -> Response:
        paging = query()
        offset = _decode_cursor(paging.cursor)
        limit = int(paging.limit)
        if isinstance(self.source, Select):
            total = int(
                db.session.scalar(
                    select(func.count()).select_from(self.source.order_by(None).subquery())
                )
                or 0
            )
            page_stmt = self.source.limit(limit).offset(offset)
            rows = list(
                db.session.scalars(page_stmt) if self.scalars else db.session.execute(page_stmt)
            )
        else:
            total = len(self.source)
            rows = list(self.source[offset : offset + limit])
        items = self.batch(rows) if self.batch is not None else [self.to_json(r) for r in rows]
        response = jsonify(items)
        response.headers["X-Total-Count"] = str(total)
        if offset + limit < total:
            args = {k: v for k, v in request.args.items() if k != "cursor"}
            args["cursor"] = _encode_cursor(offset + limit)
            response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
        return response
