"""Loading the demo data of seed/demo.yaml through the app's own operations (idempotent)."""

from __future__ import annotations

import calendar
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from tracker.accounts.models import Organization, Role, User
from tracker.accounts.operations import create_organization, create_user, user_by_email
from tracker.approvals import operations as approvals
from tracker.candidates import operations as records
from tracker.config import shipped_path
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.mentoring.operations import create_internship
from tracker.notices import operations as notices

DEMO_FILE = shipped_path("demo.yaml")


@dataclass
class SeedSummary:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    password: str = ""

    def text(self) -> str:
        lines = [
            f"Demo data: {len(self.created)} users created, {len(self.skipped)} already present.",
            f"Demo logins (password for all: {self.password}):",
        ]
        lines += [f"  {role:<12} {email:<32} {name}" for role, email, name in self.logins]
        return "\n".join(lines)


def _months(start: str, end: str) -> list[tuple[date, date]]:
    y, m = (int(p) for p in start.split("-"))
    ey, em = (int(p) for p in end.split("-"))
    out = []
    while (y, m) <= (ey, em):
        out.append((date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _user(
    summary: SeedSummary, spec: dict[str, Any], role: Role, org: Organization | None, password: str
) -> tuple[User, bool]:
    summary.logins.append((role.value, spec["email"], spec["name"]))
    existing = user_by_email(spec["email"])
    if existing is not None:
        summary.skipped.append(spec["email"])
        return existing, False
    user = create_user(
        None,
        email=spec["email"],
        name=spec["name"],
        role=role.value,
        password=password,
        organization_id=org.id if org else None,
    )
    summary.created.append(spec["email"])
    return user, True


def load_demo(path: Path = DEMO_FILE) -> SeedSummary:
    data = yaml.safe_load(path.read_text())
    password = data["password"]
    summary = SeedSummary(password=password)
    catalog = current_catalog()
    admin, _ = _user(summary, data["admin"], Role.ADMIN, None, password)
    org = db.session.scalar(
        db.select(Organization).where(Organization.name == data["organization"])
    )
    if org is None:
        org = create_organization(admin, data["organization"])
    coordinator, _ = _user(summary, data["coordinator"], Role.COORDINATOR, org, password)
    for spec in data["mentors"]:
        _user(summary, spec, Role.MENTOR, org, password)
    for spec in data["candidates"]:
        candidate, created = _user(summary, spec, Role.CANDIDATE, org, password)
        if created:
            _load_candidate(candidate, coordinator, spec, catalog)
    return summary


def _load_candidate(candidate: User, coordinator: User, spec: dict[str, Any], catalog: Any) -> None:
    for enrolment in spec.get("enrol", []):
        records.enrol(candidate, candidate, catalog, enrolment)
    for kind in ("degrees", "courses", "exams", "attestations", "credentials"):
        for item in spec.get(kind, []):
            fields = {k: v for k, v in item.items() if k != "verified"}
            row = records.add_record(candidate, candidate, kind, fields, catalog=catalog)
            if item.get("verified"):
                records.verify_record(coordinator, candidate, kind, row)
    # `entries`: single entries with their own dates (a heavy week, a week logged twice),
    # logged after the monthly ones.
    blocks = [
        {**block, "spans": _months(block["from"], block["to"])} for block in spec.get("monthly", [])
    ]
    blocks += [
        {**item, "spans": [(item["start"], item["end"])]} for item in spec.get("entries", [])
    ]
    for block in blocks:
        for start, end in block["spans"]:
            # Past approvals are history: nobody is told of them again (a rejection is).
            history = notices.quiet() if block["status"] == "approved" else nullcontext()
            with history:
                entry = records.add_record(
                    candidate,
                    candidate,
                    "experience",
                    {
                        "start": start,
                        "end": end,
                        "hours": block["hours"],
                        "category": block["category"],
                        "supervised": block.get("supervised", False),
                        "employer": block.get("employer", ""),
                    },
                    catalog=catalog,
                )
                if block["status"] == "approved":
                    approvals.approve_experience(coordinator, entry)
                elif block["status"] == "rejected":
                    approvals.reject_experience(
                        coordinator, entry, block.get("reason", "Not qualifying")
                    )
    for item in spec.get("internships", []):
        mentor = user_by_email(item["mentor"])
        assert mentor is not None, item["mentor"]
        internship = create_internship(
            candidate,
            candidate,
            {
                "mentor_id": mentor.id,
                "host": item["host"],
                "start": item["start"],
                "end": item["end"],
                "hours": item["hours"],
            },
        )
        if item.get("decision") == "approved":
            approvals.sign_off_internship(mentor, internship, "Good work")
    for item in spec.get("waivers", []):
        records.grant_waiver(coordinator, candidate, catalog, item)
