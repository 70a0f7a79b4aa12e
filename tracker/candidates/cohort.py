"""The cohort at a glance: one summary row per enrolment, for the cohort page, its CSV and
the coordinator's home page."""

from __future__ import annotations

from typing import Any

from tracker.accounts.models import User
from tracker.candidates.labels import next_due, waived_requirements
from tracker.credentials.catalog import Catalog
from tracker.credentials.evaluation import evaluate_cohort
from tracker.timeutil import today


def _pending_hours(result: dict[str, Any]) -> float:
    total = 0.0

    def walk(nodes: list[dict[str, Any]]) -> None:
        nonlocal total
        for node in nodes:
            if node["kind"] == "hours" and node["status"] != "not_applicable":
                total = max(total, float(node.get("pending_hours") or 0))
            walk(node.get("children", []))

    walk(result["requirements"])
    return total


def projected_on(result: dict[str, Any]) -> str | None:
    """When the unmet hours requirements would be met at the current pace (the latest)."""
    dates: list[str] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node["status"] == "not_applicable":
                continue
            if node["kind"] == "hours" and node["status"] != "met" and node.get("projected_on"):
                dates.append(node["projected_on"])
            walk(node.get("children", []))

    walk(result["requirements"])
    return max(dates) if dates else None


def cohort_rows(catalog: Catalog, people: list[User]) -> list[dict[str, Any]]:
    """One row per enrolment: status, progress, met_on, next due date and pending hours."""
    rows = []
    for p in evaluate_cohort(catalog, people, today()):
        definition = catalog.get(p.enrolment.credential)
        result = p.result or {}
        rows.append(
            {
                "candidate": p.candidate,
                "credential": p.enrolment.credential,
                "credential_name": definition.name if definition else p.enrolment.credential,
                "pathway": (
                    definition.pathways.get(p.enrolment.pathway or "", p.enrolment.pathway or "")
                    if definition
                    else p.enrolment.pathway
                )
                or "",
                "pathway_id": p.enrolment.pathway,
                "status": result.get("status", "error"),
                "waived": bool(result.get("waived")),
                "waivers": waived_requirements(result),
                "progress": float(result.get("progress") or 0),
                "met_on": result.get("met_on"),
                "due": next_due(result.get("requirements", [])) if result else None,
                "pending_hours": _pending_hours(result) if result else 0.0,
                "projected_on": projected_on(result) if result else None,
                "error": p.error,
            }
        )
    return rows
