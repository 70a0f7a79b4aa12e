"""The human-readable tree the command line prints."""

from __future__ import annotations

from typing import Any

MARKS = {
    "met": "✔",
    "in_progress": "◐",
    "not_started": "○",
    "expired": "✖",
    "not_applicable": "–",
}
LABELS = {
    "met": "met",
    "in_progress": "in progress",
    "not_started": "not started",
    "expired": "expired",
    "not_applicable": "not applicable",
}


def _status_line(item: dict[str, Any]) -> str:
    status = str(item.get("status", ""))
    label = f"{MARKS.get(status, '?')} {LABELS.get(status, status)}"
    if item.get("waived"):
        label += " (waived)"
    parts = [label]
    if status != "not_applicable":
        parts.append(f"{round(float(item.get('progress', 0.0)) * 100)}%")
    if item.get("met_on"):
        parts.append(f"met {item['met_on']}")
    if item.get("due"):
        parts.append(f"due {item['due']}")
    if item.get("projected_on"):
        parts.append(f"projected {item['projected_on']}")
    return ", ".join(parts)


def _node(item: dict[str, Any], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    lines.append(f"{pad}{item.get('title', '')} [{item.get('id', '')}]: {_status_line(item)}")
    if item.get("detail"):
        lines.append(f"{pad}    {item['detail']}")
    excluded = item.get("excluded") or []
    if excluded and item.get("status") != "not_applicable":
        listed = ", ".join(f"{e['id']} ({e['reason'].replace('_', ' ')})" for e in excluded)
        lines.append(f"{pad}    not counted: {listed}")
    for child in item.get("children", []):
        _node(child, depth + 1, lines)


def render_text(result: dict[str, Any]) -> str:
    """An indented tree of the result with a status mark, progress and dates on each line."""
    name = result.get("name") or result.get("credential", "")
    head = f"{name} ({result.get('credential', '')}, version {result.get('version', '')})"
    if result.get("pathway"):
        head += f", pathway {result['pathway']}"
    head += f", as of {result.get('as_of', '')}"
    lines = [head, _status_line(result), ""]
    for item in result.get("requirements", []):
        _node(item, 0, lines)
    return "\n".join(lines) + "\n"
