"""Small builders for the engine tests: inline definitions and records, no seed files."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.requirements_engine import Definition, evaluate, parse_definition

AS_OF = date(2026, 11, 26)


def define(*requirements: dict[str, Any], **top: Any) -> Definition:
    data: dict[str, Any] = {"id": "test", "name": "Test credential", "version": "1"}
    data.update(top)
    data["requirements"] = list(requirements)
    return parse_definition(data, "test.yaml")


def entry(
    id_: str,
    start: str,
    end: str,
    hours: float,
    status: str = "approved",
    **extra: Any,
) -> dict[str, Any]:
    item = {"id": id_, "start": start, "end": end, "hours": hours, "status": status}
    item.update(extra)
    return item


def exam(id_: str, code: str, taken_on: str, passed: bool = True, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "code": code, "taken_on": taken_on, "passed": passed, **extra}


def course(id_: str, completed_on: str | None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": id_,
        "provider": "p",
        "topics": [],
        "credits": 3,
        "completed_on": completed_on,
        "passed": True,
    }
    item.update(extra)
    return item


def degree(id_: str, conferred_on: str | None, level: str = "bachelor", **extra: Any) -> dict:
    item: dict[str, Any] = {
        "id": id_,
        "level": level,
        "field": "Finance",
        "institution": "Example University",
        "accredited": True,
        "conferred_on": conferred_on,
    }
    item.update(extra)
    return item


def run(
    definition: Definition,
    records: dict[str, Any],
    as_of: str | date = AS_OF,
    **kwargs: Any,
) -> dict[str, Any]:
    when = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return evaluate(definition, records, when, **kwargs)


def find(result: dict[str, Any], node_id: str) -> dict[str, Any]:
    stack = list(result["requirements"])
    while stack:
        node = stack.pop()
        if node["id"] == node_id:
            return node
        stack.extend(node["children"])
    raise AssertionError(f"no node {node_id!r}")


def walk(result: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    stack = list(result["requirements"])
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node["children"])
    return found


def reasons(node: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["reason"] for item in node["excluded"]}
