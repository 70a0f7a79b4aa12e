"""Outgoing mail through Flask-Mailman: SMTP when TRACKER_MAIL_URL is set, else `.eml` files.

Flask-Mailman is used (not Flask-Mail, unmaintained since 2014) because it carries
Django's well-tested mail classes: multipart alternatives, SMTP/SMTPS with timeouts and
pluggable backends, one of which (below) writes the embedded default's outbox.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, has_request_context, request
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

from tracker.config import ConfigError

mail = Mail()
log = logging.getLogger("tracker.mail")
DEFAULT_PUBLIC_URL = "http://localhost:5000"


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message as one `.eml` file (RFC 5322, opens in any mail program)."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        folder = Path(current_app.config["MAIL_OUTBOX"])
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = folder / f"{stamp}-{secrets.token_hex(6)}.eml"
            fd = os.open(path.with_suffix(".part"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(message.message().as_bytes())
            os.replace(path.with_suffix(".part"), path)
            sent += 1
        return sent


def mail_settings(url: str | None, sender: str | None, instance: Path) -> dict[str, Any]:
    """Flask-Mailman's settings from TRACKER_MAIL_URL (smtp://user:pw@host:port, smtps://…)."""
    settings: dict[str, Any] = {
        "MAIL_DEFAULT_SENDER": sender or "tracker@localhost",
        "MAIL_OUTBOX": instance / "outbox",
        "MAIL_TIMEOUT": 10,
    }
    if not url:
        settings["MAIL_BACKEND"] = OutboxEmailBackend
        return settings
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("TRACKER_MAIL_URL: expected smtp://[user:pw@]host[:port] or smtps://…")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("TRACKER_MAIL_URL: the port is not a number") from None
    secure = parts.scheme == "smtps"
    settings.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER=parts.hostname,
        MAIL_PORT=port or (465 if secure else 25),
        MAIL_USERNAME=unquote(parts.username) if parts.username else None,
        MAIL_PASSWORD=unquote(parts.password) if parts.password else None,
        MAIL_USE_SSL=secure,
        MAIL_USE_TLS="starttls" in parts.query,
    )
    return settings


def init_app(app: Flask) -> None:
    for key, value in mail_settings(
        app.config.get("MAIL_URL"), app.config.get("MAIL_FROM"), Path(app.instance_path)
    ).items():
        app.config.setdefault(key, value)
    mail.init_app(app)


def public_url(*, from_request: bool = True) -> str:
    """The base of links: TRACKER_PUBLIC_URL, else this request's host, else (and always
    for mails, which tasks send outside any request) http://localhost:5000."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return str(configured).rstrip("/")
    if from_request and has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_PUBLIC_URL


def send(to: str, subject: str, text: str, html: str) -> None:
    """Send one mail with a plain-text and an HTML part; raises when the server refuses."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def send_with_retries(to: str, subject: str, text: str, html: str) -> tuple[int, str | None]:
    """Send, retrying with the back-off of MAIL_RETRY_DELAYS: (attempts, last error or None).

    Called from tasks only (never in a request): the waits block a worker, not a page.
    """
    delays = [0.0, *current_app.config.get("MAIL_RETRY_DELAYS", (2.0, 10.0))]
    error: str | None = None
    for attempt, delay in enumerate(delays, start=1):
        if delay:
            time.sleep(delay)
        try:
            send(to, subject, text, html)
        except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried
            error = f"{type(exc).__name__}: {exc}"
            log.warning("mail failed", extra={"attempt": attempt, "error": error})
            continue
        return attempt, None
    return len(delays), error
