"""Every answer checked against the served OpenAPI document.

`CheckedClient` wraps the Flask test client: each call is matched to the documented
operation (path template and method), and its answer must have a documented status, a
documented media type, the documented headers' types and, for JSON, a body that validates
against the documented schema (JSON Schema 2020-12, formats checked). A 405 must carry
`Allow` and the error body. What the document leaves out is a failure of the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

API = "/api/v1"
NOBODY = object()


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}$")


@dataclass
class CheckedClient:
    client: Any
    document: dict[str, Any]
    checked: int = 0
    _templates: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Literal segments win over parameters (/evidence/{id} vs a longer template).
        paths = sorted(self.document["paths"], key=lambda p: (p.count("{"), -len(p)))
        self._templates = [(p, _template_regex(p)) for p in paths]

    # --- calls ---------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = NOBODY,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if body is not NOBODY:
            kwargs["json"] = body
        response = self.client.open(API + path, method=method, headers=all_headers, **kwargs)
        self.check(method, path, response)
        return response

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> Any:
        return self.call("GET", path, token, **kwargs)

    # --- the check -----------------------------------------------------------------------

    def template(self, path: str) -> str | None:
        bare = urlsplit(path).path
        for template, regex in self._templates:
            if regex.match(bare):
                return template
        return None

    def check(self, method: str, path: str, response: Any) -> None:
        template = self.template(path)
        where = f"{method} {path} → {response.status_code}"
        if template is None:
            # A path the API does not have: 404 with the error body.
            assert response.status_code == 404, f"{where}: no documented path"
            self._validate_json(response, {"$ref": "#/components/schemas/Error"}, where)
            self.checked += 1
            return
        item = self.document["paths"][template]
        operation = item.get(method.lower())
        if method == "HEAD" and operation is None:
            operation = item.get("get")
        if operation is None:
            # A method the path does not take: 405 with Allow and the error body.
            assert response.status_code == 405, where
            allow = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert {m.upper() for m in item} <= allow, (where, allow)
            self._validate_json(response, {"$ref": "#/components/schemas/Error"}, where)
            self.checked += 1
            return
        responses = operation["responses"]
        answer = responses.get(str(response.status_code))
        assert answer is not None, f"{where}: status not documented ({sorted(responses)})"
        for name, header in (answer.get("headers") or {}).items():
            value = response.headers.get(name)
            if value is not None and header.get("schema", {}).get("type") == "integer":
                assert value.isdigit(), (where, name, value)
        content = answer.get("content")
        if not content:
            assert not response.data or method == "HEAD", f"{where}: undocumented body"
            self.checked += 1
            return
        assert response.mimetype in content, f"{where}: {response.mimetype} not in {list(content)}"
        if method != "HEAD" and response.mimetype == "application/json":
            self._validate_json(response, content["application/json"]["schema"], where)
        self.checked += 1

    def _validate_json(self, response: Any, schema: dict[str, Any], where: str) -> None:
        key = repr(sorted(schema.items()))
        validator = self._validators.get(key)
        if validator is None:
            root = {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": self.document["components"],
                **schema,
            }
            validator = Draft202012Validator(
                root, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            self._validators[key] = validator
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
        assert not errors, f"{where}: answer does not match the document: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]
        )
