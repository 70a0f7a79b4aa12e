#!/usr/bin/env bash
# make test-wheel: Tracker works as an installed package, away from the repository.
#
# Builds the wheel from a copy of the working tree (tracked and untracked files, not the
# ignored ones), checks that it holds every file of tracker/ and seed/, installs it in a fresh
# virtualenv and, from an empty directory, runs init-db and seed-demo, serves the app, logs in
# as the demo coordinator over HTTP, fetches the home page and /api/v1/openapi.json, and
# writes a PDF statement. Any failure stops the script with a non-zero status; the temporary
# directory and the server go away in every case.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DEMO_PASSWORD=tracker-demo-2026 # seed/demo.yaml
COORDINATOR=coordinator@demo.tracker

work=$(mktemp -d "${TMPDIR:-/tmp}/tracker-wheel.XXXXXX")
server_pid=
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    echo "wheel: FAILED (exit $rc)" >&2
    if [ -s "$work/server.log" ]; then
      echo "wheel: --- server log (last 40 lines)" >&2
      tail -n 40 "$work/server.log" >&2
    fi
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "wheel: $*"; }
fail() {
  echo "wheel: $*" >&2
  exit 1
}

# Nothing from the caller's environment may point the installed app back at the checkout.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
for var in ${!TRACKER_@} ${!FLASK_@}; do unset "$var"; done

step "copying the working tree"
mkdir "$work/src" "$work/dist" "$work/empty"
git -C "$repo" ls-files -z --cached --others --exclude-standard \
  | tar -C "$repo" --null -T - --ignore-failed-read -cf - \
  | tar -xf - -C "$work/src"

step "building the wheel"
"$PYTHON" -m venv "$work/venv"
venv=$work/venv
"$venv/bin/python" -m pip install -q --upgrade pip
# The build backend's warnings go to a log, shown when the build fails.
"$venv/bin/python" -m pip wheel -q --no-deps -w "$work/dist" "$work/src" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "the wheel did not build"; }
wheels=("$work"/dist/tracker-*.whl)
[ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || fail "expected one wheel in dist/"
wheel=${wheels[0]}

step "checking the wheel holds every file of tracker/ and seed/"
(cd "$work/src" && find tracker seed -type f) >"$work/expected"
"$venv/bin/python" - "$wheel" "$work/expected" <<'EOF'
import sys
import zipfile

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
# seed/X is installed as tracker/seed/X
expected = {
    "tracker/" + line if line.startswith("seed/") else line
    for line in open(sys.argv[2]).read().split()
}
for name in sorted(expected - names):
    print(f"wheel: missing from the wheel: {name}", file=sys.stderr)
tops = {name.split("/")[0] for name in names}
stray = sorted(t for t in tops if t != "tracker" and not t.endswith(".dist-info"))
if stray:
    print(f"wheel: unexpected top-level entries: {stray}", file=sys.stderr)
sys.exit(1 if expected - names or stray else 0)
EOF

step "installing it in a fresh virtualenv"
"$venv/bin/python" -m pip install -q "$wheel"
flask=("$venv/bin/flask" --app tracker)

cd "$work/empty"
package=$("$venv/bin/python" -c 'import os, tracker; print(os.path.dirname(tracker.__file__))')
case $package in
  "$venv"/*) ;;
  *) fail "tracker was imported from $package, not from the virtualenv" ;;
esac
instance=$("$venv/bin/python" -c 'import os, sys; print(os.path.join(sys.prefix, "var", "tracker-instance"))')

step "validating the packaged definitions"
"$venv/bin/python" -m tracker.requirements_engine validate "$package/seed/credentials"

step "init-db, twice (idempotent), and seed-demo, from an empty directory"
"${flask[@]}" init-db
"${flask[@]}" init-db >/dev/null
"${flask[@]}" seed-demo

step "checking the instance folder $instance"
[ -f "$instance/tracker.db" ] || fail "no database in Flask's instance folder $instance"
[ "$(stat -c %a "$instance")" = 700 ] || fail "instance folder is $(stat -c %a "$instance"), not 700"
for file in "$instance"/tracker.db*; do
  [ "$(stat -c %a "$file")" = 600 ] || fail "$file is $(stat -c %a "$file"), not 600"
done

step "serving"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${flask[@]}" run --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
base=http://127.0.0.1:$port
up=0
for _ in $(seq 1 60); do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
  if "$venv/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$base/healthz" 2>/dev/null; then
    up=1
    break
  fi
  sleep 0.5
done
[ "$up" -eq 1 ] || fail "the server did not answer /healthz within 30 s"

step "logging in as $COORDINATOR over HTTP; home page and OpenAPI document"
"$venv/bin/python" - "$base" "$COORDINATOR" "$DEMO_PASSWORD" <<'EOF'
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request

base, email, password = sys.argv[1:]
opener = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
)


def get(path: str) -> tuple[str, str]:
    with opener.open(base + path, timeout=30) as response:
        return response.geturl(), response.read().decode()


_, page = get("/login")
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
assert token, "no CSRF token on /login"
form = {"csrf_token": token.group(1), "email": email, "password": password, "next": ""}
body = urllib.parse.urlencode(form).encode()
with opener.open(base + "/login", data=body, timeout=30) as response:
    assert response.geturl() == base + "/", f"login ended on {response.geturl()}"
    home = response.read().decode()
assert "Harbor &amp; Reed Wealth Partners" in home, "the coordinator's home page is not shown"
url, home = get("/")
assert url == base + "/" and "Log out" in home, "not logged in on the home page"
_, text = get("/api/v1/openapi.json")
spec = json.loads(text)
assert spec["openapi"].startswith("3.") and "/me" in spec["paths"], "bad OpenAPI document"
print(f"wheel: logged in; home page {len(home)} bytes; OpenAPI {len(spec['paths'])} paths")
EOF

step "statement PDF"
"${flask[@]}" statement alice.carter@demo.tracker --credential cfp -o x.pdf
[ "$(head -c 5 x.pdf)" = "%PDF-" ] || fail "x.pdf is not a PDF"
[ "$(stat -c %s x.pdf)" -gt 1000 ] || fail "x.pdf is too small"

step "stopping the server"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
leftovers=$(ls -A | grep -vx x.pdf || true)
[ -z "$leftovers" ] || fail "files left in the working directory: $leftovers"
step "ok"
