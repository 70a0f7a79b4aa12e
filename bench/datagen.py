"""Generated data of a realistic shape, inserted in bulk with SQLAlchemy Core.

Each organization has a coordinator, a mentor and `per_org` candidates. Every candidate has
a degree, courses, exams, attestations, one or two enrolments (CFP standard or
apprenticeship, CFA, FINRA) and `weeks` weekly experience entries ending last week. Most
entries are approved; one candidate in ten has its last `pending_weeks` weeks pending and
one in fifty a rejected week. The audit log is skipped for generated rows.

The per-row operations would take hours for 5,000 × 520 entries; Core inserts take seconds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

PASSWORD = "bench-password-2026"
HASH_METHOD = "scrypt:1024:8:1"  # the bench measures pages, not password hashing
CFP_TOPICS = [
    "professional-conduct",
    "general-principles",
    "risk-management",
    "investment",
    "tax",
    "retirement",
    "estate",
    "psychology",
]


@dataclass
class Org:
    id: int
    coordinator_email: str
    coordinator_id: int
    candidate_ids: list[int] = field(default_factory=list)


@dataclass
class Dataset:
    orgs: list[Org]
    admin_email: str
    password: str = PASSWORD

    @property
    def candidate_ids(self) -> list[int]:
        return [cid for org in self.orgs for cid in org.candidate_ids]


def _plan(index: int) -> tuple[list[tuple[str, str | None]], str]:
    """Enrolments and the experience category of candidate `index`."""
    kind = index % 20
    if kind < 7:
        return [("cfp", "standard")], "financial-planning"
    if kind < 12:
        return [("cfp", "apprenticeship")], "financial-planning"
    if kind < 17:
        return [("cfa", None)], "investment-decision-making"
    if kind < 19:
        return [("finra-rep", None)], "financial-planning"
    return [("cfp", "standard"), ("cfa", None)], "financial-planning"


def populate(
    per_org: int,
    orgs: int = 1,
    weeks: int = 520,
    pending_weeks: int = 4,
    today: date | None = None,
    start_org: int = 0,
) -> Dataset:
    """Insert the data into the app's database (inside an app context). Returns ids and logins."""
    from tracker.accounts.models import Organization, Role, User
    from tracker.extensions import db
    from tracker.records.models import (
        Attestation,
        Course,
        Degree,
        Enrolment,
        EntryStatus,
        ExamResult,
        ExperienceEntry,
    )

    now = datetime.now().replace(microsecond=0)  # noqa: DTZ005 - naive UTC-ish stamp is fine
    today = today or now.date()
    last_monday = today - timedelta(days=today.weekday() + 7)
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    pw_hash = generate_password_hash(PASSWORD, method=HASH_METHOD)
    session = db.session
    admin_email = "bench-admin@bench.tracker"
    if session.scalar(select(User.id).where(User.email == admin_email)) is None:
        session.execute(
            insert(User),
            [
                {
                    "email": admin_email,
                    "name": "Bench Admin",
                    "role": Role.ADMIN,
                    "password_hash": pw_hash,
                    "created_at": now,
                }
            ],
        )
    dataset = Dataset([], admin_email)
    for o in range(start_org, start_org + orgs):
        org_id = session.execute(
            insert(Organization).returning(Organization.id), [{"name": f"Bench Org {o}"}]
        ).scalar_one()
        staff = [
            {
                "email": f"coordinator{o}@bench.tracker",
                "name": f"Coordinator {o}",
                "role": Role.COORDINATOR,
            },
            {"email": f"mentor{o}@bench.tracker", "name": f"Mentor {o}", "role": Role.MENTOR},
        ]
        people = [
            {
                "email": f"candidate{o}-{i}@bench.tracker",
                "name": f"Candidate {i:05d} Org{o}",
                "role": Role.CANDIDATE,
            }
            for i in range(per_org)
        ]
        rows = [
            {**p, "organization_id": org_id, "password_hash": pw_hash, "created_at": now}
            for p in staff + people
        ]
        session.execute(insert(User), rows)
        ids = dict(
            session.execute(select(User.email, User.id).where(User.organization_id == org_id)).all()
        )
        coordinator_id = ids[staff[0]["email"]]
        org = Org(org_id, staff[0]["email"], coordinator_id)
        org.candidate_ids = [ids[p["email"]] for p in people]
        dataset.orgs.append(org)
        _records(
            org,
            coordinator_id,
            weeks,
            pending_weeks,
            first_monday,
            now,
            models=(Degree, Course, ExamResult, Attestation, Enrolment, ExperienceEntry),
            status=EntryStatus,
        )
    session.commit()
    return dataset


