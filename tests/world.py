"""A small world with every role, two organizations and one of each record, for route walks."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.accounts.models import User
from tracker.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """Values for every URL parameter name used by the app's routes."""
        return {
            "candidate_id": self.users["candidate"].id,
            "kind": "experience",
            "record_id": self.ids["experience"],
            "entry_id": self.ids["experience"],
            "internship_id": self.ids["internship"],
            "evidence_id": self.ids["evidence"],
            "credential": "cfp",
            "user_id": self.users["candidate"].id,
            "org_id": self.users["candidate"].organization_id,
            "organization_id": self.users["candidate"].organization_id,
            "token_id": self.ids["token"],
            "definition_id": "cfp",
            "credential_id": "cfp",
            "waiver_id": self.ids.get("waiver", 1),
            "code": self.ids.get("statement_code", "unknown-code"),
            "job_id": "unknown-job",
            "task_id": "unknown-task",
            "records": self.ids.get("records", {}),
            "filename": "css/tracker.css",
            "notice_id": self.ids.get("notice", 1),
            "secret": "not-a-calendar-secret",
            "token": "not-a-password-link",
            # No such version: an admin's POST must not withdraw a shipped definition.
            "version": "no-such-version",
        }


def build_world(app: Any, factory: Any) -> World:
    home, other = factory.org("Home Org"), factory.org("Other Org")
    users = {
        "candidate": factory.user("candidate", home, email="cand@home.test", name="Cand Self"),
        "candidate_same_org": factory.user("candidate", home, email="peer@home.test"),
        "candidate_other_org": factory.user("candidate", other, email="far@other.test"),
        "coordinator_same_org": factory.user("coordinator", home, email="coord@home.test"),
        "coordinator_other_org": factory.user("coordinator", other, email="coord@other.test"),
        "mentor_assigned": factory.user("mentor", home, email="mentor@home.test"),
        "mentor_other": factory.user("mentor", home, email="mentor2@home.test"),
        "admin": factory.user("admin", None, email="admin@x.test"),
    }
    world = World(users)

    def records() -> dict[str, Any]:
        from tracker.accounts.operations import issue_token
        from tracker.candidates import evidence, operations
        from tracker.credentials.catalog import current_catalog
        from tracker.mentoring.operations import create_internship

        cand = db.session.get(User, users["candidate"].id)
        operations.enrol(cand, cand, current_catalog(), {"credential": "cfp"})
        entry = operations.add_record(
            cand,
            cand,
            "experience",
            {
                "start": date(2025, 1, 1),
                "end": date(2025, 1, 31),
                "hours": 150,
                "category": "financial-planning",
            },
        )
        degree = operations.add_record(
            cand,
            cand,
            "degrees",
            {
                "level": "bachelor",
                "field": "Finance",
                "institution": "U",
                "conferred_on": "2018-01-01",
            },
        )
        others = {
            "courses": {"title": "Tax", "provider": "cfp-registered", "topics": ["tax"],
                        "credits": 3, "completed_on": "2020-01-01"},
            "exams": {"code": "CFP", "taken_on": "2021-03-01", "passed": True},
            "attestations": {"kind": "ethics", "signed_on": "2021-04-01"},
            "credentials": {"id": "cpa", "awarded_on": "2015-01-01"},
            "registrations": {"kind": "finra", "firm": "Broker", "start": "2022-01-03"},
        }  # fmt: skip
        record_ids = {"degrees": degree.id}
        for kind, body in others.items():
            record_ids[kind] = operations.add_record(cand, cand, kind, body).id
        coordinator = db.session.get(User, users["coordinator_same_org"].id)
        waiver = operations.grant_waiver(
            coordinator,
            cand,
            current_catalog(),
            {"credential": "cfp", "requirement": "degree", "reason": "Foreign degree"},
        )
        internship = create_internship(
            cand,
            cand,
            {
                "mentor_id": users["mentor_assigned"].id,
                "host": "Desk",
                "start": "2025-02-01",
                "end": "2025-03-31",
                "hours": 300,
            },
        )
        item = evidence.attach(
            cand, cand, "experience", entry, io.BytesIO(PNG), "proof.png", app.config["UPLOAD_DIR"]
        )
        token, _raw = issue_token(None, cand)
        from tracker.notices.models import Notice

        notice = db.session.scalar(
            db.select(Notice.id).where(Notice.user_id == cand.id).order_by(Notice.id)
        )
        return {
            "notice": notice,
            "experience": entry.id,
            "internship": internship.id,
            "waiver": waiver.id,
            "records": {
                **record_ids,
                "experience": entry.id,
                "internships": internship.id,
                "waivers": waiver.id,
            },  # fmt: skip
            "evidence": item.id,
            "token": token.id,
        }

    world.ids.update(factory.run(records))
    return world


def build_url(rule: Any, params: dict[str, Any]) -> str:
    """The URL of a url_map rule with every <converter:name> filled from params.

    A `record_id` after a record kind's name (…/courses/<int:record_id>) is that kind's
    record in the world, when params hold one (`records`).
    """
    import re

    url = str(rule.rule)
    for part in re.findall(r"<[^>]+>", url):
        name = part.strip("<>").split(":")[-1]
        value = params[name]
        if name == "record_id":
            kind = url.split(part)[0].rstrip("/").rsplit("/", 1)[-1]
            value = params.get("records", {}).get(kind, value)
        url = url.replace(part, str(value), 1)
    return url
