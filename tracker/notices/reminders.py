"""The dates a candidate is reminded of, and the reminder run (`send-reminders`).

D is the first day a requirement no longer counts, as the engine reports it: the day
after a `due` date or a renewal cycle's end, the `lapses_on` day of an exam or
attestation pass. The reminder N days before D is due on D − N (N = 90, 30, 7); a run on
day T sends, for each D still ahead (T < D), the most imminent reminder due by T unless
it was sent, so a run missed for a week catches up without sending stale ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.credentials.catalog import Catalog, current_catalog
from tracker.credentials.evaluation import evaluate_cohort
from tracker.extensions import db
from tracker.notices import operations as notices
from tracker.records.models import Enrolment

WINDOWS = (90, 30, 7)
OPEN = ("in_progress", "not_started")


@dataclass(frozen=True)
class KeyDate:
    """A date in a candidate's plan: `what` is due, lapse, cycle or projected."""

    credential: str
    credential_name: str
    requirement: str
    title: str
    what: str
    day: date
    """For due, lapse and cycle: D, the first day the requirement no longer counts."""


def _nodes(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from _nodes(node.get("children") or [])


def key_dates(result: dict[str, Any], credential_name: str = "") -> list[KeyDate]:
    """Due dates, lapses, cycle ends and projected completions in one engine result."""
    found: list[KeyDate] = []
    name = credential_name or result.get("name") or result["credential"]

    def add(node: dict[str, Any], what: str, day: date) -> None:
        found.append(
            KeyDate(
                result["credential"], name, node["id"], node.get("title") or node["id"], what, day
            )  # fmt: skip
        )

    for node in _nodes(result.get("requirements") or []):
        status = node.get("status")
        cycle = node.get("cycle")
        if cycle and cycle.get("end") and status in OPEN:
            add(node, "cycle", date.fromisoformat(cycle["end"]) + timedelta(days=1))
        elif node.get("due") and status in OPEN:
            add(node, "due", date.fromisoformat(node["due"]) + timedelta(days=1))
        if node.get("lapses_on") and status == "met" and not node.get("waived"):
            add(node, "lapse", date.fromisoformat(node["lapses_on"]))
        if node.get("projected_on") and status in OPEN:
            add(node, "projected", date.fromisoformat(node["projected_on"]))
    return found


def due_window(key: KeyDate, as_of: date) -> int | None:
    """The most imminent reminder (N) due on as_of for this date, or None."""
    if key.what == "projected" or as_of >= key.day:
        return None
    due = [n for n in WINDOWS if key.day - timedelta(days=n) <= as_of]
    return min(due) if due else None


def coordinators_of(candidate: User) -> list[User]:
    if candidate.organization_id is None:
        return []
    return list(
        db.session.scalars(
            select(User).where(
                User.role == Role.COORDINATOR,
                User.organization_id == candidate.organization_id,
                User.active.is_(True),
            )
        )
    )


def send_reminders(as_of: date, catalog: Catalog | None = None) -> dict[str, int]:
    """Create the reminders and digests due on as_of (each once) and retry failed mails."""
    catalog = catalog or current_catalog()
    candidates = list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.CANDIDATE,
                User.active.is_(True),
                User.id.in_(select(Enrolment.candidate_id)),
            )
            .order_by(User.id)
        )
    )
    counts = {"reminders": 0, "digests": 0, "retried": 0}
    for progress in evaluate_cohort(catalog, candidates, as_of):
        if progress.result is None:
            continue
        candidate = progress.candidate
        definition = catalog.get(progress.enrolment.credential)
        name = definition.name if definition is not None else progress.enrolment.credential
        for key in key_dates(progress.result, str(name)):
            window = due_window(key, as_of)
            if window is None:
                continue
            event = f"reminder:{key.credential}:{key.requirement}:{key.what}:{key.day}:{window}"
            params = {
                "credential": key.credential,
                "credential_name": key.credential_name,
                "requirement": key.requirement,
                "title": key.title,
                "what": key.what,
                "date": key.day.isoformat(),
                "days": (key.day - as_of).days,
            }
            day = key.day - timedelta(days=window)
            link = f"/candidates/{candidate.id}/progress/{key.credential}"
            if notices.notify(candidate, "reminder", event, params, link, day):
                counts["reminders"] += 1
            for coordinator in coordinators_of(candidate):
                about = {**params, "candidate_name": candidate.name, "candidate_id": candidate.id}
                if notices.notify(coordinator, "reminder", f"{event}:{candidate.id}", about,
                                  link, day):  # fmt: skip
                    counts["reminders"] += 1
    deciders = db.session.scalars(
        select(User).where(User.role.in_((Role.COORDINATOR, Role.MENTOR)), User.active.is_(True))
    )
    for user in list(deciders):
        if notices.digest_for(user, as_of):
            counts["digests"] += 1
    from tracker import tasks

    for notice_id in notices.undelivered():
        tasks.enqueue(notices.deliver, notice_id, description=f"retry mail {notice_id}")
        counts["retried"] += 1
    return counts


def run_reminders(as_of: str | None = None) -> dict[str, int]:
    """Task form of the run (plain values only): what the queue's schedule enqueues."""
    from tracker.timeutil import today

    return send_reminders(date.fromisoformat(as_of) if as_of else today())
