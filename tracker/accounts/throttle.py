"""Login throttling with exponential back-off, counted in a store every worker shares.

Keys: the account *and* the source (``acct:<email>|<ip>``), and the source alone
(``src:<ip>``, a larger budget against password spraying). Nothing is counted per
account alone, so a stranger's failures never slow the account's owner on their own
connection: there is no lock-out, only back-off for whoever keeps failing.

Each key allows ``FREE`` failures; the FREE-th starts a pause of ``BASE`` seconds, and each
further failure doubles it, up to ``CAP``. With FREE=5 and BASE=60 that is at most 5
failures a minute, then 1, 2, 4 … minutes. A success clears the account-and-source key; an
hour without failures clears any key.

The store is the database (shared by gunicorn workers on one host, or many hosts on
PostgreSQL), or Redis where ``TRACKER_REDIS_URL`` is set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, select

from tracker.accounts.models import LoginThrottle
from tracker.extensions import db
from tracker.timeutil import utcnow


@dataclass(frozen=True)
class Rule:
    prefix: str
    free: int
    base: float
    cap: float


ACCOUNT_AND_SOURCE = Rule("acct", free=5, base=60, cap=3600)
SOURCE = Rule("src", free=100, base=60, cap=3600)
QUIET = timedelta(hours=1)


def keys(email: str, source: str | None) -> list[tuple[Rule, str]]:
    email = (email or "").strip().lower()[:254]
    source = (source or "unknown")[:45]
    return [
        (ACCOUNT_AND_SOURCE, f"acct:{email}|{source}"),
        (SOURCE, f"src:{source}"),
    ]


def pause_after(rule: Rule, failures: int) -> float:
    """Seconds to wait after this many failures (0 while under the free allowance)."""
    if failures < rule.free:
        return 0.0
    return float(min(rule.cap, rule.base * 2 ** (failures - rule.free)))


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


# --- the stores -----------------------------------------------------------------------


class DatabaseStore:
    """One row per key, in the request's own transaction (a write transaction on SQLite,
    so workers take turns; a row lock on PostgreSQL). The caller commits."""

    def wait(self, key: str, now: datetime) -> float:
        until = db.session.scalar(
            select(LoginThrottle.blocked_until).where(LoginThrottle.key == key)
        )
        return max(0.0, (until - now).total_seconds()) if until is not None else 0.0

    def fail(self, rule: Rule, key: str, now: datetime) -> None:
        table = cast("Table", LoginThrottle.__table__)
        session = db.session
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        session.execute(
            insert(table)
            .values(key=key, failures=0, last_failure_at=now, blocked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = session.execute(
            select(table.c.failures, table.c.last_failure_at)
            .where(table.c.key == key)
            .with_for_update()
        ).one()
        failures = 1 if now - row.last_failure_at > QUIET else row.failures + 1
        pause = pause_after(rule, failures)
        session.execute(
            table.update()
            .where(table.c.key == key)
            .values(
                failures=failures,
                last_failure_at=now,
                blocked_until=now + timedelta(seconds=pause) if pause else None,
            )
        )

    def clear(self, key: str) -> None:
        table = cast("Table", LoginThrottle.__table__)
        db.session.execute(table.delete().where(LoginThrottle.key == key))


class RedisStore:
    """The same counts in Redis (INCR is atomic; the pause is a key that expires)."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis: Any = redis.Redis.from_url(url)

    def wait(self, key: str, now: datetime) -> float:
        ttl = self.redis.pttl(f"tracker:throttle:pause:{key}")
        return ttl / 1000 if ttl and ttl > 0 else 0.0

    def fail(self, rule: Rule, key: str, now: datetime) -> None:
        count_key = f"tracker:throttle:failures:{key}"
        pipe = self.redis.pipeline()
        pipe.incr(count_key)
        pipe.expire(count_key, int(QUIET.total_seconds()))
        failures = int(pipe.execute()[0])
        pause = pause_after(rule, failures)
        if pause:
            self.redis.set(f"tracker:throttle:pause:{key}", 1, px=int(pause * 1000))

    def clear(self, key: str) -> None:
        self.redis.delete(f"tracker:throttle:failures:{key}", f"tracker:throttle:pause:{key}")


def store() -> DatabaseStore | RedisStore:
    url = current_app.config.get("REDIS_URL")
    if url:
        cached = current_app.extensions.get("tracker_throttle_redis")
        if cached is None:
            cached = current_app.extensions["tracker_throttle_redis"] = RedisStore(url)
        return cached
    return DatabaseStore()


# --- what the login view calls ----------------------------------------------------------


def retry_after(email: str, source: str | None) -> int:
    """Whole seconds this account-and-source (or source) must wait; 0: it may try now."""
    if not _enabled():
        return 0
    now = utcnow()
    backend = store()
    wait = max(backend.wait(key, now) for _rule, key in keys(email, source))
    return math.ceil(wait)


def failed(email: str, source: str | None) -> None:
    if not _enabled():
        return
    now = utcnow()
    backend = store()
    for rule, key in keys(email, source):
        backend.fail(rule, key, now)


def succeeded(email: str, source: str | None) -> None:
    if not _enabled():
        return
    rule, key = keys(email, source)[0]
    store().clear(key)
