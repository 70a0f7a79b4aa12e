"""Real-browser fixtures: a seeded demo server on a free loopback port and a headless Chromium.

The folder is collected only when TRACKER_E2E=1 (`make e2e`), so `make test` stays fast and
does not need Playwright or a browser.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tracker.config import PROJECT_ROOT

if os.environ.get("TRACKER_E2E") != "1":
    collect_ignore_glob = ["test_*.py"]

DEMO_PASSWORD = "tracker-demo-2026"
CHROMIUM = os.environ.get("TRACKER_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
FLASK = [sys.executable, "-m", "flask", "--app", "tracker"]
START_TIMEOUT = 30.0
ACTION_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not healthy after {START_TIMEOUT:.0f}s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """init-db, seed-demo, then `flask run` on 127.0.0.1:FREE_PORT; stopped at session end."""
    tmp = Path(tempfile.mkdtemp(prefix="tracker-e2e-"))
    env = {
        **os.environ,
        "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "TRACKER_UPLOAD_DIR": str(tmp / "uploads"),
        "FLASK_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TRACKER_SECRET_KEY", None)
    for command in ("init-db", "seed-demo"):
        subprocess.run(
            [*FLASK, command],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{base}/healthz", proc, log)
        yield base
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def context(browser: Any, live_server: str) -> Iterator[Any]:
    ctx = browser.new_context(
        base_url=live_server,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        timezone_id="UTC",
    )
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    # Only the app under test: anything else (there should be nothing) is refused.
    ctx.route(
        re.compile(r"^(?!" + re.escape(live_server) + r")(https?|wss?)://"),
        lambda route: route.abort(),
    )
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture()
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture()
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """shot(page, "step") saves test-artifacts/e2e/NAME-step.png (NAME: the test's name)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    raw = request.node.name.removeprefix("test_").replace("[", "-").rstrip("]")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", raw)

    def take(page: Any, step: str) -> Path:
        path = ARTIFACTS / f"{name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Through the real form, in whatever language the page is (fields found by name)."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))


def logout(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))


def nav(page: Any, label: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()
