"""Connection set-up: SQLite pragmas and write transactions that take the lock up front.

On SQLite a transaction that reads and later writes fails with "database is locked" when
another writer committed in between. Requests that may write (POST and friends, CLI
commands) therefore open their transaction with ``BEGIN IMMEDIATE`` and wait their turn
(busy timeout) instead; read-only requests use a plain deferred ``BEGIN``.

The database file is created 0600 before SQLite opens it, and it and its companion files
(``-wal``, ``-shm``, ``-journal``) are kept 0600 on every new connection.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Engine, Result

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


@contextmanager
def reading() -> Iterator[None]:
    """Inside a writer (a task), open the transactions inside as plain readers again."""
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


# The files SQLite keeps next to the database (WAL mode, and the rollback journal before it).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _sqlite_file(cargs: Any, cparams: dict[str, Any]) -> Path | None:
    """The database file sqlite3.connect() is about to open; None in memory and for URIs."""
    if cparams.get("uri") or not cargs or not isinstance(cargs[0], str):
        return None
    return None if cargs[0] in ("", ":memory:") else Path(cargs[0])


def _create_private(path: Path) -> None:
    """Create a missing database file 0600 (whatever the umask), before SQLite opens it.

    SQLite gives the companion files the database file's mode.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except FileNotFoundError:
        return  # no such folder: SQLite reports it
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _restrict(path: Path) -> None:
    """Take group and other access off one of our files (the database and its companions)."""
    try:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            path.chmod(0o600)
    except FileNotFoundError:
        pass


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "do_connect")
    def _before_connect(_dialect: Any, record: Any, cargs: Any, cparams: Any) -> None:
        path = _sqlite_file(cargs, cparams)
        if path is not None:
            _create_private(path)
            record.info["sqlite_file"] = path

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        # The database holds password and token hashes: 0600 for it and its companions,
        # also for files made before this rule (or by a tool under a looser umask).
        path = record.info.get("sqlite_file")
        if path is not None:
            for suffix in ("", *SQLITE_COMPANIONS):
                _restrict(path.with_name(path.name + suffix))

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (a conditional update: did this one win?)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)
