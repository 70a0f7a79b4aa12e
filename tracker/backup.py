"""`flask --app tracker backup FILE` and `restore FILE`.

SQLite: the online backup API in both directions, so a running app (WAL readers, a writer
holding the lock for a moment) never sees a half-copied file. PostgreSQL: pg_dump in custom
format, pg_restore --clean in one transaction (stop the app servers first: restoring drops
and recreates the tables they use).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from tracker.extensions import db

PG_TOOLS_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(click.ClickException):
    """Backup or restore could not be done; nothing was changed."""


def _current_url() -> URL:
    db.session.remove()
    db.engine.dispose()  # our own pooled connections must not hold locks during a restore
    return db.engine.url


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:") or str(url.database).startswith("file::memory:"):
        raise BackupError("the database is in memory; there is nothing to back up or restore")
    return Path(str(url.database))


def _check_sqlite_file(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if result is None or result[0] != "ok":
        raise BackupError(f"{what} failed the integrity check: {result}")
    has_schema = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if has_schema is None:
        raise BackupError(f"{what} is not a Tracker database (no alembic_version table)")


def _sqlite_backup(url: URL, target: Path) -> None:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"the database file {source_path} does not exist")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check_sqlite_file(copy, "the backup")
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    partial.chmod(0o600)  # password and token hashes live in there
    os.replace(partial, target)


def _sqlite_restore(url: URL, source_file: Path) -> None:
    target_path = _sqlite_path(url)
    source = sqlite3.connect(f"{source_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            _check_sqlite_file(source, f"{source_file}")
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source_file} is not a SQLite database: {exc}") from exc
        target = sqlite3.connect(target_path, timeout=30)
        try:
            # One write transaction on the live file: readers see the old or the new data.
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            _check_sqlite_file(target, "the restored database")
        finally:
            target.close()
    finally:
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump/pg_restore from PATH, else the newest Debian install under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parent.name
        return tuple(int(p) for p in part.split(".") if p.isdigit())

    candidates = sorted(glob.glob(f"{PG_TOOLS_GLOB}/{name}"), key=version, reverse=True)
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    raise BackupError(
        f"{name} not found on PATH or under {PG_TOOLS_GLOB} (Debian: apt-get install postgresql)"
    )


def _libpq_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools; the password goes in the environment."""
    args: list[str] = []
    host = url.host or url.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    # The argument list is built from the configured URL and a path; no shell is involved.
    result = subprocess.run(  # noqa: S603  # nosec B603
        argv, env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def _pg_backup(url: URL, target: Path) -> None:
    args, env = _libpq_args(url)
    partial = target.with_name(target.name + ".part")
    try:
        argv = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        _run([*argv, f"--file={partial}", *args, str(url.database)], env, "pg_dump")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.chmod(0o600)  # password and token hashes live in there
    os.replace(partial, target)


def _pg_restore(url: URL, source_file: Path) -> None:
    args, env = _libpq_args(url)
    argv = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    argv += ["--single-transaction", "--exit-on-error", *args, f"--dbname={url.database}"]
    _run([*argv, str(source_file)], env, "pg_restore")


# --- commands -------------------------------------------------------------------------------


def backup_database(target: Path) -> str:
    url = _current_url()
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(url, target)
    else:
        _pg_backup(url, target)
    return url.get_backend_name()


def restore_database(source: Path) -> str:
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    url = _current_url()
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(url, source)
    else:
        _pg_restore(url, source)
    return url.get_backend_name()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE (SQLite file or pg_dump custom format)."""
    if not file.parent.is_dir():
        raise BackupError(f"{file.parent}: no such directory")
    backend = backup_database(file)
    click.echo(f"Backed up the {backend} database to {file} ({file.stat().st_size} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Replace the database's contents with the backup in FILE (stop the app servers first)."""
    from tracker.audit.operations import checkpoint_current
    from tracker.extensions import db

    backend = restore_database(file)
    # The restored log is older than the checkpoint: the operator chose it, so it becomes
    # the head that later removals are measured against.
    checkpoint_current()
    db.session.rollback()
    click.echo(f"Restored the {backend} database from {file}.")
