#!/usr/bin/env bash
# Run CMD… against a throw-away PostgreSQL server, then stop and delete it (also on failure).
#
#   .ci/with-postgres.sh .venv/bin/python -m pytest
#
# The server listens on a Unix socket in a fresh temp dir only (no TCP port), trusts local
# connections and lives as long as CMD. TRACKER_TEST_DATABASE_URL and TRACKER_DATABASE_URL
# point at it while CMD runs. PostgreSQL refuses to run as root, so as root the server runs
# as the unprivileged user $PG_USER (default tracker-pg, created when missing).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARG…]" >&2
  exit 2
fi

find_pg_bin() {
  local initdb_path
  if initdb_path=$(command -v initdb 2>/dev/null) && [ -x "$(dirname "$initdb_path")/pg_ctl" ]; then
    dirname "$(readlink -f "$initdb_path")"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  echo "with-postgres: initdb/pg_ctl not found on PATH or under /usr/lib/postgresql/*/bin" >&2
  echo "with-postgres: install PostgreSQL (Debian: apt-get install postgresql)" >&2
  exit 2
fi

PG_DB=${PG_DB:-tracker_test}
PG_ROLE=tracker
WORK=$(mktemp -d /tmp/tracker-pg.XXXXXX)
DATA="$WORK/data"
SOCK="$WORK/sock"
LOG="$WORK/server.log"
mkdir -p "$DATA" "$SOCK"

run_as=()
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=${PG_USER:-tracker-pg}
  if ! id "$PG_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
  fi
  chown -R "$PG_USER" "$WORK"
  run_as=(setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --clear-groups --)
fi
chmod 700 "$WORK"

started=0
cleanup() {
  local rc=$?
  if [ "$started" -eq 1 ]; then
    "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run from a directory the server user may enter (initdb/postgres chdir back to the cwd).
cd "$WORK"
"${run_as[@]}" "$PG_BIN/initdb" -D "$DATA" -U "$PG_ROLE" -A trust -E UTF8 --locale=C.UTF-8 \
  >"$WORK/initdb.log" 2>&1 || {
  # Older releases without C.UTF-8: fall back to the plain C locale.
  rm -rf "${DATA:?}"/*
  "${run_as[@]}" "$PG_BIN/initdb" -D "$DATA" -U "$PG_ROLE" -A trust -E UTF8 --locale=C \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
}
# Throw-away data: durability off makes the suite faster; connections for 8+ concurrent tests.
"${run_as[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$SOCK' -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$LOG" >&2; exit 1; }
started=1
cd - >/dev/null

"${run_as[@]}" "$PG_BIN/psql" -q -h "$SOCK" -U "$PG_ROLE" -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE $PG_DB" >/dev/null

url="postgresql://$PG_ROLE@/$PG_DB?host=$SOCK"
export TRACKER_TEST_DATABASE_URL="$url"
export TRACKER_DATABASE_URL="$url"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $SOCK"

set +e
"$@"
rc=$?
set -e
exit "$rc"
