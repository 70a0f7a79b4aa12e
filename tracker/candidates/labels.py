"""Human labels for engine record ids ("d12" → "Bachelor, Finance — University of Vermont")."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.records.words import (
    ATTESTATION_KINDS,
    DEGREE_LEVELS,
    EXAM_CODES,
    HELD_CREDENTIALS,
    word_for,
)
from tracker.web.filters import fmt_date

# An entry's status inside a sentence ("… 40 h (approved)"); other values show as they are.
ENTRY_STATES = {
    "pending": _l("pending"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
}


def entry_state(status: str) -> str:
    return str(ENTRY_STATES.get(status, status))


def _hours(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def record_labels(records: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for d in records.get("degrees", []):
        when = fmt_date(d["conferred_on"]) if d.get("conferred_on") else _("in progress")
        level = word_for(DEGREE_LEVELS, d["level"])
        labels[d["id"]] = _(
            "%(level)s, %(field)s — %(institution)s (%(when)s)",
            level=level, field=d["field"], institution=d["institution"], when=when,
        )  # fmt: skip
    for c in records.get("courses", []):
        when = fmt_date(c["completed_on"]) if c.get("completed_on") else _("not completed")
        labels[c["id"]] = f"{c['title']} ({when})"
    for e in records.get("exams", []):
        values = {"code": word_for(EXAM_CODES, e["code"]), "day": fmt_date(e["taken_on"])}
        labels[e["id"]] = (
            _("%(code)s exam, %(day)s, passed", **values)
            if e.get("passed")
            else _("%(code)s exam, %(day)s, not passed", **values)
        )
    for x in records.get("experience", []):
        values = {
            "start": fmt_date(x["start"]),
            "end": fmt_date(x["end"]),
            "hours": _hours(x["hours"]),
            "status": entry_state(x["status"]),
        }
        labels[x["id"]] = (
            _("Internship %(start)s – %(end)s, %(hours)s h (%(status)s)", **values)
            if x.get("source") == "internship"
            else _("Experience %(start)s – %(end)s, %(hours)s h (%(status)s)", **values)
        )
    for a in records.get("attestations", []):
        labels[a["id"]] = _(
            "Attestation '%(kind)s' signed %(day)s",
            kind=word_for(ATTESTATION_KINDS, a["kind"]),
            day=fmt_date(a["signed_on"]),
        )
    for h in records.get("credentials", []):
        labels[h["id"]] = _(
            "Held credential %(credential)s since %(day)s",
            credential=word_for(HELD_CREDENTIALS, h["id"]), day=fmt_date(h["awarded_on"]),
        )  # fmt: skip
    for w in records.get("waivers", []):
        labels[w["id"]] = _(
            "Waiver by %(name)s on %(day)s: %(reason)s",
            name=w["approved_by"], day=w["approved_on"], reason=w["reason"],
        )  # fmt: skip
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
