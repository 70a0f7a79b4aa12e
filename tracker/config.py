"""Settings from the TRACKER_* environment variables, with the contract's defaults."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def shipped_path(*parts: str) -> Path:
    """A file or folder of the shipped data (``seed/``: demo data, credential definitions).

    An installed wheel carries it as ``tracker/seed/`` (setup.py); a checkout, also one
    installed with ``pip install -e .``, reads the repository's own ``seed/``.
    """
    packaged = PACKAGE_DIR / "seed"
    return (packaged if packaged.is_dir() else PROJECT_ROOT / "seed").joinpath(*parts)


class ConfigError(RuntimeError):
    """A TRACKER_* setting is unusable."""


def _secret_key(instance: Path, name: str = "secret_key") -> str:
    """Generate the key once and keep it in the instance folder, readable by the owner only."""
    path = instance / name
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = secrets.token_hex(32)
    # Written whole to a private temporary file, then linked into place: sibling workers
    # starting at once all end up with the one key that won (the audit key must not differ).
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text().strip() or key
    finally:
        os.unlink(tmp)
    return key


def _instance_folder(path: Path) -> None:
    """Create the instance folder for the owner only (0700, whatever the umask).

    A folder that already exists is left as it is: its mode is then the operator's choice.
    """
    if path.is_dir():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        return  # another process (a sibling worker) created it first
    path.chmod(0o700)


def _path_setting(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


def _languages(raw: str) -> list[str]:
    tags = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if not tags or any(not tag.replace("-", "").isalpha() for tag in tags):
        raise ConfigError(f"TRACKER_LANGUAGES: {raw!r} is not a list of language tags (en,pl)")
    return tags


def _hours(name: str, raw: str) -> float:
    try:
        hours = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number of hours (e.g. 12 or 0.5)") from None
    if not 0 < hours <= 24 * 366:
        raise ConfigError(f"{name}: {raw!r} must be more than 0 and at most a year")
    return hours


def _megabytes(name: str, raw: str) -> int:
    """A size in whole megabytes (MB = 1024 × 1024 bytes), as bytes."""
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}: {raw!r} is not a whole number of megabytes (e.g. 200)")
    return int(raw) * 1024 * 1024


def _public_url(raw: str | None) -> str | None:
    if not raw:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"TRACKER_PUBLIC_URL: {raw!r} is not an http(s) URL with a host")
    return raw.strip().rstrip("/")


def _hosts(raw: str) -> list[str]:
    hosts = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if not hosts or any(not h.replace(".", "").replace("-", "").replace(":", "").isalnum()
                        for h in hosts):  # fmt: skip
        raise ConfigError(f"TRACKER_TRUSTED_HOSTS: {raw!r} is not a list of host names")
    return hosts


def trusted_hosts(hosts: list[str], public_url: str | None) -> list[str]:
    """The hosts answered: the configured ones and the public URL's (Flask's TRUSTED_HOSTS)."""
    from urllib.parse import urlsplit

    chosen = list(hosts)
    public_host = urlsplit(public_url).hostname if public_url else None
    if public_host and public_host not in chosen:
        chosen.append(public_host)
    return chosen


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TRACKER_TIMEZONE: unknown time zone {name!r}") from None
    return name


def database_url(url: str, name: str = "TRACKER_DATABASE_URL") -> str:
    """The SQLAlchemy URL for a SQLite or PostgreSQL URL (psycopg 3 for plain postgres URLs)."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not (url.startswith("sqlite:") or url.startswith("postgresql")):
        raise ConfigError(f"{name}: unsupported database URL {url.split(':')[0]!r}")
    return url


def _redis_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"TRACKER_REDIS_URL: {url.split(':')[0]!r} is not a redis:// URL")
    return url


def _oidc(env: Any) -> dict[str, str | None]:
    names = ("TRACKER_OIDC_ISSUER", "TRACKER_OIDC_CLIENT_ID", "TRACKER_OIDC_CLIENT_SECRET")
    values = {name: env.get(name) or None for name in names}
    given = [name for name, value in values.items() if value]
    if given and len(given) != len(names):
        missing = ", ".join(name for name in names if not values[name])
        raise ConfigError(f"single sign-on needs all of its settings; missing {missing}")
    return {name.removeprefix("TRACKER_"): value for name, value in values.items()}


def load_settings(instance: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read settings from the environment; raise ConfigError naming the variable on bad values."""
    env = os.environ if environ is None else environ
    _instance_folder(instance)
    url = database_url(env.get("TRACKER_DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}")
    credentials = _path_setting("TRACKER_CREDENTIALS_DIR", shipped_path("credentials"))
    uploads = _path_setting("TRACKER_UPLOAD_DIR", instance / "uploads")
    secret = env.get("TRACKER_SECRET_KEY") or _secret_key(instance)
    redis = _redis_url(env.get("TRACKER_REDIS_URL") or "")
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": secret,
        # The audit chain's HMAC key and head checkpoint live outside the database.
        "AUDIT_KEY": env.get("TRACKER_AUDIT_KEY") or _secret_key(instance, "audit_key"),
        "AUDIT_CHECKPOINT": _path_setting(
            "TRACKER_AUDIT_CHECKPOINT", instance / "audit_checkpoint.json"
        ),
        "CREDENTIALS_DIR": credentials,
        "UPLOAD_DIR": uploads,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024 + 64 * 1024,
        "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        # Evidence one candidate may store in all (a full disk would stop everyone's uploads).
        "EVIDENCE_QUOTA_BYTES": _megabytes(
            "TRACKER_EVIDENCE_QUOTA_MB", env.get("TRACKER_EVIDENCE_QUOTA_MB") or "200"
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": "scrypt:32768:8:3",
        "RATELIMIT_ENABLED": True,
        "SESSION_IDLE_HOURS": _hours(
            "TRACKER_SESSION_IDLE_HOURS", env.get("TRACKER_SESSION_IDLE_HOURS") or "12"
        ),
        # Links on statements and in mails: this URL, else the request's host, and then
        # only a trusted host is answered (any other Host header gets 400).
        "PUBLIC_URL": _public_url(env.get("TRACKER_PUBLIC_URL")),
        "TRUSTED_HOSTS": _hosts(env.get("TRACKER_TRUSTED_HOSTS") or "localhost,127.0.0.1"),
        # PEM files; unset: a key and self-signed certificate made once in the instance folder.
        "SIGNING_KEY": env.get("TRACKER_SIGNING_KEY") or None,
        "SIGNING_CERT": env.get("TRACKER_SIGNING_CERT") or None,
        "LANGUAGES": _languages(env.get("TRACKER_LANGUAGES") or "en,pl"),
        "TIMEZONE": _timezone(env.get("TRACKER_TIMEZONE") or "UTC"),
        # Scale-out: tasks on a Redis queue, and the login-throttling counters in Redis.
        "REDIS_URL": redis,
        # Login throttling counters: shared in Redis when configured, else per process.
        "RATELIMIT_STORAGE_URI": (env.get("TRACKER_RATELIMIT_STORAGE_URI") or redis or "memory://"),
        # Files of background jobs (the cohort ZIP); may be shared by every host.
        "STORAGE_DIR": _path_setting("TRACKER_STORAGE_DIR", instance / "storage"),
        # Mail (tracker.mail): unset URL writes .eml files to <instance>/outbox/.
        "MAIL_URL": env.get("TRACKER_MAIL_URL") or None,
        "MAIL_FROM": env.get("TRACKER_MAIL_FROM") or "tracker@localhost",
        **_oidc(env),
    }
