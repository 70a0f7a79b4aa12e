"""Coordinators deciding the same pending entry at the same moment: exactly one decision wins.

Real concurrency: one thread per coordinator, each with its own test client, released
together by a barrier. The losers get the contract's 409 body; the entry and the audit log
name the winner and only the winner.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import bearer
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.operations import verify_chain
from tracker.candidates.operations import add_record
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.mentoring.operations import create_internship
from tracker.records.models import EntryStatus, ExperienceEntry, Internship
from tracker.timeutil import today

TRIALS = 10
JOIN_TIMEOUT_S = 60
DECISIONS = {"approve": "approved", "reject": "rejected", "signoff": "approved"}


def _race(app, calls: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[int, Any]]:
    """Each (token, path, body) POSTs from its own thread and client, all released at once."""
    barrier = threading.Barrier(len(calls), timeout=JOIN_TIMEOUT_S)
    results: list[tuple[int, Any] | None] = [None] * len(calls)

    def run(i: int) -> None:
        token, path, body = calls[i]
        client = app.test_client()
        try:
            barrier.wait()
            response = client.post(path, json=body, headers=bearer(token))
            results[i] = (response.status_code, response.get_json(silent=True))
        except Exception as exc:  # reported by the assertions below
            results[i] = (-1, repr(exc))

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a request hung"
    return [r if r is not None else (-1, None) for r in results]


def _one_winner(results: list[tuple[int, Any]]) -> int:
    """Exactly one 200, every other answer the contract's 409; returns the winner's index."""
    codes = Counter(status for status, _ in results)
    assert codes == Counter({200: 1, 409: len(results) - 1}), results
    for status, body in results:
        if status == 409:
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
            assert body["error"]["code"] == "conflict" and body["error"]["message"], body
    return next(i for i, (status, _) in enumerate(results) if status == 200)


def _decision_events(app, target: str) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target == target, AuditEvent.action.not_like("%.create"))
            .order_by(AuditEvent.id)
        ).all()
        for event in events:
            db.session.expunge(event)
        return list(events)


@pytest.fixture()
def team(app, factory) -> dict[str, Any]:
    org = factory.org("Race & Co")
    coordinators = [factory.user("coordinator", org) for _ in range(8)]
    candidate = factory.user("candidate", org)
    mentor = factory.user("mentor", org)
    return {
        "coordinators": coordinators,
        "tokens": [factory.token(c) for c in coordinators],
        "candidate": candidate,
        "mentor": mentor,
        "mentor_token": factory.token(mentor),
    }


def _new_entry(factory, candidate_id: int, trial: int) -> int:
    day = (today() - timedelta(days=1 + trial)).isoformat()

    def make() -> int:
        candidate = db.session.get(User, candidate_id)
        body = {"start": day, "end": day, "hours": 7.5, "category": "financial-planning"}
        return int(
            add_record(candidate, candidate, "experience", body, catalog=current_catalog()).id
        )

    return factory.run(make)


def _modes(n: int, trial: int) -> list[str]:
    """Trials alternate: everyone approves; everyone rejects; half approve and half reject."""
    kind = trial % 3
    if kind == 0:
        return ["approve"] * n
    if kind == 1:
        return ["reject"] * n
    return ["approve" if i % 2 == 0 else "reject" for i in range(n)]


@pytest.mark.parametrize("deciders", [2, 8])
def test_exactly_one_concurrent_decision_wins(app, factory, team, deciders):
    coordinators, tokens = team["coordinators"][:deciders], team["tokens"][:deciders]
    for trial in range(TRIALS):
        entry_id = _new_entry(factory, team["candidate"].id, trial)
        modes = _modes(deciders, trial)
        calls = [
            (
                tokens[i],
                f"/api/v1/experience/{entry_id}/{mode}",
                {"reason": f"refused by {i}"} if mode == "reject" else {},
            )
            for i, mode in enumerate(modes)
        ]
        results = _race(app, calls)
        winner = _one_winner(results)
        won_with = modes[winner]
        assert results[winner][1] == {"status": DECISIONS[won_with]}, (trial, results[winner])

        with app.app_context():
            entry = db.session.get(ExperienceEntry, entry_id)
            assert EntryStatus(entry.status).value == DECISIONS[won_with], trial
            assert entry.decided_by_id == coordinators[winner].id, trial
            assert entry.decided_at is not None
            assert entry.note == (f"refused by {winner}" if won_with == "reject" else None)
        events = _decision_events(app, f"experience:{entry_id}")
        assert [(e.action, e.actor_id) for e in events] == [
            (f"experience.{won_with}", coordinators[winner].id)
        ], (trial, [(e.action, e.actor_id) for e in events])
    with app.app_context():
        assert verify_chain().ok


def test_a_mentor_signing_off_and_returning_at_once_decides_once(app, factory, team):
    """Two tabs of the same mentor: sign-off and return race; one wins, one is told 409."""
    candidate, mentor = team["candidate"], team["mentor"]
    for trial in range(TRIALS):
        day = today() - timedelta(days=2 + trial)

        def make(day=day) -> int:
            actor = db.session.get(User, candidate.id)
            body = {
                "mentor_id": mentor.id,
                "host": "Host",
                "start": day.isoformat(),
                "end": day.isoformat(),
                "hours": 6,
            }
            return int(create_internship(actor, actor, body).id)

        internship_id = factory.run(make)
        modes = ["signoff", "reject"] if trial % 2 == 0 else ["reject", "signoff"]
        calls = [
            (
                team["mentor_token"],
                f"/api/v1/internships/{internship_id}/{mode}",
                {"reason": "unclear"} if mode == "reject" else {"comment": "fine"},
            )
            for mode in modes
        ]
        results = _race(app, calls)
        winner = _one_winner(results)
        with app.app_context():
            row = db.session.get(Internship, internship_id)
            assert EntryStatus(row.status).value == DECISIONS[modes[winner]]
            assert row.decided_by_id == mentor.id
        events = _decision_events(app, f"internship:{internship_id}")
        action = "internship.signoff" if modes[winner] == "signoff" else "internship.reject"
        assert [(e.action, e.actor_id) for e in events] == [(action, mentor.id)]
