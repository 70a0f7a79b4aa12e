"""Human labels for engine record ids ("d12" → "Bachelor, Finance — University of Vermont")."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.records.words import (
    ATTESTATION_KINDS,
    DEGREE_LEVELS,
    EXAM_CODES,
    HELD_CREDENTIALS,
    word_for,
)
from tracker.web.filters import fmt_date, fmt_hours

# An entry's status inside a sentence ("… 40 h (approved)"); other values show as they are.
ENTRY_STATES = {
    "pending": _l("pending"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
}


def entry_state(status: str) -> str:
    return str(ENTRY_STATES.get(status, status))


def _degree(d: dict[str, Any]) -> str:
    when = fmt_date(d["conferred_on"]) if d.get("conferred_on") else _("in progress")
    level = word_for(DEGREE_LEVELS, d["level"])
    return _(
        "%(level)s, %(field)s — %(institution)s (%(when)s)",
        level=level, field=d["field"], institution=d["institution"], when=when,
    )  # fmt: skip


def _course(c: dict[str, Any]) -> str:
    when = fmt_date(c["completed_on"]) if c.get("completed_on") else _("not completed")
    return f"{c['title']} ({when})"


def _exam(e: dict[str, Any]) -> str:
    values = {"code": word_for(EXAM_CODES, e["code"]), "day": fmt_date(e["taken_on"])}
    if e.get("passed"):
        return _("%(code)s exam, %(day)s, passed", **values)
    return _("%(code)s exam, %(day)s, not passed", **values)


def _experience(x: dict[str, Any]) -> str:
    values = {
        "start": fmt_date(x["start"]),
        "end": fmt_date(x["end"]),
        "hours": fmt_hours(x["hours"]),
        "status": entry_state(x["status"]),
    }
    if x.get("source") == "internship":
        return _("Internship %(start)s – %(end)s, %(hours)s h (%(status)s)", **values)
    return _("Experience %(start)s – %(end)s, %(hours)s h (%(status)s)", **values)


def _attestation(a: dict[str, Any]) -> str:
    return _(
        "Attestation '%(kind)s' signed %(day)s",
        kind=word_for(ATTESTATION_KINDS, a["kind"]),
        day=fmt_date(a["signed_on"]),
    )


def _held(h: dict[str, Any]) -> str:
    return _(
        "Held credential %(credential)s since %(day)s",
        credential=word_for(HELD_CREDENTIALS, h["id"]), day=fmt_date(h["awarded_on"]),
    )  # fmt: skip


def _waiver(w: dict[str, Any]) -> str:
    return _(
        "Waiver by %(name)s on %(day)s: %(reason)s",
        name=w["approved_by"], day=w["approved_on"], reason=w["reason"],
    )  # fmt: skip


LABELERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "degrees": _degree,
    "courses": _course,
    "exams": _exam,
    "experience": _experience,
    "attestations": _attestation,
    "credentials": _held,
    "waivers": _waiver,
}


class RecordLabels(Mapping[str, str]):
    """The label of each record of a records JSON by its engine id, made when a page first
    asks for it: a progress page shows fifty records per requirement at most, of a
    candidate who may have logged ten years of weekly entries."""

    def __init__(self, records: dict[str, Any]) -> None:
        self._records: dict[str, tuple[Callable[[dict[str, Any]], str], dict[str, Any]]] = {
            r["id"]: (label, r) for kind, label in LABELERS.items() for r in records.get(kind, [])
        }
        self._made: dict[str, str] = {}

    def __getitem__(self, record_id: str) -> str:
        made = self._made.get(record_id)
        if made is None:
            label, record = self._records[record_id]
            made = self._made[record_id] = label(record)
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


def record_labels(records: dict[str, Any]) -> RecordLabels:
    return RecordLabels(records)


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
