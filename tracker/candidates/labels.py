"""Human labels for engine record ids ("d12" → "Bachelor, Finance — University of Vermont")."""

from __future__ import annotations

from typing import Any


def _hours(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def record_labels(records: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for d in records.get("degrees", []):
        when = d.get("conferred_on") or "in progress"
        labels[d["id"]] = f"{d['level'].title()}, {d['field']} — {d['institution']} ({when})"
    for c in records.get("courses", []):
        labels[c["id"]] = f"{c['title']} ({c.get('completed_on') or 'not completed'})"
    for e in records.get("exams", []):
        result = "passed" if e.get("passed") else "not passed"
        labels[e["id"]] = f"{e['code']} exam, {e['taken_on']}, {result}"
    for x in records.get("experience", []):
        what = "Internship" if x.get("source") == "internship" else "Experience"
        labels[x["id"]] = (
            f"{what} {x['start']} – {x['end']}, {_hours(x['hours'])} h ({x['status']})"
        )
    for a in records.get("attestations", []):
        labels[a["id"]] = f"Attestation '{a['kind']}' signed {a['signed_on']}"
    for h in records.get("credentials", []):
        labels[h["id"]] = f"Held credential {h['id'].upper()} since {h['awarded_on']}"
    for w in records.get("waivers", []):
        labels[w["id"]] = f"Waiver by {w['approved_by']} on {w['approved_on']}: {w['reason']}"
    return labels


def leaves_left(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The unmet, applicable leaves of a result tree: what is left to do."""
    out: list[dict[str, Any]] = []
    for node in nodes:
        if node["status"] in ("met", "not_applicable"):
            continue
        children = [c for c in node.get("children", []) if c["status"] != "not_applicable"]
        if not children:
            out.append(node)
        elif node["kind"] in ("any", "at_least") and len(children) > 1:
            # Several routes: show the choice itself, its detail names what is needed.
            out.append(node)
        else:
            out.extend(leaves_left(children))
    return out


def next_due(nodes: list[dict[str, Any]]) -> str | None:
    """The earliest due date of a requirement not yet met."""
    dates: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for node in items:
            if node.get("due") and node["status"] != "met":
                dates.append(node["due"])
            walk(node.get("children", []))

    walk(nodes)
    return min(dates) if dates else None


def waived_requirements(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The nodes a waiver was granted on (their detail gives its reason), found under each
    waived node: what a page names next to a result so that a waiver never reads as met."""
    out: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]], inside: bool) -> None:
        for node in nodes:
            children = node.get("children") or []
            if node.get("waived"):
                if any(c.get("waived") for c in children):
                    walk(children, True)
                else:
                    out.append(node)
            elif not inside:
                walk(children, False)

    if result:
        walk(result.get("requirements", []), False)
    return out
