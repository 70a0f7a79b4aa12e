"""What a candidate should do next, for their home page: per credential what is left and
the nearest due date, hours a coordinator rejected and internships a mentor returned
(both to correct and resubmit), and what still waits for a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.candidates.labels import leaves_left, next_due
from tracker.credentials.catalog import Catalog
from tracker.credentials.evaluation import Progress, evaluate_cached
from tracker.errors import NotFoundError, ValidationError
from tracker.extensions import db
from tracker.records.models import Enrolment, EntryStatus, HoursEntry
from tracker.timeutil import today

LEFT_SHOWN = 3
REJECTED_SHOWN = 5


@dataclass
class Steps:
    progress: list[Progress]
    left: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Enrolment id → its first unmet leaves (titles and details in the page's language)."""
    more_left: dict[int, int] = field(default_factory=dict)
    due: dict[int, str] = field(default_factory=dict)
    rejected: list[HoursEntry] = field(default_factory=list)
    pending: int = 0

    @property
    def nearest_due(self) -> tuple[Progress, str] | None:
        dated = [(p, self.due[p.enrolment.id]) for p in self.progress if p.enrolment.id in self.due]
        return min(dated, key=lambda pair: pair[1]) if dated else None


def next_steps(catalog: Catalog, user: User, lang: str) -> Steps:
    """The candidate's enrolments evaluated in `lang` (a candidate has a few), and the
    entries that need them."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.candidate_id == user.id).order_by(Enrolment.id)
    ).all()
    as_of = today()
    progress = []
    for enrolment in enrolments:
        try:
            result = evaluate_cached(catalog, user, enrolment.credential, as_of, enrolment.pathway,
                                     lang=lang, version=enrolment.version)  # fmt: skip
        except (NotFoundError, ValidationError) as exc:
            progress.append(Progress(user, enrolment, None, exc.message))
        else:
            progress.append(Progress(user, enrolment, result))
    steps = Steps(progress)
    for p in progress:
        if p.result is None or p.result.get("status") == "met":
            continue
        left = leaves_left(p.result["requirements"])
        steps.left[p.enrolment.id] = left[:LEFT_SHOWN]
        steps.more_left[p.enrolment.id] = max(0, len(left) - LEFT_SHOWN)
        due = next_due(p.result["requirements"])
        if due:
            steps.due[p.enrolment.id] = due
    steps.rejected = list(
        db.session.scalars(
            select(HoursEntry)
            .where(HoursEntry.candidate_id == user.id, HoursEntry.status == EntryStatus.REJECTED)
            .order_by(HoursEntry.decided_at.desc(), HoursEntry.id.desc())
            .limit(REJECTED_SHOWN)
        )
    )
    steps.pending = int(
        db.session.scalar(
            select(func.count(HoursEntry.id)).where(
                HoursEntry.candidate_id == user.id, HoursEntry.status == EntryStatus.PENDING
            )
        )
        or 0
    )
    return steps