def _records(
    org: Org,
    coordinator_id: int,
    weeks: int,
    pending_weeks: int,
    first_monday: date,
    now: datetime,
    models: tuple[Any, ...],
    status: Any,
) -> None:
    from tracker.extensions import db

    degree_m, course_m, exam_m, attestation_m, enrolment_m, entry_m = models
    degrees, courses, exams, attestations, enrolments = [], [], [], [], []
    exam_day = first_monday + timedelta(weeks=min(weeks, 520) // 2)
    for n, cid in enumerate(org.candidate_ids):
        plan, category = _plan(n)
        degrees.append(
            {
                "candidate_id": cid,
                "level": "bachelor" if n % 4 else "master",
                "field": "Finance",
                "institution": "Bench University",
                "accredited": n % 25 != 0,
                "conferred_on": first_monday - timedelta(days=120),
                "created_at": now,
            }
        )
        for credential, pathway in plan:
            enrolments.append(
                {
                    "candidate_id": cid,
                    "credential": credential,
                    "version": "2024",
                    "pathway": pathway,
                    "enrolled_on": first_monday,
                    "created_at": now,
                }
            )
            if credential == "cfp":
                for t, topic in enumerate([*CFP_TOPICS, "capstone"]):
                    if topic == "capstone" and n % 3 == 0:
                        continue  # a third have not done the capstone yet
                    courses.append(
                        {
                            "candidate_id": cid,
                            "title": f"Course {topic}",
                            "provider": "cfp-registered",
                            "topics": [topic],
                            "credits": 3.0,
                            "completed_on": exam_day - timedelta(days=400 - 30 * t),
                            "passed": True,
                            "created_at": now,
                        }
                    )
                exams.append(_exam(cid, "CFP", exam_day, n % 2 == 0, now))
                attestations.append(_attestation(cid, "ethics", exam_day, now))
            elif credential == "cfa":
                for level in range(1, 4 if n % 3 else 3):
                    day = exam_day + timedelta(days=300 * (level - 2))
                    exams.append(_exam(cid, f"CFA-L{level}", day, True, now))
                attestations.append(_attestation(cid, "cfa-references", exam_day, now))
            else:
                exams.append(_exam(cid, "SIE", exam_day, True, now))
                exams.append(_exam(cid, "S7", exam_day + timedelta(days=60), n % 2 == 0, now))
    session = db.session
    for model, rows in (
        (degree_m, degrees),
        (course_m, courses),
        (exam_m, exams),
        (attestation_m, attestations),
        (enrolment_m, enrolments),
    ):
        if rows:
            session.connection().execute(insert(model.__table__), rows)
    entries: list[dict[str, Any]] = []
    for n, cid in enumerate(org.candidate_ids):
        _plan_, category = _plan(n)
        pending_from = weeks - pending_weeks if n % 10 == 0 else weeks
        for week in range(weeks):
            start = first_monday + timedelta(weeks=week)
            state = status.PENDING if week >= pending_from else status.APPROVED
            if n % 50 == 1 and week == weeks - 1:
                state = status.REJECTED
            decided = state is not status.PENDING
            entries.append(
                {
                    "candidate_id": cid,
                    "start": start,
                    "end": start + timedelta(days=6),
                    "hours": 38.0 + (week % 5),
                    "category": category,
                    "source": "employment",
                    "supervised": n % 2 == 1,
                    "workplace": "Bench & Co",
                    "description": "",
                    "status": state,
                    "decided_by_id": coordinator_id if decided else None,
                    "decided_at": now if decided else None,
                    "reason": "Not qualifying" if state is status.REJECTED else None,
                    "created_at": now,
                }
            )
        if len(entries) >= 50_000:
            session.connection().execute(insert(entry_m.__table__), entries)
            entries = []
    if entries:
        session.connection().execute(insert(entry_m.__table__), entries)


def _exam(cid: int, code: str, day: date, passed: bool, now: datetime) -> dict[str, Any]:
    return {"candidate_id": cid, "code": code, "taken_on": day, "passed": passed, "created_at": now}


def _attestation(cid: int, kind: str, day: date, now: datetime) -> dict[str, Any]:
    return {
        "candidate_id": cid,
        "kind": kind,
        "signed_on": day,
        "statement": "",
        "created_at": now,
    }


def environment(directory: Path) -> dict[str, str]:
    """The TRACKER_* variables that point the app (and gunicorn) at a throw-away database,
    and at a copy of the shipped credential definitions (so that the preview benchmark can
    stage a file in its `.staged/` folder without touching the repository's seed/)."""
    return {
        "TRACKER_DATABASE_URL": f"sqlite:///{directory / 'bench.db'}",
        "TRACKER_INSTANCE_DIR": str(directory / "instance"),
        "TRACKER_CREDENTIALS_DIR": str(directory / CREDENTIALS_DIR),
        "TRACKER_SECRET_KEY": "bench-secret-key-not-for-production",
    }


CREDENTIALS_DIR = "credentials"


def copy_credentials(directory: Path) -> Path:
    """The shipped definitions (seed/credentials/*.yaml) copied into `directory`: the same
    files, so the same catalog fingerprint as the shipped folder."""
    from tracker.config import shipped_path

    target = directory / CREDENTIALS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(shipped_path("credentials").glob("*.y*ml")):
        shutil.copyfile(source, target / source.name)
    return target


@contextmanager
def bench_app(directory: Path) -> Iterator[Any]:
    """The app on the throw-away database in `directory`, migrated, inside an app context."""
    from flask_migrate import upgrade

    env = environment(directory)
    copy_credentials(directory)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from tracker import create_app
        from tracker.extensions import db

        app = create_app({"RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
