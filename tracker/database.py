"""Connection set-up: SQLite pragmas and write transactions that take the lock up front.

On SQLite a transaction that reads and later writes fails with "database is locked" when
another writer committed in between. Requests that may write (POST and friends, CLI
commands) therefore open their transaction with ``BEGIN IMMEDIATE`` and wait their turn
(busy timeout) instead; read-only requests use a plain deferred ``BEGIN``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)

SQLITE_BUSY_TIMEOUT_MS = 30_000


@contextmanager
def writing() -> Iterator[None]:
    """Mark the transactions opened inside as writers (BEGIN IMMEDIATE on SQLite)."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
