"""The human-readable tree the command line prints, in the result's language."""

from __future__ import annotations

from typing import Any

from .texts import DEFAULT_LANGUAGE, say

MARKS = {
    "met": "✔",
    "in_progress": "◐",
    "not_started": "○",
    "expired": "✖",
    "not_applicable": "–",
}


def _status_line(item: dict[str, Any], lang: str) -> str:
    status = str(item.get("status", ""))
    label = say(lang, f"status.{status}") if status in MARKS else status
    label = f"{MARKS.get(status, '?')} {label}"
    if item.get("waived"):
        label += say(lang, "render.waived")
    if item.get("planned"):
        label += say(lang, "render.planned")
    parts = [label]
    if status != "not_applicable":
        parts.append(f"{round(float(item.get('progress', 0.0)) * 100)}%")
    for key, message in (("met_on", "met_on"), ("due", "due"), ("projected_on", "projected")):
        if item.get(key):
            parts.append(say(lang, f"render.{message}", date=item[key]))
    return ", ".join(parts)


def _reason(reason: str, lang: str) -> str:
    try:
        return say(lang, f"reason.{reason}")
    except KeyError:
        return reason.replace("_", " ")


def _node(item: dict[str, Any], depth: int, lines: list[str], lang: str) -> None:
    pad = "  " * depth
    lines.append(f"{pad}{item.get('title', '')} [{item.get('id', '')}]: {_status_line(item, lang)}")
    if item.get("detail"):
        lines.append(f"{pad}    {item['detail']}")
    excluded = item.get("excluded") or []
    if excluded and item.get("status") != "not_applicable":
        listed = ", ".join(f"{e['id']} ({_reason(e['reason'], lang)})" for e in excluded)
        lines.append(f"{pad}    {say(lang, 'render.not_counted', items=listed)}")
    for child in item.get("children", []):
        _node(child, depth + 1, lines, lang)


def render_text(result: dict[str, Any]) -> str:
    """An indented tree of the result with a status mark, progress and dates on each line."""
    lang = str(result.get("lang") or DEFAULT_LANGUAGE)
    name = result.get("name") or result.get("credential", "")
    head = say(
        lang,
        "render.head",
        name=name,
        credential=result.get("credential", ""),
        version=result.get("version", ""),
    )
    if result.get("pathway"):
        pathway = result["pathway"] if lang == DEFAULT_LANGUAGE else result.get("pathway_name")
        head += say(lang, "render.pathway", pathway=pathway or result["pathway"])
    head += say(lang, "render.as_of", as_of=result.get("as_of", ""))
    lines = [head, _status_line(result, lang), ""]
    for item in result.get("requirements", []):
        _node(item, 0, lines, lang)
    return "\n".join(lines) + "\n"
