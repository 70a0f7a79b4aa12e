"""Page latency and approvals throughput under gunicorn, and SQL statements per page.

`run(directory, dataset)` expects the generated database of bench/datagen.py in `directory`.
It starts gunicorn (5 workers, the shipped tracker/gunicorn_conf.py) on a free loopback
port with the environment pointing at that database, logs 8 clients in through the real
login form, and stops gunicorn at the end, also on error.

Ratios measured side by side against the same server in the same run:

- page_p95_ratio.<page>: the page's p95 ÷ the p95 of GET /api/v1/me (bearer token of the
  same coordinator), the trivial authenticated request; 8 clients × 20 of them are timed
  right before and right after each run of the page, so machine load weighs on both.
- cohort_page_growth: the cohort page's p95 for the admin (every candidate: 5,000) ÷ for
  the coordinator of a 500-candidate organization, their runs alternating.
- app_worker_peak_rss_mb: the largest VmHWM of gunicorn's worker processes after the
  page runs (the admin's cohort over 5,000 candidates included).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import event, select

from bench.datagen import Dataset, environment
from tests.live import free_port, stop

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 8
WORKERS = 5
ROUNDS = 3
# The page ratios are medians of more runs: a run's p95 of 160-200 requests on two shared
# cores moves by a third from one run to the next (the baseline's as much as the page's).
PAGE_ROUNDS = 5
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def figure(value: float, unit: str, runs: list[Any], /, **extra: Any) -> dict[str, Any]:
    """A result: `runs` are the measurements it comes from (their count is kept)."""
    return {"value": value, "unit": unit, "runs": len(runs), "median": value, **extra}


def ratio(tops: list[float], bottoms: list[float], /, **extra: Any) -> dict[str, Any]:
    """A ratio measured side by side: the median of `tops` ÷ the median of `bottoms`, runs
    paired in order (samples: each pair's own ratio)."""
    value = round(statistics.median(tops) / statistics.median(bottoms), 3)
    samples = [round(t / b, 3) for t, b in zip(tops, bottoms, strict=True)]
    return figure(value, "ratio", tops, samples=samples, **extra)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


# --- SQL statements per page (in process, test client) -------------------------------


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    """The SQL statements run on `engine` meanwhile, transaction control left out."""
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def forget_caches(app: Any) -> None:
    """The worst case of a page: nothing cached, in any process (evaluation results, the
    approval queue's checks, page fragments in the process and the shared files)."""
    from tracker.approvals import checks
    from tracker.credentials import cache
    from tracker.web.fragments import cache_of, shared_of

    cache.results.clear()
    checks.KNOWN.clear()
    cache_of(app).clear()
    shutil.rmtree(shared_of(app).root, ignore_errors=True)


def login(client: Any, email: str, password: str) -> None:
    """Log in through the real form with its CSRF token (Flask test client or requests)."""
    is_requests = isinstance(client, _Http)
    page = client.get("/login")
    html = page.text if is_requests else page.get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("no CSRF token on the login page")
    data = {"email": email, "password": password, "csrf_token": match.group(1)}
    response = client.post("/login", data=data)
    status = response.status_code
    if status not in (200, 302):
        raise RuntimeError(f"login of {email} failed: HTTP {status}")


def page_urls(dataset: Dataset, app: Any) -> dict[str, list[str]]:
    """URLs of the three measured pages for the first organization's coordinator."""
    from tracker.extensions import db
    from tracker.records.models import Enrolment

    org = dataset.orgs[0]
    with app.app_context():
        cfp = db.session.scalars(
            select(Enrolment.candidate_id)
            .where(Enrolment.credential == "cfp", Enrolment.candidate_id.in_(org.candidate_ids))
            .order_by(Enrolment.candidate_id)
            .limit(50)
        ).all()
    return {
        "progress": [f"/candidates/{cid}/progress/cfp" for cid in cfp],
        "cohort": ["/cohort"],
        "approvals": ["/approvals"],
    }


def page_queries(app: Any, dataset: Dataset, urls: dict[str, list[str]]) -> dict[str, Any]:
    """Statements per page: with empty caches of results and fragments (the worst case) and
    warm ones.

    Counted in a thread of its own: the caller holds an app context, and test-client
    requests made inside one share it (its `g` and session: the logged-in user would be
    loaded once for all of them). A request of its own counts what a server's does."""
    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
    out: dict[str, Any] = {}
    errors: list[BaseException] = []

    def count() -> None:
        try:
            out.update(_count_statements(app, engine, dataset, urls))
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    worker = threading.Thread(target=count)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return out


def _count_statements(
    app: Any, engine: Any, dataset: Dataset, urls: dict[str, list[str]]
) -> dict[str, Any]:
    client = app.test_client()
    login(client, dataset.orgs[0].coordinator_email, dataset.password)
    out: dict[str, Any] = {}
    for name, targets in urls.items():
        url = targets[0]
        counts = []
        for _ in range(3):
            forget_caches(app)
            with counting(engine) as seen:
                response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            counts.append(len(seen))
        with counting(engine) as warm:
            client.get(url)
        value = statistics.median(counts)
        out[f"page_queries.{name}"] = figure(
            value, "statements", counts, target=10, warm_cache=len(warm)
        )
    return out


# --- gunicorn -----------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int  # gunicorn's master process


def worker_pids(master: int) -> list[int]:
    """The processes whose parent is `master` (gunicorn's workers)."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", text, re.MULTILINE)
        if ppid is not None and int(ppid.group(1)) == master:
            children.append(int(status.parent.name))
    return sorted(children)


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MB; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


@contextmanager
def gunicorn(directory: Path) -> Iterator[Server]:
    """gunicorn serving the generated database; stopped on exit, also on error."""
    port = free_port()
    env = {**os.environ, **environment(directory), "PYTHONPATH": str(ROOT)}
    log = (directory / "gunicorn.log").open("w")
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        # The shipped settings, as `make serve` and the Docker image use them.
        "-c",
        "python:tracker.gunicorn_conf",
        "-w",
        str(WORKERS),
        "-b",
        f"127.0.0.1:{port}",
        # A cold cohort page of 1,000 candidates takes seconds per worker under load.
        "--timeout",
        "300",
        "tracker:create_app()",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {directory / 'gunicorn.log'}")
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield Server(base, proc.pid)
    finally:
        stop(proc)
        log.close()


class _Http(requests.Session):
    """A requests session with a base URL; no redirects followed (like the test client)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 300)
        return super().request(method, self.base + url, *args, **kwargs)


