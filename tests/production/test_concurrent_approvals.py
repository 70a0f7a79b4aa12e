"""8 coordinators approve the same pending entry at the same moment: exactly one wins.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL under
`make test-postgres`).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.conftest import bearer
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.operations import verify_chain
from tracker.candidates.operations import add_record
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry

APPROVERS = 8
TRIALS = 20
JOIN_TIMEOUT_S = 60


def _new_entry(factory, candidate_id: int, trial: int) -> int:
    start = date.today() - timedelta(days=30)

    def make() -> int:
        candidate = db.session.get(User, candidate_id)
        row = add_record(
            candidate,
            candidate,
            "experience",
            {
                "start": (start + timedelta(days=trial % 20)).isoformat(),
                "end": (start + timedelta(days=trial % 20)).isoformat(),
                "hours": 8,
                "category": "financial-planning",
                "supervised": True,
            },
            catalog=current_catalog(),
        )
        return int(row.id)

    return factory.run(make)


def _race(app, tokens: list[str], entry_id: int) -> list[tuple[int, dict]]:
    """All approvers wait at a barrier, then POST approve at once; returns (status, body)."""
    barrier = threading.Barrier(len(tokens), timeout=JOIN_TIMEOUT_S)
    results: list[tuple[int, dict] | None] = [None] * len(tokens)

    def approve(i: int) -> None:
        client = app.test_client()
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/experience/{entry_id}/approve", json={}, headers=bearer(tokens[i])
            )
            results[i] = (response.status_code, response.get_json(silent=True) or {})
        except Exception as exc:  # recorded and asserted below
            results[i] = (-1, {"exception": repr(exc)})

    threads = [threading.Thread(target=approve, args=(i,), daemon=True) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "an approver hung"
    return [r if r is not None else (-1, {}) for r in results]


def test_exactly_one_of_eight_concurrent_approvals_wins(app, factory, figures):
    org = factory.org()
    coordinators = [factory.user("coordinator", org) for _ in range(APPROVERS)]
    tokens = [factory.token(c) for c in coordinators]
    candidate = factory.user("candidate", org)
    coordinator_ids = {c.id for c in coordinators}

    statuses: Counter[int] = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    for trial in range(TRIALS):
        entry_id = _new_entry(factory, candidate.id, trial)
        results = _race(app, tokens, entry_id)
        codes = Counter(status for status, _ in results)
        statuses.update(codes)
        if codes != Counter({200: 1, 409: APPROVERS - 1}):
            failures.append(f"trial {trial}: {sorted(results, key=lambda r: r[0])}")
        for status, body in results:
            if status == 409:
                assert body["error"]["code"] == "conflict", body
        with app.app_context():
            entry = db.session.get(ExperienceEntry, entry_id)
            assert EntryStatus(entry.status) is EntryStatus.APPROVED
            assert entry.decided_by_id in coordinator_ids
            approvals = db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == "experience.approve",
                    AuditEvent.target == f"experience:{entry_id}",
                )
            )
            if approvals != 1:
                failures.append(f"trial {trial}: {approvals} experience.approve events")
    elapsed = time.perf_counter() - started

    with app.app_context():
        chain = verify_chain()
        total_approve_events = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "experience.approve")
        )
    figures(
        "concurrent_approvals",
        {
            "approvers": APPROVERS,
            "trials": TRIALS,
            "requests": APPROVERS * TRIALS,
            "status_200": statuses[200],
            "status_409": statuses[409],
            "other_statuses": sum(n for s, n in statuses.items() if s not in (200, 409)),
            "approve_audit_events": total_approve_events,
            "trials_with_double_or_no_approval": len(failures),
            "audit_chain_ok": chain.ok,
            "seconds": round(elapsed, 2),
        },
    )
    assert not failures, "\n".join(failures)
    assert total_approve_events == TRIALS
    assert chain.ok, chain
