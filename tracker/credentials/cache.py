"""Evaluation results cached per candidate, invalidated by any change to their records.

The key is (candidate id, the candidate's ``records_version``, credential, pathway, as-of
day, catalog fingerprint). ``records_version`` gets a fresh random value in the same
transaction as any insert, update or delete of a row the evaluation reads (the listeners
below), and the catalog fingerprint changes with any definition file, so a stale result
is never found: it is just no longer asked for, and the bounded LRU drops it. The cache is
per process; gunicorn workers each keep their own, which is correct because the version
is read from the database with the candidate.

Cached results are shared: callers must treat them as read-only.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import Delete, Update, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tracker.accounts.models import User
from tracker.records.kinds import KINDS
from tracker.records.models import Enrolment

# The candidate-owned tables whose rows the evaluation reads (evidence files are not read).
RECORD_TABLES = frozenset(
    {kind.model.__tablename__ for kind in KINDS.values()} | {Enrolment.__tablename__}
)
# A CFP result with 520 weekly entries holds about 40 KB: 2,048 of them about 80 MB per
# process, enough for a 1,000-candidate cohort page and the progress pages around it.
MAXSIZE = 2048


V = TypeVar("V")


class ResultCache(Generic[V]):
    """A bounded, thread-safe LRU mapping of keys to results (the engine's result dicts
    here; the approval queue's checks in approvals/checks.py)."""

    def __init__(self, maxsize: int = MAXSIZE) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


results: ResultCache[dict[str, Any]] = ResultCache()


def result_key(
    candidate: User,
    credential: str,
    pathway: str | None,
    as_of: date,
    fingerprint: str,
    lang: str | None = None,
    version: str | None = None,
) -> Hashable:
    key = (candidate.id, candidate.records_version, credential, pathway, as_of, fingerprint,
           version)  # fmt: skip
    return key if lang in (None, "en") else (*key, lang)


# --- invalidation -----------------------------------------------------------------------


BUMP_HOOKS: list[Callable[[Session, list[int]], None]] = []
"""Called with the candidates whose records changed (candidates/cohort.py refreshes results)."""


def _bump(session: Session, candidate_ids: Iterable[int]) -> None:
    """Give these candidates a new records_version, in the database and in the session."""
    ids = sorted({cid for cid in candidate_ids if cid is not None})
    if not ids:
        return
    for hook in BUMP_HOOKS:
        hook(session, ids)
    version = secrets.randbits(62)
    session.execute(
        update(User)
        .where(User.id.in_(ids))
        .values(records_version=version)
        .execution_options(synchronize_session=False)
    )
    for cid in ids:
        user = session.identity_map.get(identity_key(User, cid))
        if user is not None:
            set_committed_value(user, "records_version", version)


def _is_record(obj: Any) -> bool:
    return getattr(obj, "__tablename__", None) in RECORD_TABLES


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Rows added, changed or deleted by this flush (after it, new rows know their candidate)."""
    touched = [o.candidate_id for o in session.new if _is_record(o)]
    touched += [o.candidate_id for o in session.deleted if _is_record(o)]
    touched += [
        o.candidate_id
        for o in session.dirty
        if _is_record(o) and session.is_modified(o, include_collections=False)
    ]
    _bump(session, touched)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """UPDATE/DELETE statements on record tables (e.g. approvals' conditional update)."""
    statement = state.statement
    if not isinstance(statement, Update | Delete):
        return
    table = getattr(statement, "table", None)
    if table is None or getattr(table, "name", None) not in RECORD_TABLES:
        return
    where = statement.whereclause
    chosen = select(table.c.candidate_id)
    if where is not None:
        chosen = chosen.where(where)
    # Bump before the statement runs, while its WHERE clause still matches the rows.
    ids = list(state.session.execute(chosen.distinct()).scalars())
    _bump(state.session, ids)