def concurrently(work: list[Callable[[], list[float]]]) -> list[list[float]]:
    """Run one callable per client thread at once; re-raise the first failure."""
    results: list[list[float]] = [[] for _ in work]
    errors: list[BaseException] = []
    start = threading.Barrier(len(work))

    def body(i: int) -> None:
        try:
            start.wait()
            results[i] = work[i]()
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _fetch_loop(client: _Http, urls: list[str], offset: int, count: int) -> Callable[[], list]:
    def loop() -> list[float]:
        times = []
        for n in range(count):
            url = urls[(offset + n) % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            times.append(elapsed)
        return times

    return loop


PAGE_PLAN = {
    # page: (requests per client per round, target p95 ms)
    "progress": (25, 150),
    "cohort": (4, 500),
    "approvals": (15, 150),
}


BASELINE_URL = "/api/v1/me"
BASELINE_PER_CLIENT = 20  # requests per client right before and right after each page run


def _logged_in(base: str, email: str, password: str) -> list[_Http]:
    clients = [_Http(base) for _ in range(CLIENTS)]
    for c in clients:
        login(c, email, password)
    return clients


def _round_p95(clients: list[_Http], urls: list[str], per_client: int, step: int = 7) -> float:
    """One run: every client fetches `per_client` of the URLs at once; the p95 of them all."""
    times = concurrently(
        [_fetch_loop(c, urls, i * step, per_client) for i, c in enumerate(clients)]
    )
    return p95([t for client_times in times for t in client_times])


def _warm(clients: list[_Http], urls: list[str]) -> float:
    """The first requests of each worker fill its caches: timed, reported, then excluded."""
    warm = concurrently([_fetch_loop(c, urls, i * 3, 2) for i, c in enumerate(clients)])
    return max(t for times in warm for t in times)


def page_latency(
    base: str, dataset: Dataset, urls: dict[str, list[str]], token: str
) -> dict[str, Any]:
    """p95 of each page, and of the /api/v1/me baseline timed around each of its runs."""
    clients = _logged_in(base, dataset.orgs[0].coordinator_email, dataset.password)
    baseline = [_Http(base) for _ in range(CLIENTS)]
    for b in baseline:
        b.headers["Authorization"] = f"Bearer {token}"
    _warm(baseline, [BASELINE_URL])
    out: dict[str, Any] = {}
    for name, (per_client, target) in PAGE_PLAN.items():
        targets = urls[name]
        first = _warm(clients, targets)
        rounds, base_rounds = [], []
        for _ in range(PAGE_ROUNDS):
            before = concurrently(
                [_fetch_loop(b, [BASELINE_URL], 0, BASELINE_PER_CLIENT) for b in baseline]
            )
            rounds.append(_round_p95(clients, targets, per_client))
            after = concurrently(
                [_fetch_loop(b, [BASELINE_URL], 0, BASELINE_PER_CLIENT) for b in baseline]
            )
            base_rounds.append(p95([t for times in before + after for t in times]))
        value = round(statistics.median(rounds), 1)
        out[f"page_p95_ms.{name}"] = figure(
            value,
            "ms",
            rounds,
            target=target,
            requests_per_run=per_client * CLIENTS,
            warmup_max_ms=round(first, 1),
        )
        # Each run's page p95 beside its own baseline's.
        out[f"page_p95_ratio.{name}"] = ratio(
            rounds,
            base_rounds,
            page_p95_ms=[round(r, 1) for r in rounds],
            baseline_p95_ms=[round(b, 1) for b in base_rounds],
            baseline=f"GET {BASELINE_URL} (bearer token), {2 * BASELINE_PER_CLIENT * CLIENTS} "
            "requests around each run",
        )
    for c in clients + baseline:
        c.close()
    return out


COHORT_GROWTH_PER_CLIENT = 6


def cohort_growth(base: str, dataset: Dataset, app: Any) -> dict[str, Any]:
    """The cohort page's p95 for the admin (every candidate) ÷ for the coordinator of the
    smallest organization (500), in alternating runs against the same server."""
    from tracker.accounts.models import User
    from tracker.candidates.cohort import candidate_count, enrolled_count
    from tracker.extensions import db
    from tracker.records.queries import visible_candidates_query

    small = min(dataset.orgs, key=lambda o: len(o.candidate_ids))
    sizes: dict[str, int] = {}
    with app.app_context():
        for who, email in (("all", dataset.admin_email), ("small", small.coordinator_email)):
            user = db.session.scalar(select(User).where(User.email == email))
            sizes[who] = candidate_count(visible_candidates_query(user))
            sizes[f"{who}_enrolled"] = enrolled_count(visible_candidates_query(user))
        db.session.remove()
    groups = {
        "all": _logged_in(base, dataset.admin_email, dataset.password),
        "small": _logged_in(base, small.coordinator_email, dataset.password),
    }
    warm = {who: _warm(clients, ["/cohort"]) for who, clients in groups.items()}
    runs: dict[str, list[float]] = {"all": [], "small": []}
    for r in range(ROUNDS):
        for who in ("all", "small") if r % 2 == 0 else ("small", "all"):
            runs[who].append(_round_p95(groups[who], ["/cohort"], COHORT_GROWTH_PER_CLIENT))
    for clients in groups.values():
        for c in clients:
            c.close()
    return {
        "cohort_page_growth": ratio(
            runs["all"],
            runs["small"],
            candidates={"all": sizes["all"], "small": sizes["small"]},
            p95_ms={who: [round(t, 1) for t in times] for who, times in runs.items()},
            warmup_max_ms={who: round(t, 1) for who, t in warm.items()},
            requests_per_run=COHORT_GROWTH_PER_CLIENT * CLIENTS,
            how=f"/cohort as the admin (every candidate, {sizes['all']}) ÷ as the coordinator "
            f"of the smallest organization ({sizes['small']}); runs alternate",
        )
    }


def worker_memory(server: Server) -> dict[str, Any]:
    """The largest peak RSS (VmHWM) among gunicorn's workers, read after the page runs."""
    pids = worker_pids(server.pid)
    peaks = [m for m in (peak_rss_mb(pid) for pid in pids) if m is not None]
    if not peaks:
        raise RuntimeError("no gunicorn worker found under the master process")
    return {
        "app_worker_peak_rss_mb": figure(
            max(peaks), "MB", peaks, samples=peaks, workers=len(peaks), master_pid=server.pid
        )
    }


def api_tokens(app: Any, dataset: Dataset) -> list[tuple[str, list[int]]]:
    """A bearer token and the pending entries of each approving client (orgs 2..n)."""
    from tracker.accounts.models import User
    from tracker.accounts.operations import issue_token
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.records.models import EntryStatus, ExperienceEntry

    orgs = dataset.orgs[1:] or dataset.orgs
    plan: list[tuple[str, list[int]]] = []
    with app.app_context(), writing():
        for i in range(CLIENTS):
            org = orgs[i % len(orgs)]
            _token, raw = issue_token(None, db.session.get(User, org.coordinator_id))
            pending = db.session.scalars(
                select(ExperienceEntry.id)
                .where(
                    ExperienceEntry.status == EntryStatus.PENDING,
                    ExperienceEntry.candidate_id.in_(org.candidate_ids),
                )
                .order_by(ExperienceEntry.id)
            ).all()
            share = i // len(orgs)
            per_org = -(-CLIENTS // len(orgs))
            plan.append((raw, list(pending[share::per_org])))
        db.session.commit()
    return plan


def approvals_throughput(base: str, plan: list[tuple[str, list[int]]]) -> dict[str, Any]:
    per_client = min(30, min(len(ids) for _t, ids in plan) // ROUNDS)
    if per_client < 3:
        raise RuntimeError("not enough pending entries left for the approvals bench")
    rates = []
    errors = 0
    for r in range(ROUNDS):
        work = []
        for token, ids in plan:
            batch = ids[r * per_client : (r + 1) * per_client]
            work.append(_approve_loop(base, token, batch))
        started = time.perf_counter()
        done = concurrently(work)
        elapsed = time.perf_counter() - started
        failures = sum(int(x) for times in done for x in times)
        errors += failures
        rates.append(round(per_client * len(plan) / elapsed, 1))
    value = statistics.median(rates)
    return {
        "approvals_per_s": figure(
            value, "approvals/s", rates, errors=errors, approvals_per_run=per_client * len(plan)
        )
    }


def _approve_loop(base: str, token: str, ids: list[int]) -> Callable[[], list[float]]:
    def loop() -> list[float]:
        failures = []
        with _Http(base) as http:
            http.headers["Authorization"] = f"Bearer {token}"
            for entry_id in ids:
                response = http.post(f"/api/v1/experience/{entry_id}/approve")
                failures.append(0.0 if response.status_code == 200 else 1.0)
        return failures

    return loop


def baseline_token(app: Any, dataset: Dataset) -> str:
    """A bearer token of the first organization's coordinator (the pages' user)."""
    from tracker.accounts.models import User
    from tracker.accounts.operations import issue_token
    from tracker.database import writing
    from tracker.extensions import db

    with app.app_context(), writing():
        _token, raw = issue_token(None, db.session.get(User, dataset.orgs[0].coordinator_id))
        db.session.commit()
    return raw


def run(directory: Path, dataset: Dataset, app: Any) -> dict[str, Any]:
    urls = page_urls(dataset, app)
    results = page_queries(app, dataset, urls)
    plan = api_tokens(app, dataset)
    token = baseline_token(app, dataset)
    # Every page starts cold: no fragment of an earlier run on the same data is reused.
    from tracker.web.fragments import shared_of

    shutil.rmtree(shared_of(app).root, ignore_errors=True)
    with gunicorn(directory) as server:
        results.update(page_latency(server.base, dataset, urls, token))
        results.update(cohort_growth(server.base, dataset, app))
        results.update(worker_memory(server))
        results.update(approvals_throughput(server.base, plan))
    return results
