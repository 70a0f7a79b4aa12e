"""The home page, role-aware: a candidate's progress, a coordinator's cohort at a glance,
a mentor's internships, an admin's organizations and users."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

from tracker.accounts.auth import actor
from tracker.accounts.models import Role
from tracker.admin import queries as admin_queries
from tracker.admin.queries import organization_summaries
from tracker.candidates.cohort import (
    candidate_count,
    enrolled_count,
    first_candidates,
    soonest_due,
    status_counts,
)
from tracker.credentials.catalog import current_catalog
from tracker.home.steps import next_steps
from tracker.i18n import current_language
from tracker.mentoring.queries import internships_naming
from tracker.records.queries import pending_count, visible_candidates_query

bp = Blueprint("home", __name__)
HOME_ROWS = 10  # the home page summarises; the cohort page lists everyone


@bp.get("/")
@login_required
def index() -> Any:
    user = actor()
    catalog = current_catalog()
    context: dict[str, Any] = {"catalog": catalog}
    if user.role is Role.CANDIDATE:
        steps = next_steps(catalog, user, current_language())
        context["progress"] = steps.progress
        context["steps"] = steps
        return render_template("home/candidate.html", **context)
    if user.role is Role.COORDINATOR:
        visible = visible_candidates_query(user)
        context["people"] = first_candidates(visible, 51)
        context["people_total"] = candidate_count(visible)
        context["counts"] = Counter(status_counts(visible))
        context["soonest"] = soonest_due(visible, HOME_ROWS)
        context["enrolled"] = enrolled_count(visible)
        context["pending"] = pending_count(user)
        return render_template("home/coordinator.html", **context)
    if user.role is Role.MENTOR:
        context["internships"] = internships_naming(user)
        context["pending"] = pending_count(user)
        return render_template("home/mentor.html", **context)
    context["organizations"] = organization_summaries()
    context["users"] = admin_queries.users()
    context["pending"] = pending_count(user)
    return render_template("home/admin.html", **context)
