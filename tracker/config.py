"""Settings from the TRACKER_* environment variables, with the contract's defaults."""

from __future__ import annotations

import os
import secrets
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


def _secret_key(instance: Path) -> str:
    """Generate the key once and keep it in the instance folder, readable by the owner only."""
    path = instance / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
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
        "CREDENTIALS_DIR": credentials,
        "UPLOAD_DIR": uploads,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024 + 64 * 1024,
        "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": "scrypt:32768:8:3",
        "RATELIMIT_ENABLED": True,
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
        "PUBLIC_URL": env.get("TRACKER_PUBLIC_URL") or None,
        **_oidc(env),
    }
