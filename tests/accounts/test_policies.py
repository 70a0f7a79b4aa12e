"""The named policy functions, per role, same vs other organization, assigned vs other mentor."""

from __future__ import annotations

import pytest

from tracker.accounts import policies
from tracker.accounts.models import User
from tracker.approvals.policies import can_decide_experience, can_decide_internship
from tracker.extensions import db
from tracker.records.models import ExperienceEntry, Internship
from tracker.records.policies import can_see_candidate

ACTORS = [
    "self",
    "candidate_same_org",
    "coordinator_same_org",
    "coordinator_other_org",
    "mentor_assigned",
    "mentor_other",
    "admin",
]

# actor -> (see, edit records, enrol, manage cohort, view audit,
#           decide experience, decide internship)
EXPECTED = {
    "self": (True, True, True, False, False, False, False),
    "candidate_same_org": (False, False, False, False, False, False, False),
    "coordinator_same_org": (True, False, True, True, True, True, False),
    "coordinator_other_org": (False, False, False, False, False, False, False),
    "mentor_assigned": (True, False, False, False, False, False, True),
    "mentor_other": (False, False, False, False, False, False, False),
    "admin": (True, True, True, True, True, True, False),
}


@pytest.fixture()
def world(app, factory):
    home, other = factory.org("Home"), factory.org("Other")
    people = {
        "self": factory.user("candidate", home),
        "candidate_same_org": factory.user("candidate", home),
        "coordinator_same_org": factory.user("coordinator", home),
        "coordinator_other_org": factory.user("coordinator", other),
        "mentor_assigned": factory.user("mentor", home),
        "mentor_other": factory.user("mentor", home),
        "admin": factory.user("admin"),
    }
    from datetime import date

    def rows():
        entry = ExperienceEntry(
            candidate_id=people["self"].id,
            start=date(2024, 1, 1),
            end=date(2024, 1, 31),
            hours=100,
            category="financial-planning",
        )
        internship = Internship(
            candidate_id=people["self"].id,
            mentor_id=people["mentor_assigned"].id,
            host="Desk",
            start=date(2024, 1, 1),
            end=date(2024, 2, 1),
            hours=100,
        )
        db.session.add_all([entry, internship])
        db.session.flush()
        return entry.id, internship.id

    entry_id, internship_id = factory.run(rows)
    return people, entry_id, internship_id


@pytest.mark.parametrize("actor", ACTORS)
def test_policy_matrix(app, world, actor):
    people, entry_id, internship_id = world
    with app.app_context():
        user = db.session.get(User, people[actor].id)
        candidate = db.session.get(User, people["self"].id)
        entry = db.session.get(ExperienceEntry, entry_id)
        internship = db.session.get(Internship, internship_id)
        got = (
            can_see_candidate(user, candidate),
            policies.can_edit_records(user, candidate),
            policies.can_enrol(user, candidate),
            policies.can_manage_cohort(user, candidate),
            policies.can_view_audit(user, candidate),
            can_decide_experience(user, entry),
            can_decide_internship(user, internship),
        )
        assert got == EXPECTED[actor]


def test_nobody_decides_their_own_entries(app, factory):
    from datetime import date

    org = factory.org()
    admin = factory.user("admin")
    coord = factory.user("coordinator", org)

    def rows():
        # An entry whose candidate is the decider (a role changed after logging hours).
        e1 = ExperienceEntry(
            candidate_id=admin.id,
            start=date(2024, 1, 1),
            end=date(2024, 1, 2),
            hours=8,
            category="financial-planning",
        )
        e2 = ExperienceEntry(
            candidate_id=coord.id,
            start=date(2024, 1, 1),
            end=date(2024, 1, 2),
            hours=8,
            category="financial-planning",
        )
        i1 = Internship(
            candidate_id=coord.id,
            mentor_id=coord.id,
            host="x",
            start=date(2024, 1, 1),
            end=date(2024, 1, 2),
            hours=8,
        )
        db.session.add_all([e1, e2, i1])
        db.session.flush()
        return e1.id, e2.id, i1.id

    e1, e2, i1 = factory.run(rows)
    with app.app_context():
        assert not can_decide_experience(
            db.session.get(User, admin.id), db.session.get(ExperienceEntry, e1)
        )
        assert not can_decide_experience(
            db.session.get(User, coord.id), db.session.get(ExperienceEntry, e2)
        )
        assert not can_decide_internship(
            db.session.get(User, coord.id), db.session.get(Internship, i1)
        )
